"""Campaign request and response models.

The simple form is `{"name", "segment_id", "channel": "email", "subject", "html"}` (push: `"title",
"body"`). The richer form gives `steps` (one per A/B variant, with split percentages) and an
`ab_test`, or a `flow_id` (launching enrols the audience in that flow), a send rate and a schedule.

Steps may name their own `channel`: the campaign's channel (the first step's) is its primary one,
whose steps are the A/B variants; one step on the other channel goes to the same audience too.
"""

import datetime as dt
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from core.schemas.common import STRICT
from core.timeutil import UtcDatetime

Channel = Literal["email", "push"]


class StepIn(BaseModel):
    """One message: the campaign's content, or one A/B variant of it."""

    model_config = STRICT

    # None: the campaign's channel. Another channel sends this step as well, to every recipient.
    channel: Channel | None = None
    variant: str = Field(default="A", min_length=1, max_length=10, pattern=r"^[A-Za-z0-9_-]+$")
    split_percent: int = Field(default=100, ge=1, le=100)
    subject: str = Field(default="", max_length=500)
    preheader: str = Field(default="", max_length=500)
    html: str = Field(default="", max_length=500_000)
    text: str | None = Field(default=None, max_length=200_000)
    title: str = Field(default="", max_length=200)
    body: str = Field(default="", max_length=10_000)
    deep_link: str | None = Field(default=None, max_length=2000)


class AbTestIn(BaseModel):
    model_config = STRICT

    # Share of the audience that gets the variants first; the winner goes to the rest.
    test_percent: int = Field(ge=1, le=100)
    winner_metric: Literal["open", "click"] = "open"
    wait_seconds: int = Field(default=4 * 3600, ge=1, le=30 * 86400)


def check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {value!r}; use an IANA name like Europe/Paris") from exc
    return value


class ScheduleIn(BaseModel):
    """When to send: `{"date", "time", "timezone"}` (local wall time), or `{"send_at"}` (UTC)."""

    model_config = STRICT

    date: dt.date | None = None
    time: dt.time | None = None
    timezone: str = Field(default="UTC", max_length=64)
    send_at: UtcDatetime | None = None

    _tz = field_validator("timezone")(check_timezone)

    @model_validator(mode="after")
    def _one_form(self) -> "ScheduleIn":
        if self.send_at is None and (self.date is None or self.time is None):
            raise ValueError("give either send_at, or date and time (with a timezone)")
        if self.send_at is not None and (self.date is not None or self.time is not None):
            raise ValueError("give either send_at or date and time, not both")
        return self

    def utc(self) -> datetime:
        if self.send_at is not None:
            return self.send_at
        local = datetime.combine(self.date, self.time, tzinfo=ZoneInfo(self.timezone))
        return local.astimezone(UTC)


class _Content(BaseModel):
    """The simple form's content fields (a single step)."""

    subject: str | None = Field(default=None, max_length=500)
    preheader: str | None = Field(default=None, max_length=500)
    html: str | None = Field(default=None, max_length=500_000)
    text: str | None = Field(default=None, max_length=200_000)
    title: str | None = Field(default=None, max_length=200)
    body: str | None = Field(default=None, max_length=10_000)
    deep_link: str | None = Field(default=None, max_length=2000)

    steps: list[StepIn] | None = Field(default=None, max_length=10)
    ab_test: AbTestIn | None = None

    def simple_fields_set(self) -> bool:
        names = ("subject", "preheader", "html", "text", "title", "body", "deep_link")
        return any(getattr(self, n) is not None for n in names)

    def content_given(self) -> bool:
        return self.steps is not None or self.simple_fields_set()

    def build_steps(self) -> list[StepIn]:
        if self.steps is not None:
            return self.steps
        values = {
            n: getattr(self, n)
            for n in ("subject", "preheader", "html", "text", "title", "body", "deep_link")
            if getattr(self, n) is not None
        }
        return [StepIn(**values)] if values else []

    def check_content(self, channel: str | None = None) -> None:
        if self.steps is not None and self.simple_fields_set():
            raise ValueError("give the content either as steps or as subject/html/title/body")
        steps = self.steps or []
        primary = channel or (steps[0].channel if steps and steps[0].channel else None)
        # Without a known primary channel (an edit), a later step naming a channel is the other.
        others = [
            s
            for i, s in enumerate(steps)
            if s.channel is not None and (s.channel != primary if primary else i > 0)
        ]
        for i, step in enumerate(steps):
            if step.channel == "push" and not (step.title.strip() and step.body.strip()):
                raise ValueError(f"steps[{i}]: a push step needs a title and a body")
        if steps and steps[0].channel is not None and steps[0].channel != primary:
            raise ValueError("steps[0].channel: the first step is on the campaign's channel")
        if len({s.channel for s in others}) != len(others):
            raise ValueError("steps: give one step per channel besides the campaign's own")
        steps = [s for s in steps if all(s is not o for o in others)]  # the A/B variants
        variants = [s.variant for s in steps]
        if len(set(variants)) != len(variants):
            raise ValueError("steps: each step needs a distinct variant name")
        if self.ab_test is not None and self.steps is not None:
            if len(steps) < 2:
                raise ValueError("steps: an A/B test needs at least two variants")
            if sum(s.split_percent for s in steps) != 100:
                raise ValueError("steps: the variants' split_percent must add up to 100")
        elif self.steps is not None and len(steps) > 1:
            raise ValueError("steps: several variants need an ab_test (test_percent, metric)")


class CampaignCreate(_Content):
    model_config = STRICT

    name: str = Field(min_length=1, max_length=200)
    segment_id: int | None = None
    channel: Channel = "email"
    flow_id: int | None = None
    send_rate_per_second: int | None = Field(default=None, ge=1, le=100_000)
    schedule: ScheduleIn | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "CampaignCreate":
        if "channel" not in self.model_fields_set and self.steps and self.steps[0].channel:
            self.channel = self.steps[0].channel  # the first step's channel is the primary one
        self.check_content(self.channel)
        if self.ab_test is not None and self.steps is None:
            raise ValueError("ab_test: give the variants as steps")
        if self.flow_id is not None and (self.ab_test is not None or self.content_given()):
            raise ValueError("flow_id: a flow campaign sends the flow's messages, not its own")
        return self


class CampaignUpdate(_Content):
    """All optional; only what is given changes (content only while draft or scheduled)."""

    model_config = STRICT

    name: str | None = Field(default=None, min_length=1, max_length=200)
    segment_id: int | None = None
    channel: Channel | None = None
    flow_id: int | None = None
    send_rate_per_second: int | None = Field(default=None, ge=1, le=100_000)

    @model_validator(mode="after")
    def _consistent(self) -> "CampaignUpdate":
        self.check_content(self.channel)
        return self


class StepPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int
    channel: str
    variant: str
    split_percent: int
    subject: str
    preheader: str
    html: str
    text: str | None = None
    title: str
    body: str
    deep_link: str | None = None


class AbTestPublic(BaseModel):
    test_percent: int
    winner_metric: str
    wait_seconds: int
    winner_step_id: int | None = None


class CampaignPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    status: str
    kind: str  # standard | ab_test | flow
    channel: str
    segment_id: int | None = None
    flow_id: int | None = None
    audience_id: int | None = None
    scheduled_at: UtcDatetime | None = None
    schedule_timezone: str | None = None
    send_rate_per_second: int | None = None
    steps: list[StepPublic] = []
    ab_test: AbTestPublic | None = None
    workflow_id: str
    temporal_url: str
    total: int
    sent: int
    failed: int
    skipped: int
    error: str | None = None
    started_at: UtcDatetime | None = None
    completed_at: UtcDatetime | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class ProgressPublic(BaseModel):
    campaign_id: int
    status: str
    total: int
    sent: int
    failed: int
    skipped: int
    remaining: int
    rate_per_second: float  # messages handled per second since sending started
    eta_seconds: float | None = None
    source: Literal["workflow", "database"]  # live query, or the row once the run has closed


class VariantStats(BaseModel):
    step_id: int
    variant: str
    sent: int
    opened: int
    clicked: int


class ChannelStats(BaseModel):
    channel: str
    total: int
    sent: int
    failed: int
    skipped: int
    opened: int
    clicked: int


class StatsPublic(BaseModel):
    campaign_id: int
    total: int  # messages in the log
    pending: int
    sent: int
    delivered: int
    failed: int
    skipped: int
    opened: int
    clicked: int
    unsubscribed: int
    delivery_rate: float
    open_rate: float
    click_rate: float
    unsubscribe_rate: float
    variants: list[VariantStats] = []
    channels: list[ChannelStats] = []


class TestSendIn(BaseModel):
    model_config = STRICT

    emails: list[EmailStr] = Field(min_length=1, max_length=20)
    variant: str | None = Field(default=None, max_length=10)


class TestSendResult(BaseModel):
    sent: int
    failed: int
    skipped: int
    workflow_id: str
