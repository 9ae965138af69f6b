"""Business metrics read from the database: the tables are the source of truth and every API
replica reports the same numbers (so aggregate them with max, not sum).

Counting the message log is a scan that grows with it (about 3 s per million messages on SQLite,
see docs/benchmarks.md), so scrapes are answered from a snapshot: the first scrape takes it, and
a scrape that finds it older than METRICS_REFRESH_SECONDS gets the current one while a new one is
taken in the background. Scrapes stay fast; the database does one count per interval.
"""

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import case, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.models import Campaign, FlowRun, Message

log = logging.getLogger("nudge.metrics")


@dataclass
class Snapshot:
    taken_at: float  # time.monotonic()
    ok: bool
    messages: list[tuple] = field(default_factory=list)  # (channel, status, source, count)
    campaigns: list[tuple] = field(default_factory=list)  # (status, count)
    recipients: tuple = (0, 0, 0)  # sent, failed, skipped
    flow_runs: list[tuple] = field(default_factory=list)  # (status, count)


def count_everything(engine: Engine | None) -> Snapshot:
    if engine is None:
        raise RuntimeError("the app has not started")
    with Session(engine) as session:
        source = case(
            (Message.campaign_id.is_not(None), "campaign"),
            (Message.flow_id.is_not(None), "flow"),
            else_="other",
        )
        messages = session.exec(
            select(Message.channel, Message.status, source, func.count()).group_by(
                Message.channel, Message.status, source
            )
        ).all()
        campaigns = session.exec(
            select(Campaign.status, func.count()).group_by(Campaign.status)
        ).all()
        recipients = session.exec(
            select(func.sum(Campaign.sent), func.sum(Campaign.failed), func.sum(Campaign.skipped))
        ).one()
        flow_runs = session.exec(
            select(FlowRun.status, func.count()).group_by(FlowRun.status)
        ).all()
    return Snapshot(
        taken_at=time.monotonic(),
        ok=True,
        messages=[tuple(r) for r in messages],
        campaigns=[tuple(r) for r in campaigns],
        recipients=tuple(v or 0 for v in recipients),
        flow_runs=[tuple(r) for r in flow_runs],
    )


def _families(snapshot: Snapshot, now: float) -> list[GaugeMetricFamily]:
    messages = GaugeMetricFamily(
        "nudge_messages",
        "Messages in the message log by channel, status and source (campaign, flow, other).",
        labels=["channel", "status", "source"],
    )
    for channel, status, source, count in snapshot.messages:
        messages.add_metric([channel, status, source], count)
    campaigns = GaugeMetricFamily("nudge_campaigns", "Campaigns by status.", labels=["status"])
    for status, count in snapshot.campaigns:
        campaigns.add_metric([status], count)
    recipients = GaugeMetricFamily(
        "nudge_campaign_recipients",
        "Campaign recipients by outcome (sent, failed, skipped), summed over campaigns.",
        labels=["outcome"],
    )
    for outcome, value in zip(("sent", "failed", "skipped"), snapshot.recipients, strict=True):
        recipients.add_metric([outcome], value)
    flow_runs = GaugeMetricFamily("nudge_flow_runs", "Flow runs by status.", labels=["status"])
    for status, count in snapshot.flow_runs:
        flow_runs.add_metric([status], count)
    up = GaugeMetricFamily(
        "nudge_metrics_database_up", "1 when the last count could read the database."
    )
    up.add_metric([], 1 if snapshot.ok else 0)
    age = GaugeMetricFamily(
        "nudge_metrics_database_age_seconds", "Age of the counts above (they are a snapshot)."
    )
    age.add_metric([], max(0.0, now - snapshot.taken_at) if snapshot.ok else 0.0)
    return [messages, campaigns, recipients, flow_runs, up, age]


class DatabaseCollector(Collector):
    def __init__(self, engine: Callable[[], Engine | None], max_age_seconds: float):
        self._engine = engine  # resolved per count: the app's lifespan creates the engine
        self._max_age = max_age_seconds
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()
        self._refreshing = False

    def describe(self):
        return _families(Snapshot(taken_at=0.0, ok=False), 0.0)

    def collect(self):
        snapshot = self._snapshot
        if snapshot is None or self._max_age == 0:
            snapshot = self._refresh()
        elif time.monotonic() - snapshot.taken_at > self._max_age:
            self._refresh_in_background()
        yield from _families(snapshot, time.monotonic())

    def _refresh(self) -> Snapshot:
        try:
            snapshot = count_everything(self._engine())
        except Exception as exc:  # noqa: BLE001 - a scrape reports the outage instead of failing
            log.warning("metrics: cannot read the database: %s", exc)
            snapshot = Snapshot(taken_at=-math.inf, ok=False)  # stale at once: retried next scrape
        self._snapshot = snapshot
        return snapshot

    def _refresh_in_background(self) -> None:
        with self._lock:
            if self._refreshing:
                return
            self._refreshing = True

        def run() -> None:
            try:
                self._refresh()
            finally:
                self._refreshing = False

        threading.Thread(target=run, name="nudge-metrics-refresh", daemon=True).start()
