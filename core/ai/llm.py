"""A chat model behind any OpenAI-compatible API, through the OpenAI SDK.

The SDK retries timeouts, 408/409/429 and 5xx with exponential backoff (honouring Retry-After);
what still fails becomes an AIProviderError whose reason names the cause but never the key."""

import logging
from collections.abc import Iterator

import openai

from core.ai.errors import AIProviderError, redact
from core.config import Settings

log = logging.getLogger("nudge.ai")

# Bounds what one answer may cost: drafts are small JSON documents.
MAX_ANSWER_TOKENS = 2000


class ChatModel:
    def __init__(self, settings: Settings, *, max_retries: int = 2):
        self.model = settings.ai_model
        self.timeout = settings.ai_timeout_seconds
        self._key = settings.openai_api_key
        if not self._key and not settings.openai_base_url:
            raise AIProviderError(
                "AI_PROVIDER is openai but OPENAI_API_KEY is not set "
                "(set it, or OPENAI_BASE_URL for a local model, or AI_PROVIDER=offline)"
            )
        self._client = openai.OpenAI(
            # Local OpenAI-compatible servers ignore the key, but the SDK requires one.
            api_key=self._key or "not-needed",
            base_url=settings.openai_base_url or "https://api.openai.com/v1",
            timeout=self.timeout,
            max_retries=max_retries,
        )

    def complete(self, messages: list[dict], *, json_mode: bool = True) -> str:
        extra = {"response_format": {"type": "json_object"}} if json_mode else {}
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=messages,
                temperature=0.2,
                max_tokens=MAX_ANSWER_TOKENS,
                **extra,
            )
        except openai.OpenAIError as exc:
            raise self._failure(exc) from None
        if not response.choices or response.choices[0].message.content is None:
            raise AIProviderError("the AI provider returned an empty answer")
        return response.choices[0].message.content

    def stream(self, messages: list[dict]) -> Iterator[str]:
        """Yields pieces of the answer as the provider sends them."""
        try:
            chunks = self._client.chat.completions.create(
                model=self.model,
                messages=messages,
                temperature=0.4,
                max_tokens=MAX_ANSWER_TOKENS,
                stream=True,
            )
            with chunks:
                for chunk in chunks:
                    for choice in chunk.choices:
                        if choice.delta and choice.delta.content:
                            yield choice.delta.content
        except openai.OpenAIError as exc:
            raise self._failure(exc) from None
        except Exception as exc:  # a read timeout or reset mid-stream is not wrapped by the SDK
            raise AIProviderError(f"the AI provider's stream broke: {type(exc).__name__}") from None

    def _failure(self, exc: openai.OpenAIError) -> AIProviderError:
        if isinstance(exc, openai.APITimeoutError):
            reason = f"the AI provider did not answer within {self.timeout:g} s (after retries)"
        elif isinstance(exc, openai.APIConnectionError):
            reason = "the AI provider could not be reached (after retries)"
        elif isinstance(exc, openai.RateLimitError):
            reason = "the AI provider is rate limiting requests (429, after retries); try later"
        elif isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            reason = (
                f"the AI provider refused the API key ({exc.status_code}); check OPENAI_API_KEY"
            )
        elif isinstance(exc, openai.APIStatusError):
            reason = f"the AI provider answered {exc.status_code}: {_short(exc.message)}"
        else:
            reason = f"the AI provider failed: {_short(str(exc))}"
        reason = redact(reason, self._key)
        log.warning("AI provider failure: %s", reason)
        return AIProviderError(reason)


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
