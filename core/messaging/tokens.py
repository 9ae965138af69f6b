"""Signed tokens for the public links in messages (unsubscribe, open pixel, click, web view).

A token is `base64url(kind|arg|expiry|idempotency_key).base64url(hmac)`, HMAC-SHA256 with a key
derived from SECRET_KEY. It names the message by its idempotency key, which exists before the row
is written, so a batch is rendered and stored in one bulk write. The kind is signed too, so an
open token can never be used as a click token.
"""

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass

KINDS = frozenset({"u", "o", "c", "v"})  # unsubscribe, open, click, view in browser
DEFAULT_TTL_SECONDS = 400 * 24 * 3600  # links in old emails keep working for over a year
_SIG_BYTES = 16


class TokenError(ValueError):
    """The token is malformed, tampered with, signed by another key, of another kind or expired."""


@dataclass(frozen=True)
class LinkToken:
    kind: str
    message_key: str  # the message's idempotency key
    arg: int  # click: the index of the link in the message's allowed links
    expires_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class LinkSigner:
    def __init__(self, secret_key: str, ttl_seconds: int = DEFAULT_TTL_SECONDS):
        self._key = hashlib.sha256(b"nudge-link-token\0" + secret_key.encode()).digest()
        self.ttl_seconds = ttl_seconds

    def _mac(self, payload: bytes) -> bytes:
        return hmac.digest(self._key, payload, "sha256")[:_SIG_BYTES]

    def expiry(self, now: float | None = None) -> int:
        return int((now if now is not None else time.time()) + self.ttl_seconds)

    def sign(self, kind: str, message_key: str, arg: int = 0, expires: int | None = None) -> str:
        """`expires` lets a caller signing many links at once compute it once."""
        expires = expires if expires is not None else self.expiry()
        payload = f"{kind}|{arg}|{expires}|{message_key}".encode()
        return f"{_b64(payload)}.{_b64(self._mac(payload))}"

    def verify(self, token: str, kind: str, now: float | None = None) -> LinkToken:
        try:
            body, sig = token.split(".")
            payload = _unb64(body)
            valid = hmac.compare_digest(_unb64(sig), self._mac(payload))
        except (ValueError, TypeError) as exc:
            raise TokenError("malformed link") from exc
        if not valid:
            raise TokenError("this link is not valid (it was altered or is not ours)")
        try:
            got_kind, arg, expires, key = payload.decode().split("|", 3)
            parsed = LinkToken(got_kind, key, int(arg), int(expires))
        except (ValueError, UnicodeDecodeError) as exc:
            raise TokenError("malformed link") from exc
        if parsed.kind != kind:
            raise TokenError("this link is not valid here")
        if parsed.expires_at < (now if now is not None else time.time()):
            raise TokenError("this link has expired")
        return parsed
