"""Signed tokens for the public links in messages.

Two kinds per message: `u` (unsubscribe: it changes consent) and `t` (tracking: the open pixel,
the web view and the click links). A token is `{kind}.{expiry}.{base64url(key)}.{base64url(mac)}`,
the MAC being HMAC-SHA256 (truncated to 128 bits) over kind, expiry and the message's
idempotency key, keyed from SECRET_KEY. Click links append `.{index}`: the index only picks one of
the links stored on that message's row, so changing it can never lead anywhere else.

Tokens name the message by its idempotency key, which exists before the row is written, so a
batch is rendered and stored in one bulk write; and a message costs two MACs however many links
it has.
"""

import base64
import binascii
import hashlib
import hmac
import time
from dataclasses import dataclass

DEFAULT_TTL_SECONDS = 400 * 24 * 3600  # links in old emails keep working for over a year
_SIG_BYTES = 16
_URLSAFE = str.maketrans("+/", "-_")


class TokenError(ValueError):
    """The token is malformed, tampered with, signed by another key, of another kind or expired."""


@dataclass(frozen=True)
class LinkToken:
    kind: str
    message_key: str  # the message's idempotency key
    expires_at: int
    index: int | None = None  # click links: which of the message's links


def _b64(data: bytes) -> str:
    return binascii.b2a_base64(data, newline=False).rstrip(b"=").decode().translate(_URLSAFE)


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class LinkSigner:
    def __init__(self, secret_key: str, ttl_seconds: int = DEFAULT_TTL_SECONDS):
        key = hashlib.sha256(b"nudge-link-token\0" + secret_key.encode()).digest()
        # HMAC's inner and outer pads hashed once (RFC 2104); each MAC then copies them.
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key.ljust(64, b"\0")))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key.ljust(64, b"\0")))
        self.ttl_seconds = ttl_seconds

    def _mac(self, payload: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(payload)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()[:_SIG_BYTES]

    def expiry(self, now: float | None = None) -> int:
        return int((now if now is not None else time.time()) + self.ttl_seconds)

    def sign(self, kind: str, message_key: str, expires: int | None = None) -> str:
        expires = expires if expires is not None else self.expiry()
        mac = self._mac(f"{kind}|{expires}|{message_key}".encode())
        return f"{kind}.{expires}.{_b64(message_key.encode())}.{_b64(mac)}"

    def verify(self, token: str, kind: str, now: float | None = None) -> LinkToken:
        """Check a token for a route of `kind`; click routes (`kind="c"`) need `.{index}`."""
        want_index = kind == "c"
        expected_kind = "t" if kind in ("o", "c", "v") else kind
        try:
            fields = token.split(".")
            if len(fields) != (5 if want_index else 4):
                raise ValueError("wrong number of fields")
            got_kind, expires, key_b64, sig = fields[:4]
            key = _unb64(key_b64).decode()
            # Compare the canonical text, not decoded bytes: base64's unused trailing bits would
            # otherwise let several spellings of one token verify.
            expected = _b64(self._mac(f"{got_kind}|{expires}|{key}".encode()))
            valid = hmac.compare_digest(sig, expected) and _b64(key.encode()) == key_b64
            index = int(fields[4]) if want_index else None
            parsed = LinkToken(got_kind, key, int(expires), index)
        except (ValueError, TypeError, UnicodeDecodeError, binascii.Error) as exc:
            raise TokenError("malformed link") from exc
        if not valid:
            raise TokenError("this link is not valid (it was altered or is not ours)")
        if parsed.kind != expected_kind:
            raise TokenError("this link is not valid here")
        if parsed.expires_at < (now if now is not None else time.time()):
            raise TokenError("this link has expired")
        return parsed
