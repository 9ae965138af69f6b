"""Starting flow runs: re-entry rules as Temporal id reuse / conflict policies, not locks.

| reentry        | workflow id                    | reuse policy     | a second entry ...      |
| once_ever      | flow-{f}-customer-{c}          | REJECT_DUPLICATE | is refused, even later  |
| once_at_a_time | flow-{f}-customer-{c}          | ALLOW_DUPLICATE  | joins the running run   |
| every_time     | flow-{f}-customer-{c}-{key}    | REJECT_DUPLICATE | starts its own run      |

Every start is a signal-with-start of the `enter` signal: the server atomically starts the run or,
when one is running under that id, signals it (USE_EXISTING) — concurrent duplicate entries can
never start two runs for one key. `once_ever` relies on the closed run being retained by the
server (the namespace's retention period).
"""

from dataclasses import dataclass
from typing import Any

from temporalio.client import Client
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError

from core.flows.run_io import EntrySignal, FlowRunInput, FlowRunView
from core.temporal_names import (
    COHORT_ID,
    CUSTOMER_ID,
    FLOW_ID,
    FLOW_VERSION,
    KIND,
    STATUS,
    flow_run_workflow_id,
)

FLOW_RUN_WORKFLOW = "FlowRun"

_REUSE = {
    "once_ever": WorkflowIDReusePolicy.REJECT_DUPLICATE,
    "once_at_a_time": WorkflowIDReusePolicy.ALLOW_DUPLICATE,
    "every_time": WorkflowIDReusePolicy.REJECT_DUPLICATE,
}


@dataclass
class EntryResult:
    customer_id: int
    workflow_id: str
    started: bool  # False: a run is already going (joined) or the rule refused re-entry
    reason: str | None = None
    handle: Any = None  # the run's WorkflowHandle (result type FlowRunView) when started


@dataclass
class VersionRef:
    """The frozen version a new run gets."""

    flow_id: int
    flow_version_id: int
    version: int
    definition: dict[str, Any]


async def enter_flow(
    client: Client,
    task_queue: str,
    version: VersionRef,
    customer_id: int,
    entered_via: str,
    entry_key: str | None = None,
    event_id: int | None = None,
    step_timeout_seconds: int | None = None,
) -> EntryResult:
    reentry = version.definition.get("reentry", "once_at_a_time")
    if reentry != "every_time":
        entry_key = None
    elif not entry_key:
        raise ValueError("every_time flows need an entry key (the event id or a request key)")
    workflow_id = flow_run_workflow_id(version.flow_id, customer_id, entry_key)
    data = FlowRunInput(
        flow_id=version.flow_id,
        flow_version_id=version.flow_version_id,
        version=version.version,
        customer_id=customer_id,
        definition=version.definition,
        entered_via=entered_via,
        entry_key=entry_key,
    )
    if step_timeout_seconds:
        data.step_timeout_seconds = step_timeout_seconds
    try:
        handle = await client.start_workflow(
            FLOW_RUN_WORKFLOW,
            data,
            result_type=FlowRunView,
            id=workflow_id,
            task_queue=task_queue,
            id_reuse_policy=_REUSE[reentry],
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            start_signal="enter",
            start_signal_args=[EntrySignal(entered_via=entered_via, event_id=event_id)],
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(FLOW_ID, version.flow_id),
                    SearchAttributePair(FLOW_VERSION, str(version.version)),
                    SearchAttributePair(CUSTOMER_ID, customer_id),
                    SearchAttributePair(KIND, "flow_run"),
                    SearchAttributePair(STATUS, "running"),
                ]
            ),
            static_summary=f"flow {version.flow_id} v{version.version}, customer {customer_id}",
        )
    except WorkflowAlreadyStartedError:
        return EntryResult(customer_id, workflow_id, False, "already ran (once_ever)")
    # Signal-with-start tells whether it started a run or signalled a running one.
    response = getattr(handle, "_start_workflow_response", None)
    started = bool(getattr(response, "started", True))
    reason = None if started else "already running"
    return EntryResult(customer_id, workflow_id, started, reason, handle)


COHORT_WORKFLOW = "FlowCohort"


def cohort_search_attributes(data) -> TypedSearchAttributes:
    return TypedSearchAttributes(
        [
            SearchAttributePair(FLOW_ID, data.flow_id),
            SearchAttributePair(FLOW_VERSION, str(data.version)),
            SearchAttributePair(COHORT_ID, str(data.cohort_id)),
            SearchAttributePair(KIND, "flow_cohort"),
            SearchAttributePair(STATUS, "running"),
        ]
    )


async def start_cohort(
    client: Client,
    task_queue: str,
    engine,
    version: VersionRef,
    entered_via: str,
    customer_ids: list[int] | None = None,
    audience_id: int | None = None,
    step_timeout_seconds: int | None = None,
    heartbeat_timeout_seconds: int | None = None,
    entry_key: str | None = None,
) -> "CohortStart":
    """Enter many customers as one cohort run. Re-entry rules are applied in SQL when the
    members are written; an empty cohort starts no workflow. With an `entry_key` (e.g. the
    campaign and audience) a retry finds the cohort it already wrote and only (re)starts it."""
    import asyncio

    from core.flows.cohorts import create_cohort, find_entry, record_members
    from core.flows.run_io import CohortInput, RunState

    def write():
        with engine.begin() as conn:
            if entry_key is not None:
                found = find_entry(conn, version.flow_id, entry_key)
                if found is not None:
                    return found
            cohort_id, workflow_id, size = create_cohort(
                conn, version, entered_via, customer_ids, audience_id, entry_key
            )
            if size == 0:
                record_members(conn, cohort_id, RunState(status="completed"))
            return cohort_id, workflow_id, size

    cohort_id, workflow_id, size = await asyncio.to_thread(write)
    if size == 0:
        return CohortStart(cohort_id, 0, None)
    data = CohortInput(
        flow_id=version.flow_id,
        flow_version_id=version.flow_version_id,
        version=version.version,
        cohort_id=cohort_id,
        definition=version.definition,
    )
    if step_timeout_seconds:
        data.step_timeout_seconds = step_timeout_seconds
    if heartbeat_timeout_seconds:
        data.heartbeat_timeout_seconds = heartbeat_timeout_seconds
    try:
        handle = await client.start_workflow(
            COHORT_WORKFLOW,
            data,
            id=workflow_id,
            task_queue=task_queue,
            result_type=FlowRunView,
            search_attributes=cohort_search_attributes(data),
            static_summary=f"flow {version.flow_id} v{version.version}, cohort of {size}",
        )
    except WorkflowAlreadyStartedError:  # a retry: the first attempt started it
        handle = client.get_workflow_handle(workflow_id, result_type=FlowRunView)
    return CohortStart(cohort_id, size, workflow_id, handle)


@dataclass
class CohortStart:
    cohort_id: int
    size: int  # members who entered (after re-entry rules)
    workflow_id: str | None
    handle: Any = None
