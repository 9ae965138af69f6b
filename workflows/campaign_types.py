"""Inputs, state and results of the campaign workflow and its activities (one type per call, so
they can grow without breaking recorded histories). Plain dataclasses: safe in the sandbox."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class CampaignRunState:
    """Everything a run carries over continue-as-new."""

    status: str = "scheduled"  # scheduled | sending | paused | completed | cancelled | failed
    send_at: datetime | None = None
    phase: str = "wait"  # wait | send | ab_test | ab_wait | ab_rest | done
    audience_id: int | None = None
    total: int = 0
    # Per lane (customer_id % lanes), the last customer_id handled in the current phase.
    cursors: list[int] = field(default_factory=list)
    lanes_done: list[bool] = field(default_factory=list)
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    sending_started_at: datetime | None = None
    ab_decide_at: datetime | None = None
    winner_step_id: int | None = None
    cancelled: bool = False
    runs: int = 1  # runs in the continue-as-new chain so far
    batches: int = 0  # batch activities over the whole chain
    error: str | None = None


@dataclass
class CampaignWorkflowInput:
    campaign_id: int
    kind: str = "standard"  # standard | ab_test | flow
    send_at: datetime | None = None  # None: now
    flow_id: int | None = None
    rate_per_second: int | None = None  # throttle; None: as fast as the workers go
    batch_size: int = 1000
    # Batches in flight at once, each paging its own share of the audience (customer_id % lanes):
    # one lane renders while another waits on the database or Temporal.
    lanes: int = 2
    max_batches_per_run: int = 200  # rounds of batches; continue-as-new at this bound
    ab_test_percent: int | None = None
    ab_wait_seconds: int | None = None
    ab_winner_metric: str = "open"
    state: CampaignRunState | None = None


@dataclass
class CampaignProgress:
    campaign_id: int
    status: str
    total: int
    sent: int
    failed: int
    skipped: int
    remaining: int
    rate_per_second: float
    eta_seconds: float | None = None


@dataclass
class RescheduleInput:
    send_at: datetime | None = None  # None: send now


@dataclass
class SnapshotInput:
    campaign_id: int
    as_of: datetime


@dataclass
class SnapshotResult:
    audience_id: int
    total: int


@dataclass
class SendBatchInput:
    campaign_id: int
    audience_id: int
    after_customer_id: int
    limit: int
    lane: int = 0  # this batch pages customers with customer_id % lanes == lane
    lanes: int = 1
    # all: every member gets the single step; ab_test: the test group gets the variants;
    # ab_rest: everyone outside the test group gets winner_step_id.
    phase: str = "all"
    ab_test_percent: int | None = None
    winner_step_id: int | None = None


@dataclass
class SendBatchResult:
    scanned: int  # audience members read (a short page ends the phase)
    last_customer_id: int
    attempted: int  # recipients handed to the sender in this phase
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    pending: int = 0


@dataclass
class MirrorInput:
    campaign_id: int
    status: str
    total: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    audience_id: int | None = None
    scheduled_at: datetime | None = None
    error: str | None = None


@dataclass
class WinnerInput:
    campaign_id: int
    metric: str = "open"


@dataclass
class TestSendInput:
    campaign_id: int
    emails: list[str] = field(default_factory=list)
    variant: str | None = None
    run_key: str = ""  # makes the test messages' idempotency keys unique per request
