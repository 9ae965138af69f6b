"""The message log and templates, as the API shows and accepts them."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.schemas.common import STRICT
from core.timeutil import UtcDatetime

MessageStatus = Literal["pending", "sent", "failed", "skipped"]


class MessagePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    idempotency_key: str
    customer_id: int
    channel: str
    status: str
    campaign_id: int | None
    campaign_step_id: int | None
    flow_id: int | None
    flow_run_id: int | None
    step_key: str | None
    to_address: str | None
    subject: str | None
    provider_message_id: str | None
    attempts: int
    last_error: str | None
    skip_reason: str | None
    open_count: int
    click_count: int
    first_opened_at: UtcDatetime | None
    first_clicked_at: UtcDatetime | None
    unsubscribed_at: UtcDatetime | None
    created_at: UtcDatetime
    sent_at: UtcDatetime | None
    updated_at: UtcDatetime


class MessageDetail(MessagePublic):
    """A message as it was rendered: the outbox's 'mail catcher' view."""

    preheader: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    html: str | None
    text: str | None  # derived from the HTML when the template had no text part
    payload: dict[str, Any] | None  # push: title, body, deep_link, device tokens
    # The only URLs the click redirect goes to (null: a link of the template not in this one).
    links: list[str | None] | None


class TemplateContent(BaseModel):
    """A message's templates (Jinja2). Email: subject, preheader, html, text; push: title, body,
    deep_link."""

    model_config = STRICT

    channel: Literal["email", "push"] = "email"
    subject: str = Field(default="", max_length=500)
    preheader: str = Field(default="", max_length=500)
    html: str = Field(default="", max_length=500_000)
    text: str | None = Field(default=None, max_length=500_000)
    title: str = Field(default="", max_length=200)
    body: str = Field(default="", max_length=5_000)
    deep_link: str | None = Field(default=None, max_length=2_000)


class TemplateCheck(BaseModel):
    valid: bool
    errors: list[str]


class TemplatePreviewRequest(BaseModel):
    model_config = STRICT

    content: TemplateContent
    customer_id: int = Field(gt=0)


class TemplatePreview(BaseModel):
    channel: str
    subject: str = ""
    preheader: str = ""
    html: str = ""
    text: str = ""
    title: str = ""
    body: str = ""
    deep_link: str | None = None
