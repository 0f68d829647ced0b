#!/bin/sh
# Builds the lightapid .deb from a release tarball (what `make deb` runs):
#
#     packaging/build-deb.sh lightapid-0.1.0.tar.gz
#
# The tarball is unpacked in a temporary directory, packaging/debian becomes
# ./debian there, and dpkg-buildpackage builds the source package and the
# binary package. Everything it makes lands in one folder, ./deb (or
# $DEB_OUTDIR): the .deb, the .changes and .buildinfo, and the source
# package (.dsc, the .orig tarball and the .debian.tar.xz), so that the
# whole upload can be checked with `lintian --pedantic deb/*.changes`.
#
# The tests are skipped (DEB_BUILD_OPTIONS=nocheck) unless DEB_BUILD_OPTIONS
# is set by the caller, e.g. DEB_BUILD_OPTIONS="parallel=2" to run them.
# Extra arguments after the tarball go to dpkg-buildpackage.

set -eu

prog=${0##*/}

die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

[ $# -ge 1 ] || {
	printf 'usage: %s lightapid-VERSION.tar.gz [dpkg-buildpackage args]\n' \
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

missing=
for tool in dpkg-buildpackage dpkg-parsechangelog dh; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ "$(id -u)" -ne 0 ] && ! command -v fakeroot >/dev/null 2>&1; then
	missing="$missing fakeroot"
fi
if [ -n "$missing" ]; then
	printf '%s: missing:%s\n' "$prog" "$missing" >&2
	printf '%s: install the Debian packaging tools with\n' "$prog" >&2
	printf '    apt-get install build-essential dpkg-dev debhelper fakeroot\n' >&2
	exit 1
fi

outdir=${DEB_OUTDIR:-$(pwd)/deb}
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
tarball_abs=$(cd "$(dirname "$tarball")" && pwd)/$base
work=$(mktemp -d "${TMPDIR:-/tmp}/lightapid-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM

cp "$tarball_abs" "$work/lightapid_$version.orig.tar.gz"
tar -xzf "$tarball_abs" -C "$work"
src=$work/lightapid-$version
[ -d "$src" ] || die "$base does not unpack into lightapid-$version/"

# The debian/ directory comes from the tarball itself so that the package
# matches the release; fall back to the tree this script lives in.
if [ -d "$src/packaging/debian" ]; then
	cp -R "$src/packaging/debian" "$src/debian"
else
	here=$(cd "$(dirname "$0")" && pwd)
	[ -d "$here/debian" ] || die "no packaging/debian directory found"
	cp -R "$here/debian" "$src/debian"
fi
chmod +x "$src/debian/rules"

debver=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
upstream=${debver#*:}
upstream=${upstream%-*}
if [ "$upstream" != "$version" ]; then
	die "debian/changelog is at $debver but the tarball is $version;" \
	    "add a changelog entry for $version-1 (dch -v $version-1)"
fi

: "${DEB_BUILD_OPTIONS=nocheck}"
export DEB_BUILD_OPTIONS
profiles=
case " $DEB_BUILD_OPTIONS " in
*" nocheck "*) profiles=-Pnocheck ;;
esac

printf '%s: building in %s (DEB_BUILD_OPTIONS=%s)\n' "$prog" "$src" \
    "$DEB_BUILD_OPTIONS" >&2
# A missing build dependency makes dpkg-buildpackage stop here with the list
# of what to apt-get install.
(cd "$src" && dpkg-buildpackage -us -uc ${profiles:+"$profiles"} "$@") ||
	die "dpkg-buildpackage failed; the log is above"

found=0
for f in "$work"/*.deb "$work"/*.ddeb "$work"/*.changes "$work"/*.buildinfo \
    "$work"/*.dsc "$work"/*.orig.tar.* "$work"/*.debian.tar.*; do
	[ -f "$f" ] || continue
	cp "$f" "$outdir/"
	printf '%s: wrote %s\n' "$prog" "$outdir/${f##*/}" >&2
	case $f in *.deb) found=1 ;; esac
done
[ "$found" -eq 1 ] || die "dpkg-buildpackage produced no .deb"
