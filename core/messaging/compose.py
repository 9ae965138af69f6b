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

_HREF = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(.*?)\2""", re.I | re.S)
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

        def sign(kind: str, arg: int = 0) -> str:
            return self.signer.sign(kind, key, arg, expires)

        unsubscribe_url = self.url("u", sign("u"))
        context = {
            "customer": customer,
            "metrics": metrics,
            "preferences": preferences,
            "unsubscribe_url": unsubscribe_url,
            "view_in_browser_url": self.url("v", sign("v")),
        }
        parts = compiled.render(context)
        html = parts.get("html", "")
        if unsubscribe_url not in html:
            html = _before_body_end(
                html,
                '<p style="font-size:12px;color:#888">'
                f'<a href="{unsubscribe_url}">Unsubscribe</a></p>',
            )
        text = parts.get("text") or None
        if text is not None and unsubscribe_url not in text:
            text += f"\n\nUnsubscribe: {unsubscribe_url}"
        links: list[str] = []
        index: dict[str, int] = {}

        def track(match: re.Match) -> str:
            url = htmllib.unescape(match.group(3)).strip()
            if not url.lower().startswith(("http://", "https://")) or url.startswith(self._own):
                return match.group(0)
            position = index.get(url)
            if position is None:
                position = index[url] = len(links)
                links.append(url)
            quote = match.group(2)
            return f"{match.group(1)}{quote}{self.url('c', sign('c', position))}{quote}"

        html = _HREF.sub(track, html)
        preheader = parts.get("preheader", "").strip()
        if preheader:
            html = _after_body_start(
                html,
                '<div style="display:none;max-height:0;overflow:hidden">'
                f"{htmllib.escape(preheader)}</div>",
            )
        pixel = self.url("o", sign("o"))
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


def _before_body_end(html: str, snippet: str) -> str:
    at = html.lower().rfind("</body>")
    return html + snippet if at < 0 else html[:at] + snippet + html[at:]


def _after_body_start(html: str, snippet: str) -> str:
    match = _BODY_OPEN.search(html)
    return snippet + html if match is None else html[: match.end()] + snippet + html[match.end() :]


def text_of(html: str, text: str | None) -> str:
    """The text part: the stored one, or derived from the HTML (which has the unsubscribe link)."""
    return text if text is not None else html_to_text(html)
