"""Rendering a content for one customer, as a marketer previews it (nothing is stored or sent)."""

from sqlmodel import Session

from core.config import Settings
from core.messaging.sender import MessageContent
from core.messaging.templates import CUSTOMER_FIELDS, METRICS_FIELDS, compile_content, html_to_text
from core.models import Customer, CustomerMetrics, CustomerPreferences


def render_preview(
    session: Session, settings: Settings, content: MessageContent, customer: Customer
) -> dict:
    metrics = session.get(CustomerMetrics, customer.id)
    prefs = session.get(CustomerPreferences, customer.id)
    base = settings.public_url.rstrip("/")
    context = {
        "customer": {name: getattr(customer, name) for name in CUSTOMER_FIELDS},
        "metrics": {name: getattr(metrics, name, None) for name in METRICS_FIELDS},
        "preferences": {
            "email_opt_in": bool(prefs and prefs.email_opt_in),
            "push_opt_in": bool(prefs and prefs.push_opt_in),
        },
        # Placeholders: a preview must not carry working links for a real customer.
        "unsubscribe_url": f"{base}/u/preview",
        "view_in_browser_url": f"{base}/t/v/preview",
    }
    parts = compile_content(content).render(context)
    out = {"channel": content.channel, **parts}
    if content.channel == "email":
        out["text"] = parts.get("text") or html_to_text(parts.get("html", ""))
    return out
