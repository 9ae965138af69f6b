"""AI failures, each with the HTTP status the API answers with and a reason a person can act on."""


class AIError(Exception):
    status_code = 502

    def __init__(self, detail: str, errors: list[str] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class AIProviderError(AIError):
    """The provider failed (timeout, rate limit, server error, bad key): a 502."""

    status_code = 502


class AIInvalidOutput(AIError):
    """The answer was still invalid after it was sent back once with its errors: a 422."""

    status_code = 422


class AINotUnderstood(AIError):
    """The offline assistant found nothing it understands in the prompt: a 422."""

    status_code = 422


class OutputInvalid(ValueError):
    """Raised by the answer parsers; `errors` are sent back to the model to fix."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def redact(text: str, secret: str | None) -> str:
    """Remove a secret (and its long fragments, which providers echo) from a message."""
    if not secret:
        return text
    text = text.replace(secret, "[redacted]")
    # Providers echo keys partly ("sk-abc...xyz"): drop any 8+ character run of the key.
    for size in (16, 8):
        for start in range(0, max(len(secret) - size + 1, 0)):
            piece = secret[start : start + size]
            if piece in text:
                text = text.replace(piece, "[redacted]")
    return text
