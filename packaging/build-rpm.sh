#!/bin/sh
# Builds the lightapid RPMs from a release tarball (what `make rpm` runs):
#
#     packaging/build-rpm.sh lightapid-0.1.0.tar.gz
#
# Like `rpmbuild -ta`, but the spec is packaging/rpm/lightapid.spec.in
# inside the tarball, with @VERSION@ taken from the tarball's name. The
# build uses a temporary _topdir; the binary and source RPMs land in ./rpm
# (or $RPM_OUTDIR), ready for `rpmlint rpm/*.rpm`.
#
# On Debian (a test build: rpm there manages no packages) the build
# dependencies cannot be checked, so rpmbuild runs with --nodeps against
# the libraries tests/deps.sh installs; install rpm and rpmlint with
# `apt-get install rpm rpmlint`.
#
# RPMBUILD_OPTS holds extra rpmbuild options and defaults to
# "--without check", which skips the tests; set it (even to "") to change
# that. Extra arguments after the tarball also go to rpmbuild.

set -eu

prog=${0##*/}

die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

[ $# -ge 1 ] || {
	printf 'usage: %s lightapid-VERSION.tar.gz [rpmbuild args]\n' \
	    "$prog" >&2
	exit 2
}
tarball=$1
shift
[ -f "$tarball" ] || die "$tarball: no such file"

base=${tarball##*/}
case $base in
lightapid-*.tar.gz)
	version=${base#lightapid-}
	version=${version%.tar.gz}
	;;
*)
	die "$base: expected a name of the form lightapid-VERSION.tar.gz"
	;;
esac
case $version in
*-*) die "version $version: RPM versions cannot contain '-'" ;;
esac

if ! command -v rpmbuild >/dev/null 2>&1; then
	printf '%s: rpmbuild not found; install it with\n' "$prog" >&2
	printf '    dnf install rpm-build rpmdevtools    (Fedora, RHEL)\n' >&2
	printf '    apt-get install rpm                  (Debian, for a test build)\n' >&2
	exit 1
fi

# On a host whose packages rpm does not manage (Debian), rpm knows none of
# the build dependencies, which are then the Debian ones (tests/deps.sh):
# build without its check, for a test build of the package.
nodeps=
if ! rpm -q rpm >/dev/null 2>&1; then
	nodeps=--nodeps
	printf '%s: rpm manages no packages here (not an RPM system):' "$prog" >&2
	printf ' building with --nodeps, against the libraries installed\n' >&2
fi

outdir=${RPM_OUTDIR:-$(pwd)/rpm}
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
tarball_abs=$(cd "$(dirname "$tarball")" && pwd)/$base
top=$(mktemp -d "${TMPDIR:-/tmp}/lightapid-rpm.XXXXXX")
trap 'rm -rf "$top"' EXIT
trap 'exit 1' HUP INT TERM

mkdir -p "$top/BUILD" "$top/BUILDROOT" "$top/RPMS" "$top/SOURCES" \
    "$top/SPECS" "$top/SRPMS"
cp "$tarball_abs" "$top/SOURCES/"

spec=$top/SPECS/lightapid.spec
tar -xzOf "$tarball_abs" "lightapid-$version/packaging/rpm/lightapid.spec.in" \
    >"$spec.in" 2>/dev/null ||
	die "$base has no lightapid-$version/packaging/rpm/lightapid.spec.in"
sed "s/@VERSION@/$version/g" "$spec.in" >"$spec"

: "${RPMBUILD_OPTS=--without check}"
printf '%s: building in %s (%s)\n' "$prog" "$top" "$RPMBUILD_OPTS" >&2
# RPMBUILD_OPTS is split into words on purpose. A missing build dependency
# makes rpmbuild stop here with the list of packages to install.
# shellcheck disable=SC2086
rpmbuild --define "_topdir $top" $nodeps $RPMBUILD_OPTS "$@" -ba "$spec" ||
	die "rpmbuild failed; the log is above"

found=0
for rpm in "$top"/RPMS/*/*.rpm "$top"/SRPMS/*.rpm; do
	[ -f "$rpm" ] || continue
	cp "$rpm" "$outdir/"
	printf '%s: wrote %s\n' "$prog" "$outdir/${rpm##*/}" >&2
	found=1
done
[ "$found" -eq 1 ] || die "rpmbuild produced no package"
