"""Flows in the database: the editable draft (flow + flow_step rows) and frozen versions."""

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, delete, select

from core.flows.definition import FlowDefinition
from core.flows.entry import VersionRef
from core.models import Flow, FlowStep, FlowVersion
from core.timeutil import utcnow

DRAFT_FIELDS = ("name", "description", "trigger", "reentry", "exit_events", "quiet_hours")


class FlowStateError(ValueError):
    """The flow's status does not allow the operation (a 409)."""


def draft_definition(session: Session, flow: Flow) -> dict[str, Any]:
    """The draft as a definition dict (validated again before it is published)."""
    steps = session.exec(
        select(FlowStep).where(FlowStep.flow_id == flow.id).order_by(FlowStep.position)
    ).all()
    return {
        "name": flow.name,
        "description": flow.description,
        "trigger": flow.trigger,
        "reentry": flow.reentry,
        "exit_events": list(flow.exit_events or []),
        "quiet_hours": flow.quiet_hours,
        "steps": [{"key": s.key, "type": s.type, **s.config} for s in steps],
    }


def _write_draft(session: Session, flow: Flow, definition: FlowDefinition) -> None:
    data = definition.model_dump(mode="json", exclude_none=True)
    for name in DRAFT_FIELDS:
        setattr(flow, name, data.get(name))
    flow.exit_events = data.get("exit_events", [])
    trigger = data["trigger"]
    flow.segment_id = trigger.get("segment_id") if trigger["type"] == "segment" else None
    flow.updated_at = utcnow()
    session.add(flow)
    session.flush()
    session.exec(delete(FlowStep).where(FlowStep.flow_id == flow.id))
    for position, step in enumerate(data["steps"]):
        config = {k: v for k, v in step.items() if k not in ("key", "type")}
        session.add(
            FlowStep(
                flow_id=flow.id,
                position=position,
                key=step["key"],
                type=step["type"],
                config=config,
            )
        )


def create_flow(session: Session, definition: FlowDefinition, flow_id: int | None = None) -> Flow:
    flow = Flow(id=flow_id, name=definition.name)
    session.add(flow)
    session.flush()
    _write_draft(session, flow, definition)
    return flow


def update_flow(session: Session, flow: Flow, changes: dict[str, Any]) -> FlowVersion | None:
    """Apply changes to the draft (validated as a whole). A live flow gets a new version at
    once, so new entries use it; runs in flight keep theirs."""
    if flow.status == "archived":
        raise FlowStateError("an archived flow cannot be edited; create a new flow")
    merged = {**draft_definition(session, flow), **changes}
    definition = FlowDefinition.model_validate(merged)
    _write_draft(session, flow, definition)
    if flow.status in ("active", "paused"):
        return publish(session, flow)
    return None


def current_version(session: Session, flow: Flow) -> FlowVersion | None:
    return session.get(FlowVersion, flow.current_version_id) if flow.current_version_id else None


def publish(session: Session, flow: Flow) -> FlowVersion:
    """Freeze the draft as an immutable version (reusing the current one when unchanged)."""
    definition = FlowDefinition.model_validate(draft_definition(session, flow))
    frozen = definition.model_dump(mode="json", exclude_none=True)
    version = current_version(session, flow)
    if version is not None and version.definition == frozen:
        return version
    latest = session.exec(
        select(func.max(FlowVersion.version)).where(FlowVersion.flow_id == flow.id)
    ).one()
    version = FlowVersion(flow_id=flow.id, version=(latest or 0) + 1, definition=frozen)
    session.add(version)
    session.flush()
    flow.current_version_id = version.id
    flow.updated_at = utcnow()
    session.add(flow)
    return version


def activate(session: Session, flow: Flow) -> FlowVersion:
    if flow.status == "archived":
        raise FlowStateError("an archived flow cannot be activated; create a new flow")
    version = publish(session, flow)
    flow.status = "active"
    session.add(flow)
    return version


def set_status(session: Session, flow: Flow, status: str) -> None:
    if flow.status == "archived":
        raise FlowStateError("the flow is archived")
    if status == "paused" and flow.status != "active":
        raise FlowStateError(f"only an active flow can be paused (this one is {flow.status})")
    flow.status = status
    flow.updated_at = utcnow()
    session.add(flow)


def version_ref(version: FlowVersion) -> VersionRef:
    return VersionRef(
        flow_id=version.flow_id,
        flow_version_id=version.id,
        version=version.version,
        definition=version.definition,
    )
