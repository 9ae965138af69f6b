"""Push through an HTTP provider: one JSON POST per message, to PUSH_URL with PUSH_AUTH_HEADER.

Body: {"message_id", "tokens", "title", "body", "deep_link"}; the `Idempotency-Key` header is the
message's key, so a provider that honours it drops a resend. 2xx sent; 408, 429 and 5xx (and
network errors) transient; any other 4xx permanent.
"""

import asyncio

import httpx

from core.config import Settings
from core.messaging.channel import DeliveryResult, PushEnvelope


def parse_auth_header(value: str | None) -> dict[str, str]:
    """`Name: value` (e.g. `X-Api-Key: abc`), or a bare value meaning `Authorization: value`."""
    if not value:
        return {}
    name, sep, rest = value.partition(":")
    if sep and name.strip() and " " not in name.strip():
        return {name.strip(): rest.strip()}
    return {"Authorization": value.strip()}


class HttpPush:
    name = "http"
    chunk_size = 100

    def __init__(
        self, url: str, auth_header: str | None = None, concurrency: int = 8, timeout: float = 10.0
    ):
        if not url or not url.startswith(("http://", "https://")):
            raise ValueError("PUSH_URL must be an http(s) URL when PUSH_CHANNEL=http")
        self.url = url
        self.headers = parse_auth_header(auth_header)
        self.concurrency = concurrency
        self.timeout = timeout
        self._client: httpx.AsyncClient | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "HttpPush":
        return cls(settings.push_url or "", settings.push_auth_header)

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=self.timeout,
                headers=self.headers,
                limits=httpx.Limits(max_connections=self.concurrency),
            )
        return self._client

    async def deliver(self, envelopes: list[PushEnvelope]) -> list[DeliveryResult]:
        gate = asyncio.Semaphore(self.concurrency)

        async def one(envelope: PushEnvelope) -> DeliveryResult:
            async with gate:
                return await self._send(envelope)

        return list(await asyncio.gather(*(one(e) for e in envelopes)))

    async def _send(self, envelope: PushEnvelope) -> DeliveryResult:
        body = {
            "message_id": envelope.message_key,
            "tokens": envelope.tokens,
            "title": envelope.title,
            "body": envelope.body,
            "deep_link": envelope.deep_link,
        }
        try:
            response = await self._http().post(
                self.url, json=body, headers={"Idempotency-Key": envelope.message_key}
            )
        except httpx.HTTPError as exc:
            return DeliveryResult("retry", f"push provider unreachable: {type(exc).__name__}")
        detail = f"push provider answered {response.status_code}: {response.text[:200]}"
        if response.is_success:
            provider_id = None
            try:
                data = response.json()
                if isinstance(data, dict) and data.get("id") is not None:
                    provider_id = str(data["id"])
            except ValueError:
                pass
            return DeliveryResult("sent", provider_message_id=provider_id)
        if response.status_code in (408, 429) or response.status_code >= 500:
            return DeliveryResult("retry", detail)
        return DeliveryResult("failed", detail)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
