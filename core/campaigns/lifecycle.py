"""Campaign lifecycle: draft → scheduled → sending ⇄ paused → completed, or cancelled / failed.

One table of legal transitions, checked by the API (a 409 with the reason) and by the workflow's
update validators (which reject before anything is written to history).
"""

DRAFT = "draft"
SCHEDULED = "scheduled"
SENDING = "sending"
PAUSED = "paused"
COMPLETED = "completed"
CANCELLED = "cancelled"
FAILED = "failed"

STATUSES = (DRAFT, SCHEDULED, SENDING, PAUSED, COMPLETED, CANCELLED, FAILED)
CLOSED = frozenset({COMPLETED, CANCELLED, FAILED})
RUNNING = frozenset({SCHEDULED, SENDING, PAUSED})  # a workflow exists and is open

# action → the statuses it is allowed from
ALLOWED_FROM: dict[str, frozenset[str]] = {
    "schedule": frozenset({DRAFT, SCHEDULED}),
    "launch": frozenset({DRAFT, SCHEDULED}),
    "pause": frozenset({SENDING}),
    "resume": frozenset({PAUSED}),
    "cancel": frozenset({SCHEDULED, SENDING, PAUSED}),
    "edit": frozenset({DRAFT, SCHEDULED}),
    "delete": frozenset({DRAFT, COMPLETED, CANCELLED, FAILED}),
}

_WHY = {
    DRAFT: "it has not been scheduled or launched yet",
    SCHEDULED: "it is scheduled and has not started sending",
    SENDING: "it is sending right now",
    PAUSED: "it is paused",
    COMPLETED: "it has already completed",
    CANCELLED: "it was cancelled",
    FAILED: "it failed",
}

_HINT = {
    "pause": "only a sending campaign can be paused",
    "resume": "only a paused campaign can be resumed",
    "cancel": "only a scheduled, sending or paused campaign can be cancelled",
    "schedule": "only a draft or scheduled campaign can be (re)scheduled",
    "launch": "only a draft or scheduled campaign can be launched",
    "edit": "content, audience and settings can change only while draft or scheduled",
    "delete": "cancel it first; a running campaign cannot be deleted",
}


class IllegalTransition(Exception):
    def __init__(self, action: str, status: str):
        self.action = action
        self.status = status
        why = _WHY.get(status, f"its status is {status!r}")
        super().__init__(f"cannot {action} a {status} campaign: {why} ({_HINT[action]})")


def is_allowed(action: str, status: str) -> bool:
    return status in ALLOWED_FROM[action]


def check(action: str, status: str) -> None:
    """Raise IllegalTransition (with a reason a person can act on) unless `action` is legal."""
    if not is_allowed(action, status):
        raise IllegalTransition(action, status)
