"""The flow_run rows: created by a run's first activity, updated as it walks its steps."""

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from core.flows.run_io import FINISHED_STATUSES, RunRef, RunState
from core.models import Customer, Flow, FlowRun
from core.sql import dialect_insert
from core.timeutil import utcnow

R = FlowRun.__table__


def ensure_run(conn: Connection, ref: RunRef) -> int:
    """The id of the run's row, inserting it on first use (idempotent under retries)."""
    now = utcnow()
    stmt = dialect_insert(conn, R).on_conflict_do_nothing(index_elements=["temporal_run_id"])
    conn.execute(
        stmt,
        {
            "flow_id": ref.flow_id,
            "flow_version_id": ref.flow_version_id,
            "customer_id": ref.customer_id,
            "workflow_id": ref.workflow_id,
            "temporal_run_id": ref.temporal_run_id,
            "entry_key": ref.entry_key,
            "entered_via": ref.entered_via,
            "status": "running",
            "started_at": now,
            "updated_at": now,
        },
    )
    return conn.execute(
        select(R.c.id).where(R.c.temporal_run_id == ref.temporal_run_id)
    ).scalar_one()


def record_state(conn: Connection, run_id: int, state: RunState) -> None:
    now = utcnow()
    values = {
        "status": state.status,
        "next_wake_at": state.next_wake_at,
        "exit_reason": state.exit_reason,
        "updated_at": now,
    }
    if state.current_step is not None:
        values["current_step"] = state.current_step
    if state.status in FINISHED_STATUSES:
        values["finished_at"] = now
    conn.execute(update(R).where(R.c.id == run_id).values(**values))


def flow_status(conn: Connection, flow_id: int) -> str | None:
    return conn.execute(select(Flow.status).where(Flow.id == flow_id)).scalar_one_or_none()


def customer_timezone(conn: Connection, customer_id: int) -> str:
    """The customer's IANA zone, or "" when unknown (or the customer was deleted)."""
    value = conn.execute(
        select(Customer.timezone).where(Customer.id == customer_id)
    ).scalar_one_or_none()
    return value or ""
