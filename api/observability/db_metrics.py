"""Business metrics read from the database at scrape time: the tables are the source of truth
and every API replica reports the same numbers (so aggregate them with max, not sum)."""

import logging
from collections.abc import Callable

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import case, func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.models import Campaign, FlowRun, Message

log = logging.getLogger("nudge.metrics")


def _families() -> tuple[GaugeMetricFamily, ...]:
    return (
        GaugeMetricFamily(
            "nudge_messages",
            "Messages in the message log by channel, status and source (campaign, flow, other).",
            labels=["channel", "status", "source"],
        ),
        GaugeMetricFamily("nudge_campaigns", "Campaigns by status.", labels=["status"]),
        GaugeMetricFamily(
            "nudge_campaign_recipients",
            "Campaign recipients by outcome (sent, failed, skipped), summed over campaigns.",
            labels=["outcome"],
        ),
        GaugeMetricFamily("nudge_flow_runs", "Flow runs by status.", labels=["status"]),
        GaugeMetricFamily(
            "nudge_metrics_database_up", "1 when the last scrape could read the database."
        ),
    )


class DatabaseCollector(Collector):
    def __init__(self, engine: Callable[[], Engine | None]):
        self._engine = engine  # resolved per scrape: the app's lifespan creates the engine

    def describe(self):
        return list(_families())

    def collect(self):
        messages, campaigns, recipients, flow_runs, up = _families()
        engine = self._engine()
        try:
            if engine is None:
                raise RuntimeError("the app has not started")
            with Session(engine) as session:
                source = case(
                    (Message.campaign_id.is_not(None), "campaign"),
                    (Message.flow_id.is_not(None), "flow"),
                    else_="other",
                )
                stmt = select(Message.channel, Message.status, source, func.count()).group_by(
                    Message.channel, Message.status, source
                )
                for channel, status, src, count in session.exec(stmt):
                    messages.add_metric([channel, status, src], count)
                stmt = select(Campaign.status, func.count()).group_by(Campaign.status)
                for status, count in session.exec(stmt):
                    campaigns.add_metric([status], count)
                sums = session.exec(
                    select(
                        func.sum(Campaign.sent),
                        func.sum(Campaign.failed),
                        func.sum(Campaign.skipped),
                    )
                ).one()
                for outcome, value in zip(("sent", "failed", "skipped"), sums, strict=True):
                    recipients.add_metric([outcome], value or 0)
                stmt = select(FlowRun.status, func.count()).group_by(FlowRun.status)
                for status, count in session.exec(stmt):
                    flow_runs.add_metric([status], count)
            up.add_metric([], 1)
        except Exception as exc:  # noqa: BLE001 - a scrape reports the outage instead of failing
            log.warning("metrics: cannot read the database: %s", exc)
            messages, campaigns, recipients, flow_runs, up = _families()
            up.add_metric([], 0)
        yield from (messages, campaigns, recipients, flow_runs, up)
