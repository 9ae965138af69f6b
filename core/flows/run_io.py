"""The data a flow-run workflow exchanges with its starters, its activities and the API.

Kept free of database and Temporal imports so the workflow sandbox can pass it through.
Fields are only ever added (with defaults), never renamed: recorded histories must still decode.
"""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

EnteredVia = Literal["event", "segment", "manual", "campaign"]
RunStatus = Literal["running", "waiting", "paused", "completed", "exited", "cancelled", "failed"]
FINISHED_STATUSES = ("completed", "exited", "cancelled", "failed")


class FlowRunInput(BaseModel):
    """What a run starts with: its frozen definition (a FlowVersion's) and who it is for."""

    flow_id: int
    flow_version_id: int
    version: int
    customer_id: int
    definition: dict[str, Any]  # FlowDefinition.model_dump(), frozen at publish time
    entered_via: EnteredVia = "manual"
    entry_key: str | None = None
    # How long a send held by a paused flow waits before checking the flow again.
    hold_poll_seconds: int = 300
    # Start-to-close timeout of each step's activity: after a worker dies mid-step, the step is
    # retried (and finds its message row already claimed) once this has passed.
    step_timeout_seconds: int = 60


class EntrySignal(BaseModel):
    """Sent with every start (signal-with-start); a run that is already going just notes it."""

    entered_via: EnteredVia = "manual"
    event_id: int | None = None


class ExitSignal(BaseModel):
    reason: str = "exit_event"
    status: Literal["exited", "cancelled"] = "exited"


class RunRef(BaseModel):
    """Identifies the database row of a run (created by its first activity)."""

    flow_id: int
    flow_version_id: int
    customer_id: int
    workflow_id: str
    temporal_run_id: str
    entered_via: EnteredVia = "manual"
    entry_key: str | None = None


class RunState(BaseModel):
    """The run's state to record once the activity is done."""

    status: RunStatus = "running"
    current_step: str | None = None
    next_wake_at: datetime | None = None
    exit_reason: str | None = None


class FlowStepInput(BaseModel):
    ref: RunRef
    step_key: str | None = None
    # SEND_EMAIL / SEND_PUSH step (the definition's dict) to send; None records state only.
    send: dict[str, Any] | None = None
    state: RunState = Field(default_factory=RunState)


class FlowStepResult(BaseModel):
    run_id: int
    # sent | skipped | failed (the message's status) | held (flow paused) | ended (archived)
    # | recorded (no send)
    outcome: str
    message_id: int | None = None
    detail: str | None = None
    timezone: str | None = None  # the customer's, for local-time waits and quiet hours


class ConditionInput(BaseModel):
    ref: RunRef
    step_key: str
    criteria: dict[str, Any]
    as_of: datetime


class StepDone(BaseModel):
    key: str
    type: str
    at: datetime
    outcome: str
    message_id: int | None = None


class FlowRunView(BaseModel):
    """The workflow's answer to the `state` query."""

    run_id: int | None = None
    status: RunStatus = "running"
    current_step: str | None = None
    next_wake_at: datetime | None = None
    exit_reason: str | None = None
    steps_done: list[StepDone] = Field(default_factory=list)


class SegmentEntryInput(BaseModel):
    """One check of a segment-triggered flow for customers who newly match."""

    flow_id: int
    batch_size: int = 500
    max_entries: int = 10_000  # per check; the next check goes on from there


class EnrollAudienceInput(BaseModel):
    """The campaign hook: enrol a snapshotted audience in a flow (`enroll_audience_in_flow`)."""

    flow_id: int
    audience_id: int
    campaign_id: int | None = None


class CohortInput(BaseModel):
    """A cohort's walk from instruction `pc` of its version's compiled steps."""

    flow_id: int
    flow_version_id: int
    version: int
    cohort_id: int
    definition: dict[str, Any]
    pc: int = 0
    step_timeout_seconds: int = 600
    # A batch send heartbeats per page: a dead worker's step is retried after this.
    heartbeat_timeout_seconds: int = 120
    hold_poll_seconds: int = 300


class CohortStepInput(BaseModel):
    cohort_id: int
    flow_id: int
    step_key: str | None = None
    send: dict[str, Any] | None = None  # a SEND step to send to every active member
    state: RunState = Field(default_factory=RunState)  # the active members' state afterwards
    batch_size: int = 500


class CohortStepResult(BaseModel):
    outcome: str  # sent | held | ended | recorded
    active: int = 0  # members still in the cohort
    sent: int = 0
    skipped: int = 0
    failed: int = 0


class CohortSplitInput(BaseModel):
    """Move some active members into a new cohort: those NOT matching `criteria` (as of
    `as_of`), or those whose time zone is in `zones`."""

    cohort_id: int
    step_key: str
    criteria: dict[str, Any] | None = None
    as_of: datetime | None = None
    zones: list[str] | None = None


class CohortSplitResult(BaseModel):
    new_cohort_id: int | None = None  # None: nobody moved
    workflow_id: str | None = None
    moved: int = 0
    remaining: int = 0
