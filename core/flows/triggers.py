"""Which flows an event starts or ends, decided from the database (SQL + the small flow list)."""

from typing import Any

from sqlmodel import Session, select

from core.flows.entry import VersionRef
from core.flows.run_io import FINISHED_STATUSES
from core.models import Flow, FlowRun, FlowVersion


def event_matches(trigger: dict[str, Any], name: str, properties: dict[str, Any]) -> bool:
    if trigger.get("type") != "event" or trigger.get("event") != name:
        return False
    wanted = trigger.get("properties") or {}
    return all(k in properties and properties[k] == v for k, v in wanted.items())


def flows_started_by(session: Session, name: str, properties: dict[str, Any]) -> list[VersionRef]:
    """The current versions of active flows whose event trigger matches."""
    rows = session.exec(
        select(Flow, FlowVersion)
        .join(FlowVersion, FlowVersion.id == Flow.current_version_id)
        .where(Flow.status == "active")
        .order_by(Flow.id)
    ).all()
    return [
        VersionRef(flow.id, version.id, version.version, version.definition)
        for flow, version in rows
        if event_matches(version.definition.get("trigger", {}), name, properties)
    ]


def runs_ended_by(session: Session, customer_id: int, name: str) -> list[FlowRun]:
    """The customer's unfinished runs whose version lists `name` among its exit events."""
    rows = session.exec(
        select(FlowRun, FlowVersion)
        .join(FlowVersion, FlowVersion.id == FlowRun.flow_version_id)
        .where(FlowRun.customer_id == customer_id, FlowRun.status.not_in(FINISHED_STATUSES))
    ).all()
    return [run for run, version in rows if name in version.definition.get("exit_events", [])]


def flows_with_exit_event(session: Session, name: str) -> list[Flow]:
    """Live flows whose current version ends runs on `name` (to reach runs without a row yet)."""
    rows = session.exec(
        select(Flow, FlowVersion)
        .join(FlowVersion, FlowVersion.id == Flow.current_version_id)
        .where(Flow.status.in_(("active", "paused")))
    ).all()
    return [
        flow
        for flow, version in rows
        if name in version.definition.get("exit_events", [])
        and version.definition.get("reentry") != "every_time"
    ]
