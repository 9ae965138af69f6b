"""Flow and flow-run request/response models (the definition itself is core.flows.definition)."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.flows.definition import (
    EventName,
    FlowDefinition,
    QuietHours,
    Reentry,
    Step,
    Text,
    Trigger,
)
from core.schemas.common import STRICT
from core.timeutil import UtcDatetime

FlowCreate = FlowDefinition

DbId = Annotated[int, Field(gt=0, le=2_147_483_647)]  # fits every backend's integer key


class FlowUpdate(BaseModel):
    """Any part of the definition; the result is validated as a whole."""

    model_config = STRICT

    name: Text | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    trigger: Trigger | None = None
    reentry: Reentry | None = None
    exit_events: list[EventName] | None = Field(default=None, max_length=20)
    quiet_hours: QuietHours | None = None
    steps: list[Step] | None = Field(default=None, min_length=1)


class FlowPublic(BaseModel):
    id: int
    name: str
    description: str
    status: str
    trigger: dict[str, Any]
    reentry: str
    exit_events: list[str]
    quiet_hours: dict[str, Any] | None
    steps: list[dict[str, Any]]
    version: int | None = None  # the published version new runs get
    created_at: UtcDatetime
    updated_at: UtcDatetime


class FlowVersionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    definition: dict[str, Any]
    published_at: UtcDatetime


class EnrollRequest(BaseModel):
    model_config = STRICT

    customer_ids: list[DbId] | None = Field(default=None, min_length=1, max_length=10_000)
    segment_id: DbId | None = None

    @model_validator(mode="after")
    def _one_of(self) -> "EnrollRequest":
        if (self.customer_ids is None) == (self.segment_id is None):
            raise ValueError("give customer_ids or segment_id")
        return self


class EnrollResult(BaseModel):
    enrolled: int  # runs started
    skipped: int  # already in the flow (once_at_a_time) or refused (once_ever)
    workflow_ids: list[str]
    cohort_id: int | None = None  # set when they entered together as one cohort run


class FlowRunMessage(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    step_key: str | None
    channel: str
    status: str
    subject: str | None
    skip_reason: str | None
    sent_at: UtcDatetime | None
    created_at: UtcDatetime


class FlowRunStep(BaseModel):
    key: str
    type: str
    at: UtcDatetime
    outcome: str
    message_id: int | None = None


class FlowRunPublic(BaseModel):
    id: int
    flow_id: int
    flow_version: int
    customer_id: int
    workflow_id: str
    cohort_id: int | None = None  # a cohort run's member: workflow_id is the cohort's
    entered_via: str
    status: str
    current_step: str | None
    next_wake_at: UtcDatetime | None
    exit_reason: str | None
    started_at: UtcDatetime
    finished_at: UtcDatetime | None
    temporal_url: str


class FlowRunDetail(FlowRunPublic):
    steps_done: list[FlowRunStep] = Field(default_factory=list)
    messages: list[FlowRunMessage] = Field(default_factory=list)
    live: bool = False  # True when the state came from the running workflow (a query)
