"""Wall-clock arithmetic for flows: local times of day and quiet hours in a customer's timezone.

Pure functions of their arguments (no clock reads), so workflows can call them deterministically
with `workflow.now()`.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.flows.definition import parse_local_time


def zone(name: str | None, fallback: str = "UTC") -> ZoneInfo:
    for candidate in (name, fallback, "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def next_local_time(now: datetime, hhmm: str, tz: ZoneInfo) -> datetime:
    """The next instant (after `now`) at which the wall clock in `tz` reads `hhmm`, in UTC."""
    hours, minutes = parse_local_time(hhmm)
    local_now = now.astimezone(tz)
    for days in range(0, 3):
        day = (local_now + timedelta(days=days)).date()
        # fold=0 picks the first of a repeated hour; a skipped hour resolves past the gap.
        candidate = datetime.combine(day, time(hours, minutes), tzinfo=tz)
        candidate_utc = candidate.astimezone(UTC)
        if candidate_utc > now:
            return candidate_utc
    raise AssertionError("unreachable: a local time occurs at least once in three days")


def quiet_hours_end(now: datetime, start: str, end: str, tz: ZoneInfo) -> datetime | None:
    """When `now` falls in the quiet window [start, end) local time, the instant it ends."""
    local = now.astimezone(tz)
    minute = local.hour * 60 + local.minute
    start_h, start_m = parse_local_time(start)
    end_h, end_m = parse_local_time(end)
    start_min, end_min = start_h * 60 + start_m, end_h * 60 + end_m
    inside = (
        start_min <= minute < end_min
        if start_min < end_min
        else minute >= start_min or minute < end_min
    )
    return next_local_time(now, end, tz) if inside else None
