"""Helpers shared by the authentication and CORS tests (SPEC §8, §9).

This module holds no tests; it is named test_auth_* only so that it sits
with the files it serves.  Python standard library only.
"""

import base64
import hashlib
import hmac
import http.client
import itertools
import json
import subprocess
import time
import warnings

from conftest import decode_json, require_binary

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt  # noqa: E402  (deprecated in 3.11, still present)

DETAIL_401 = {"detail": "Authentication credentials invalid."}
DETAIL_403 = {"detail": "You do not have permission to perform this action."}
DETAIL_BAD_LOGIN = {"detail": "Invalid credentials"}
DETAIL_NOT_OBJECT = {"detail": "request body must be a JSON object"}
DETAIL_429 = {"detail": "rate limit exceeded"}
BEARER = "Bearer"
BASIC_REALM = 'Basic realm="lightapi"'

DIGESTS = {"HS256": hashlib.sha256, "HS384": hashlib.sha384,
           "HS512": hashlib.sha512}


# ---- JWT -----------------------------------------------------------------

def b64url(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text):
    text += "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(text.encode())


def sign(signing_input, secret, alg="HS256"):
    if isinstance(secret, str):
        secret = secret.encode()
    return b64url(hmac.new(secret, signing_input.encode(),
                           DIGESTS[alg]).digest())


def make_token(payload, secret, alg="HS256", header=None, raw_payload=None,
               signature=None):
    """An HS-signed JWT.  header overrides {"alg": alg, "typ": "JWT"};
    raw_payload (bytes) replaces the JSON encoding of payload; signature
    replaces the computed one (e.g. "" for alg none)."""
    hdr = header if header is not None else {"alg": alg, "typ": "JWT"}
    head = b64url(json.dumps(hdr, separators=(",", ":")))
    body = b64url(raw_payload if raw_payload is not None
                  else json.dumps(payload, separators=(",", ":")))
    signing_input = f"{head}.{body}"
    if signature is None:
        signature = sign(signing_input, secret, alg)
    return f"{signing_input}.{signature}"


def decode_token(token, secret, alg="HS256"):
    """Check an HS-signed JWT with hmac; returns (header, payload)."""
    parts = token.split(".")
    assert len(parts) == 3, f"not a three-part JWT: {token!r}"
    header = json.loads(b64url_decode(parts[0]))
    payload = json.loads(b64url_decode(parts[1]))
    assert header.get("alg") == alg, header
    expected = sign(f"{parts[0]}.{parts[1]}", secret, alg)
    assert hmac.compare_digest(expected, parts[2]), \
        f"token signature does not verify with {alg} and the configured secret"
    return header, payload


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def basic(user, password):
    raw = f"{user}:{password}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


# ---- password hashes -------------------------------------------------------

def hash_yescrypt(password):
    proc = subprocess.run([require_binary(), "--hash-password"],
                          input=password + "\n", capture_output=True,
                          text=True, timeout=15)
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.strip()
    assert line.startswith("$y$"), proc.stdout
    return line


def hash_bcrypt(password):
    return crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16))


def hash_sha512(password):
    return crypt.crypt(password, crypt.mksalt(crypt.METHOD_SHA512))


HASHERS = {"yescrypt": hash_yescrypt, "bcrypt": hash_bcrypt,
           "sha512": hash_sha512}
PREFIX = {"yescrypt": "$y$", "bcrypt": "$2b$", "sha512": "$6$"}


def crypt_verify(password, hashed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return crypt.crypt(password, hashed) == hashed


# ---- HTTP from a chosen loopback source address ---------------------------
# Login throttling counts failures per client address, so tests that send
# wrong passwords use a fresh 127.x.y.z source each to stay independent.

_addresses = (f"127.0.{a}.{b}" for a, b in
              itertools.product(range(10, 250), range(2, 250)))


def fresh_source():
    return next(_addresses)


def request(srv, method, path, body=None, headers=None, raw_body=None,
            source=None, timeout=10, conn=None):
    """Like Server.request, optionally from source address `source` or on
    an existing keep-alive connection `conn`."""
    hdrs = dict(headers or {})
    data = raw_body
    if body is not None:
        data = json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    own = conn is None
    if own:
        conn = http.client.HTTPConnection(
            "127.0.0.1", srv.port, timeout=timeout,
            source_address=(source, 0) if source else None)
    try:
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        raw = resp.read()
        rh = {k.lower(): v for k, v in resp.getheaders()}
        return resp.status, rh, decode_json(raw), raw
    finally:
        if own:
            conn.close()


def now():
    return int(time.time())


def assert_401(resp, challenge=BEARER):
    status, headers, data, raw = resp
    assert status == 401, f"expected 401, got {status} {raw!r}"
    assert data == DETAIL_401, raw
    assert headers.get("www-authenticate") == challenge, headers


def assert_403(resp):
    status, headers, data, raw = resp
    assert status == 403, f"expected 403, got {status} {raw!r}"
    assert data == DETAIL_403, raw


def assert_secrets_absent(text, secrets, where="server log"):
    leaked = [s for s in secrets if s and s in text]
    assert not leaked, f"secret strings found in {where}: {leaked}"
