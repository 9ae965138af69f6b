"""Turning a compiled content into one recipient's email: rendered parts, tracked links, headers.

Links in the HTML are rewritten to signed click URLs (`/t/c/{token}`); the original URLs are
returned as the message's allowed links, so the click redirect can only go where the email did.
Every email gets a signed unsubscribe link (a footer is added when the template has none),
`List-Unsubscribe` + `List-Unsubscribe-Post` (RFC 8058), an open pixel and a stable Message-ID.
"""

import hashlib
import html as htmllib
import re
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from core.config import Settings
from core.messaging.templates import CompiledContent, html_to_text
from core.messaging.tokens import LinkSigner

_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.I)


@dataclass(slots=True)
class ComposedEmail:
    subject: str
    preheader: str
    html: str
    text: str | None  # None: derive with text_of(html)
    headers: dict[str, str]
    links: list[str]


class EmailComposer:
    def __init__(self, settings: Settings, signer: LinkSigner):
        self.base = settings.public_url.rstrip("/")
        self.signer = signer
        address = parseaddr(settings.email_from)[1]
        self.domain = address.rpartition("@")[2] or "nudge.local"
        self._own = (self.base + "/u/", self.base + "/t/")
        self._click = self.base + "/t/c/"

    def url(self, kind: str, token: str) -> str:
        prefix = "/u/" if kind == "u" else f"/t/{kind}/"
        return f"{self.base}{prefix}{token}"

    def message_id(self, idempotency_key: str) -> str:
        """The same Message-ID for every attempt at one message, so receivers can drop a resend."""
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
        return f"<{digest}@{self.domain}>"

    def compose(
        self,
        compiled: CompiledContent,
        key: str,
        customer: dict[str, Any],
        metrics: dict[str, Any],
        preferences: dict[str, Any],
        expires: int | None = None,
    ) -> ComposedEmail:
        """Render one email. `text` is None when the content has no text part: it is derived
        from the final HTML when needed (SMTP, viewing), not stored for every outbox message."""
        expires = expires or self.signer.expiry()
        unsubscribe_url = self.url("u", self.signer.sign("u", key, expires))
        tracking = self.signer.sign("t", key, expires)
        context = {
            "customer": customer,
            "metrics": metrics,
            "preferences": preferences,
            "unsubscribe_url": unsubscribe_url,
            "view_in_browser_url": self.url("v", tracking),
        }
        click = f"{self._click}{tracking}."
        tracker = _Tracker(click, self._own, compiled.static_links)
        context["_links"] = tracker
        context["_click"] = click
        parts = compiled.render(context)
        html = parts.get("html", "")
        links = tracker.finish(html)
        if unsubscribe_url not in html:
            html = _before_body_end(
                html,
                '<p style="font-size:12px;color:#888">'
                f'<a href="{unsubscribe_url}">Unsubscribe</a></p>',
            )
        text = parts.get("text") or None
        if text is not None and unsubscribe_url not in text:
            text += f"\n\nUnsubscribe: {unsubscribe_url}"
        preheader = parts.get("preheader", "").strip()
        if preheader:
            html = _after_body_start(
                html,
                '<div style="display:none;max-height:0;overflow:hidden">'
                f"{htmllib.escape(preheader)}</div>",
            )
        pixel = self.url("o", tracking)
        html = _before_body_end(
            html, f'<img src="{pixel}" width="1" height="1" alt="" style="display:none">'
        )
        headers = {
            "Message-ID": self.message_id(key),
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        subject = " ".join(parts.get("subject", "").split())  # never a header line break
        return ComposedEmail(subject, preheader, html, text, headers, links)


class _Tracker:
    """Per recipient: turns link URLs into signed click URLs and lists the links sent."""

    __slots__ = ("links", "_index", "_click", "_own", "_static")

    def __init__(self, click_prefix: str, own: tuple[str, ...], static: list[str]):
        self.links: list[str | None] = [None] * len(static)
        self._static = static
        self._index: dict[str, int] = {url: i for i, url in enumerate(static)} if static else {}
        self._click, self._own = click_prefix, own

    def finish(self, html: str) -> list[str | None]:
        """The links of this message: a literal link of the template counts only if it was
        rendered (not in an untaken `if`), so the redirect never leads to one it did not show."""
        for position, url in enumerate(self._static):
            if self.links[position] is None:
                end = f"{self._click}{position}"
                at = html.find(end)
                while at >= 0 and html[at + len(end) : at + len(end) + 1].isdigit():
                    at = html.find(end, at + 1)  # ...t.1 is not ...t.10
                if at >= 0:
                    self.links[position] = url
        return self.links

    def __call__(self, value):
        """A link built from variables (compiled to a `_track` filter block)."""
        url = str(value).strip()
        if "&" in url:
            url = htmllib.unescape(url)
        if not url[:8].lower().startswith(("http://", "https://")) or url.startswith(self._own):
            return value  # mailto:, anchors, our own unsubscribe / web-view links
        position = self._index.get(url)
        if position is None:
            position = self._index[url] = len(self.links)
            self.links.append(url)
        else:
            self.links[position] = url
        return f"{self._click}{position}"


def _before_body_end(html: str, snippet: str) -> str:
    at = html.rfind("</body>")
    if at < 0:
        at = html.lower().rfind("</body>")
    return html + snippet if at < 0 else html[:at] + snippet + html[at:]


def _after_body_start(html: str, snippet: str) -> str:
    start = html.find("<body")
    if start < 0:
        match = _BODY_OPEN.search(html)  # e.g. <BODY>
        start = match.start() if match else -1
    end = html.find(">", start) + 1 if start >= 0 else 0
    return html[:end] + snippet + html[end:]


def text_of(html: str, text: str | None) -> str:
    """The text part: the stored one, or derived from the HTML (which has the unsubscribe link)."""
    return text if text is not None else html_to_text(html)
