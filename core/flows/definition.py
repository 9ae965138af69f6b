"""The flow definition: what a marketer (or the AI) writes, and what a FlowVersion freezes.

Accepted shape (the simple form in ARCHITECTURE.md is a valid instance):

    {"name": "Welcome", "trigger": {"type": "event", "event": "signed_up"},
     "reentry": "once_ever", "exit_events": ["placed_order"],
     "quiet_hours": {"start": "21:00", "end": "08:00"},
     "steps": [
       {"type": "SEND_EMAIL", "subject": "Hi", "html": "<p>Hello {{ first_name }}</p>"},
       {"type": "WAIT", "duration_seconds": 259200},
       {"type": "WAIT", "until_local_time": "09:30"},
       {"type": "CONDITION", "criteria": {"match": "all", "conditions": [...]},
        "if_true": [{"type": "SEND_PUSH", "title": "VIP", "body": "..."}],
        "if_false": "last-chance"},
       {"key": "last-chance", "type": "SEND_EMAIL", "subject": "...", "html": "..."},
       {"type": "EXIT"}]}

Each step has a stable `key` (part of message idempotency keys `flow:{run_id}:{step_key}`); when
omitted it is derived from the step's position (`s1`, `s2`, `s3.t1`, `s3.f2`, ...). A CONDITION
branch is a nested step list (walked, then the flow goes on after the CONDITION) or the key of a
later top-level step to jump to. EXIT ends the run.
"""

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

EVENT_NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_.:-]{0,99}$"
STEP_KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
MAX_WAIT_SECONDS = 366 * 24 * 3600
MAX_STEPS = 200  # over all nesting levels
MAX_DEPTH = 5

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)

StepKey = Annotated[str, StringConstraints(strip_whitespace=True, pattern=STEP_KEY_PATTERN)]
EventName = Annotated[str, StringConstraints(strip_whitespace=True, pattern=EVENT_NAME_PATTERN)]
LocalTime = Annotated[str, StringConstraints(strip_whitespace=True, pattern=LOCAL_TIME_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Step(BaseModel):
    model_config = _STRICT

    key: StepKey | None = None


class SendEmailStep(_Step):
    type: Literal["SEND_EMAIL"]
    subject: Annotated[Text, StringConstraints(max_length=500)]
    preheader: Annotated[str, StringConstraints(max_length=300)] | None = None
    html: Annotated[Text, StringConstraints(max_length=500_000)]
    text: Annotated[str, StringConstraints(max_length=500_000)] | None = None


class SendPushStep(_Step):
    type: Literal["SEND_PUSH"]
    title: Annotated[Text, StringConstraints(max_length=200)]
    body: Annotated[Text, StringConstraints(max_length=2000)]
    deep_link: Annotated[str, StringConstraints(max_length=2000)] | None = None


class WaitStep(_Step):
    """Wait a duration, or until the next time of day `HH:MM` in the customer's timezone."""

    type: Literal["WAIT"]
    duration_seconds: int | None = Field(default=None, gt=0, le=MAX_WAIT_SECONDS)
    until_local_time: LocalTime | None = None

    @model_validator(mode="after")
    def _one_of(self) -> "WaitStep":
        if (self.duration_seconds is None) == (self.until_local_time is None):
            raise ValueError("a WAIT needs exactly one of duration_seconds or until_local_time")
        return self


class ExitStep(_Step):
    type: Literal["EXIT"]


class ConditionStep(_Step):
    """Branch on segment criteria, evaluated for the customer at the time the run reaches it."""

    type: Literal["CONDITION"]
    criteria: dict[str, Any]
    # A nested step list, or the key of a later top-level step to jump to. Empty: go on.
    if_true: "list[Step] | StepKey" = Field(default_factory=list)
    if_false: "list[Step] | StepKey" = Field(default_factory=list)

    @field_validator("criteria")
    @classmethod
    def _valid_criteria(cls, value: dict[str, Any]) -> dict[str, Any]:
        check_criteria(value)
        return value


Step = Annotated[
    SendEmailStep | SendPushStep | WaitStep | ConditionStep | ExitStep,
    Field(discriminator="type"),
]
ConditionStep.model_rebuild()

SEND_STEP_TYPES = ("SEND_EMAIL", "SEND_PUSH")


class ManualTrigger(BaseModel):
    model_config = _STRICT
    type: Literal["manual"]


class EventTrigger(BaseModel):
    """Start a run on the customer's event `event` whose properties equal `properties`."""

    model_config = _STRICT
    type: Literal["event"]
    event: EventName
    properties: dict[str, str | int | float | bool | None] = Field(default_factory=dict)


class SegmentTrigger(BaseModel):
    """Start a run when a customer newly matches a saved segment or inline criteria."""

    model_config = _STRICT
    type: Literal["segment"]
    segment_id: int | None = Field(default=None, gt=0, le=2_147_483_647)
    criteria: dict[str, Any] | None = None
    check_interval_seconds: int = Field(default=300, ge=60, le=86400)

    @model_validator(mode="after")
    def _one_of(self) -> "SegmentTrigger":
        if (self.segment_id is None) == (self.criteria is None):
            raise ValueError("a segment trigger needs exactly one of segment_id or criteria")
        if self.criteria is not None:
            check_criteria(self.criteria)
        return self


Trigger = Annotated[ManualTrigger | EventTrigger | SegmentTrigger, Field(discriminator="type")]
Reentry = Literal["once_ever", "once_at_a_time", "every_time"]


class QuietHours(BaseModel):
    """Sends due between start and end (local time; the window may span midnight) wait for end.
    `timezone` applies when the customer has none (default UTC)."""

    model_config = _STRICT
    start: LocalTime
    end: LocalTime
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        check_timezone(value)
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> "QuietHours":
        if self.start == self.end:
            raise ValueError("quiet hours start and end must differ")
        return self


class FlowDefinition(BaseModel):
    """A complete flow: the body of `POST /api/flows`, the AI's output, a version's snapshot."""

    model_config = _STRICT

    name: Annotated[Text, StringConstraints(max_length=200)]
    description: Annotated[str, StringConstraints(max_length=2000)] = ""
    trigger: Trigger
    reentry: Reentry = "once_at_a_time"
    exit_events: list[EventName] = Field(default_factory=list, max_length=20)
    quiet_hours: QuietHours | None = None
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _keys(self) -> "FlowDefinition":
        assign_keys(self.steps)
        check_structure(self.steps)
        return self


class StepsUpdate(BaseModel):
    """Only the steps (used where a definition's steps are validated on their own)."""

    model_config = _STRICT
    steps: list[Step] = Field(min_length=1)


def assign_keys(steps: list, prefix: str = "s") -> None:
    """Give keyless steps a key derived from their position (stable while the flow keeps shape)."""
    for index, step in enumerate(steps, start=1):
        if step.key is None:
            step.key = f"{prefix}{index}"
        if isinstance(step, ConditionStep):
            for name, branch in (("t", step.if_true), ("f", step.if_false)):
                if isinstance(branch, list):
                    assign_keys(branch, f"{step.key}.{name}")


def iter_steps(steps: list, depth: int = 1):
    """Every step with its nesting depth (1 = top level)."""
    for step in steps:
        yield step, depth
        if isinstance(step, ConditionStep):
            for branch in (step.if_true, step.if_false):
                if isinstance(branch, list):
                    yield from iter_steps(branch, depth + 1)


def check_structure(steps: list) -> None:
    seen: set[str] = set()
    count = 0
    for step, depth in iter_steps(steps):
        count += 1
        if depth > MAX_DEPTH:
            raise ValueError(f"CONDITION steps nest at most {MAX_DEPTH} deep")
        if step.key in seen:
            raise ValueError(f"step key {step.key!r} is used twice; keys must be unique")
        seen.add(step.key)
    if count > MAX_STEPS:
        raise ValueError(f"a flow has at most {MAX_STEPS} steps")
    top = [step.key for step in steps]
    for step, _ in iter_steps(steps):
        if not isinstance(step, ConditionStep):
            continue
        for name in ("if_true", "if_false"):
            target = getattr(step, name)
            if isinstance(target, str):
                if target not in top:
                    raise ValueError(
                        f"step {step.key!r}: {name} jumps to {target!r}, "
                        "which is not a top-level step key"
                    )
                # Only forward jumps: a flow always ends.
                if top.index(target) <= _top_index(steps, step.key):
                    raise ValueError(f"step {step.key!r}: {name} must jump forward to a later step")


def _top_index(steps: list, key: str) -> int:
    for index, step in enumerate(steps):
        if any(inner.key == key for inner, _ in iter_steps([step])):
            return index
    raise KeyError(key)


def check_criteria(criteria: dict[str, Any]) -> None:
    """Validate segment criteria with the segment compiler; its error names the bad path."""
    try:
        from core.segments import CriteriaError, parse_criteria
    except ImportError:  # the segment compiler is not there: check the outer shape only
        if criteria.get("match") not in ("all", "any") or not isinstance(
            criteria.get("conditions"), list
        ):
            raise ValueError(
                'criteria must be {"match": "all"|"any", "conditions": [...]}'
            ) from None
        return
    try:
        parse_criteria(criteria)
    except CriteriaError as exc:
        path = getattr(exc, "path", "")
        raise ValueError(f"invalid criteria at {path or 'criteria'}: {exc}") from None


def check_timezone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown timezone {name!r} (use an IANA name like Europe/Paris)"
        ) from None


def parse_local_time(value: str) -> tuple[int, int]:
    if not re.fullmatch(LOCAL_TIME_PATTERN, value):
        raise ValueError(f"{value!r} is not a time of day HH:MM")
    return int(value[:2]), int(value[3:5])
