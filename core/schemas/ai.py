"""AI request and response models. Every draft is what the matching create endpoint accepts, so
the UI applies it with one click (nothing is saved until it does)."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.flows.definition import FlowDefinition
from core.schemas.campaign import CampaignCreate
from core.schemas.common import STRICT

MAX_PROMPT_CHARS = 2000
MAX_CHAT_MESSAGE_CHARS = 4000
MAX_CHAT_MESSAGES = 30
MAX_CHAT_TOTAL_CHARS = 20_000


def _bounded(value: str, limit: int, name: str) -> str:
    if not value.strip():
        raise ValueError(f"{name} is empty: describe what you want in a few words")
    if len(value) > limit:
        raise ValueError(f"{name} is {len(value)} characters; the limit is {limit}")
    return value.strip()


class SegmentPrompt(BaseModel):
    model_config = STRICT

    prompt: str = Field(description=f"what the segment is, in words (1-{MAX_PROMPT_CHARS} chars)")

    @field_validator("prompt")
    @classmethod
    def _size(cls, value: str) -> str:
        return _bounded(value, MAX_PROMPT_CHARS, "prompt")


class GoalPrompt(BaseModel):
    model_config = STRICT

    goal: str = Field(description=f"the goal, in words (1-{MAX_PROMPT_CHARS} chars)")

    @field_validator("goal")
    @classmethod
    def _size(cls, value: str) -> str:
        return _bounded(value, MAX_PROMPT_CHARS, "goal")


class SegmentDraft(BaseModel):
    """The body of `POST /api/segments` plus why: criteria already checked against the registry."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    criteria: dict[str, Any]
    explanation: str = Field(default="", max_length=2000)


class SegmentSuggestion(SegmentDraft):
    count: int = Field(description="customers matching now")
    provider: str


class FlowSuggestion(BaseModel):
    flow: FlowDefinition = Field(description="the body of POST /api/flows")
    explanation: str = ""
    provider: str


class Timing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: list[
        Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    ] = Field(min_length=1, max_length=7)
    local_time: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    timezone: Literal["customer", "store"] = "customer"
    rationale: str = Field(default="", max_length=1000)


class AbIdea(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    variant_a: str = Field(min_length=1, max_length=500)
    variant_b: str = Field(min_length=1, max_length=500)
    metric: Literal["open", "click"] = "open"
    hypothesis: str = Field(default="", max_length=1000)


class CampaignPlan(BaseModel):
    """Audience, timing, subject lines, A/B ideas and a ready campaign draft. To apply: create
    the segment from `audience`, then the campaign from `campaign` with that segment_id."""

    model_config = ConfigDict(extra="forbid")

    audience: SegmentDraft
    channel: Literal["email", "push"] = "email"
    timing: Timing
    subject_lines: list[str] = Field(min_length=1, max_length=6)
    ab_ideas: list[AbIdea] = Field(default_factory=list, max_length=5)
    campaign: CampaignCreate = Field(description="POST /api/campaigns without segment_id")
    explanation: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _consistent(self) -> "CampaignPlan":
        if self.campaign.channel != self.channel:
            raise ValueError("campaign.channel must equal channel")
        if self.campaign.segment_id is not None or self.campaign.flow_id is not None:
            raise ValueError("campaign: leave segment_id and flow_id out of a draft")
        return self


class CampaignStrategy(CampaignPlan):
    audience_count: int
    provider: str


class ChatMessage(BaseModel):
    model_config = STRICT

    role: Literal["user", "assistant"]
    content: str

    @field_validator("content")
    @classmethod
    def _size(cls, value: str) -> str:
        return _bounded(value, MAX_CHAT_MESSAGE_CHARS, "content")


class ChatRequest(BaseModel):
    model_config = STRICT

    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_CHAT_MESSAGES)

    @model_validator(mode="after")
    def _shape(self) -> "ChatRequest":
        if self.messages[-1].role != "user":
            raise ValueError("the last message must be the user's")
        total = sum(len(m.content) for m in self.messages)
        if total > MAX_CHAT_TOTAL_CHARS:
            raise ValueError(
                f"the conversation is {total} characters; the limit is {MAX_CHAT_TOTAL_CHARS}"
            )
        return self


class Proposal(BaseModel):
    """Something the UI can apply with one click; the assistant never applies it itself."""

    kind: Literal["segment", "flow", "campaign"]
    title: str
    data: SegmentSuggestion | FlowSuggestion | CampaignStrategy
