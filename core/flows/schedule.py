"""Segment-entry triggers: one Temporal Schedule per live segment-triggered flow.

Each tick runs the `FlowSegmentEntry` workflow, whose activity finds customers who newly match
the flow's segment (in SQL, in bounded batches) and starts their runs. Pausing the flow pauses
the schedule; archiving or deleting it removes the schedule.
"""

from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.service import RPCError, RPCStatusCode

from core.config import Settings
from core.flows.run_io import SegmentEntryInput
from core.models import Flow, FlowVersion
from core.temporal_names import FLOW_ID, KIND

SEGMENT_ENTRY_WORKFLOW = "FlowSegmentEntry"


def schedule_id(flow_id: int) -> str:
    return f"flow-{flow_id}-segment-entry"


def wanted(flow: Flow) -> bool:
    return (flow.trigger or {}).get("type") == "segment"


def _schedule(settings: Settings, flow: Flow, version: FlowVersion) -> Schedule:
    interval = int(version.definition["trigger"].get("check_interval_seconds", 300))
    return Schedule(
        action=ScheduleActionStartWorkflow(
            SEGMENT_ENTRY_WORKFLOW,
            SegmentEntryInput(flow_id=flow.id),
            id=schedule_id(flow.id),
            task_queue=settings.temporal_task_queue,
            execution_timeout=timedelta(seconds=max(interval * 4, 3600)),
            typed_search_attributes=TypedSearchAttributes(
                [SearchAttributePair(FLOW_ID, flow.id), SearchAttributePair(KIND, "flow_entry")]
            ),
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=timedelta(seconds=interval))]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )


async def sync(client: Client, settings: Settings, flow: Flow, version: FlowVersion) -> None:
    """Create the flow's schedule, or update and unpause it (idempotent)."""
    if not wanted(flow):
        return
    schedule = _schedule(settings, flow, version)
    try:
        await client.create_schedule(schedule_id(flow.id), schedule)
        return
    except Exception as exc:  # noqa: BLE001 - "already exists" comes in several shapes
        if "already" not in str(exc).lower():
            raise
    handle = client.get_schedule_handle(schedule_id(flow.id))

    def replace(_: ScheduleUpdateInput) -> ScheduleUpdate:
        return ScheduleUpdate(schedule=schedule)

    await handle.update(replace)
    await handle.unpause(note="flow activated")


async def pause(client: Client, flow_id: int) -> None:
    try:
        await client.get_schedule_handle(schedule_id(flow_id)).pause(note="flow paused")
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise


async def remove(client: Client, flow_id: int) -> None:
    try:
        await client.get_schedule_handle(schedule_id(flow_id)).delete()
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise
