"""Password and API-key hashing, and session tokens. Only hashes are stored."""

import hashlib
import hmac
import secrets

API_KEY_PREFIX = "nk_"
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """API keys and session tokens are long random strings: a plain SHA-256 is enough to look them
    up without storing them; the comparison after lookup is constant-time."""
    return hashlib.sha256(token.encode()).hexdigest()


def key_prefix(key: str) -> str:
    return key[:10]


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt_hex), **_SCRYPT)
    return hmac.compare_digest(digest.hex(), digest_hex)


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
