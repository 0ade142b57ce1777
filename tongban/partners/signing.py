"""Request signing for the partner API: the canonical string and the HMAC.

Pure functions, shared by the server (``tongban.partners.auth``), the tests and any
Python client (``sign_request``). The scheme is described with a worked example in
``docs/partner-api.md``; change both together.

Canonical string, six lines joined by ``\\n`` (no trailing newline)::

    METHOD                 upper-case, e.g. GET
    PATH                   the URL path, percent-encoded (RFC 3986, "/" kept)
    QUERY                  name=value pairs, each percent-encoded, sorted, joined by &
    BODY-SHA256            hex SHA-256 of the raw body bytes (of b"" when empty)
    TIMESTAMP              unix seconds, exactly as sent in X-Tongban-Timestamp
    NONCE                  exactly as sent in X-Tongban-Nonce

Signature: HMAC-SHA256 keyed with the secret's UTF-8 bytes over the canonical
string's UTF-8 bytes, sent as lower-case hex (or standard base64).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qsl, quote, unquote

HEADER_KEY = "X-Tongban-Key"
HEADER_TIMESTAMP = "X-Tongban-Timestamp"
HEADER_NONCE = "X-Tongban-Nonce"
HEADER_SIGNATURE = "X-Tongban-Signature"

# A request's timestamp may differ from the server's clock by this much either way.
CLOCK_WINDOW_SECONDS = 300
# A nonce is remembered this long: a request accepted at server time S carries a
# timestamp T with |S - T| <= 300, and a replay at S' must also satisfy |S' - T| <=
# 300, so S' - S <= 600. After that the stale timestamp refuses the replay.
NONCE_TTL_SECONDS = 2 * CLOCK_WINDOW_SECONDS

KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
NONCE_PATTERN = re.compile(r"^[A-Za-z0-9._~-]{16,64}$")
TIMESTAMP_PATTERN = re.compile(r"^[0-9]{1,12}$")
HEX_SIGNATURE = re.compile(r"^[0-9a-fA-F]{64}$")

QueryInput = str | Mapping[str, object] | Sequence[tuple[str, object]] | None


def _encode(text: str) -> str:
    # RFC 3986 unreserved characters stay; everything else (space too) is %XX.
    return quote(text, safe="-._~")


def canonical_path(path: str) -> str:
    """The path, decoded once and percent-encoded again, so ``/a%20b`` and ``/a b``
    sign the same and the server can use Django's already-decoded ``request.path``."""
    return quote(unquote(path), safe="/-._~")


def canonical_query(query: QueryInput) -> str:
    """``name=value`` pairs percent-encoded and sorted (by name, then value), joined
    by ``&``. ``query`` is a raw query string, a mapping (a list value stands for a
    repeated name) or a sequence of pairs. Blank values are kept (``a=``)."""
    pairs: list[tuple[str, str]] = []
    if query is None:
        pass
    elif isinstance(query, str):
        pairs = parse_qsl(query.lstrip("?"), keep_blank_values=True)
    else:
        items = query.items() if isinstance(query, Mapping) else query
        for name, value in items:
            values = value if isinstance(value, list | tuple) else [value]
            pairs.extend((str(name), "" if v is None else str(v)) for v in values)
    encoded = sorted((_encode(name), _encode(value)) for name, value in pairs)
    return "&".join(f"{name}={value}" for name, value in encoded)


def wsgi_query_string(raw: str) -> str:
    """WSGI hands the query string over as its bytes decoded as Latin-1 (PEP 3333):
    undo that, so a client that sent UTF-8 unescaped signs what it sent."""
    try:
        return raw.encode("iso-8859-1").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return raw


def body_sha256(body: bytes | str | None) -> str:
    if body is None:
        body = b""
    if isinstance(body, str):
        body = body.encode()
    return hashlib.sha256(body).hexdigest()


def canonical_string(
    method: str,
    path: str,
    query: QueryInput,
    body: bytes | str | None,
    timestamp: str | int,
    nonce: str,
) -> str:
    return "\n".join(
        [
            method.upper(),
            canonical_path(path),
            canonical_query(query),
            body_sha256(body),
            str(timestamp),
            nonce,
        ]
    )


def compute_signature(secret: str, canonical: str) -> bytes:
    return hmac.new(secret.encode(), canonical.encode(), hashlib.sha256).digest()


def decode_signature(presented: str) -> bytes | None:
    """The signature's 32 bytes from hex or standard base64, or None if it is
    neither."""
    presented = presented.strip()
    if HEX_SIGNATURE.match(presented):
        return bytes.fromhex(presented)
    try:
        raw = base64.b64decode(presented, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == hashlib.sha256().digest_size else None


def signature_matches(secret: str, canonical: str, presented: str) -> bool:
    raw = decode_signature(presented)
    if raw is None:
        return False
    # Constant time: the comparison must not tell a forger how many bytes were right.
    return hmac.compare_digest(compute_signature(secret, canonical), raw)


def sign_request(
    method: str,
    path: str,
    query: QueryInput,
    body: bytes | str | None,
    key_id: str,
    secret: str,
    timestamp: str | int,
    nonce: str,
) -> dict[str, str]:
    """The four headers that authenticate one partner request (the client side).

    ``path`` without the query; ``query`` as sent; ``body`` the exact bytes sent
    (a ``str`` is taken as UTF-8)."""
    canonical = canonical_string(method, path, query, body, timestamp, nonce)
    return {
        HEADER_KEY: key_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: compute_signature(secret, canonical).hex(),
    }
