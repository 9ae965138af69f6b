"""Cohorts in the database: members are flow_run rows (cohort_id set), so the run APIs, the
timeline and exits work on each customer as for single runs. Everything here is set-based SQL."""

from typing import Any

from sqlalchemy import and_, exists, func, insert, literal, select, update
from sqlalchemy.engine import Connection

from core.flows.entry import VersionRef
from core.flows.run_io import FINISHED_STATUSES, RunState
from core.models import AudienceMember, Customer, FlowCohort, FlowRun
from core.timeutil import utcnow

R = FlowRun.__table__
K = FlowCohort.__table__


def cohort_workflow_id(flow_id: int, cohort_id: int) -> str:
    return f"flow-{flow_id}-cohort-{cohort_id}"


def active(cohort_id: int):
    return and_(R.c.cohort_id == cohort_id, R.c.status.not_in(FINISHED_STATUSES))


def _eligible(flow_id: int, reentry: str, customer_col):
    """Re-entry rules for bulk entries, in SQL (a single run's are Temporal id policies)."""
    if reentry == "every_time":
        return literal(True)
    earlier = select(R.c.id).where(R.c.flow_id == flow_id, R.c.customer_id == customer_col)
    if reentry == "once_at_a_time":
        earlier = earlier.where(R.c.status.not_in(FINISHED_STATUSES))
    return ~exists(earlier)


def new_cohort(
    conn: Connection,
    flow_id: int,
    flow_version_id: int,
    via: str,
    parent_id: int | None = None,
    split_key: str | None = None,
) -> tuple[int, str]:
    now = utcnow()
    cohort_id = conn.execute(
        insert(K)
        .values(
            flow_id=flow_id,
            flow_version_id=flow_version_id,
            parent_id=parent_id,
            split_key=split_key,
            workflow_id="",
            entered_via=via,
            status="running",
            size=0,
            created_at=now,
            updated_at=now,
        )
        .returning(K.c.id)
    ).scalar_one()
    workflow_id = cohort_workflow_id(flow_id, cohort_id)
    conn.execute(update(K).where(K.c.id == cohort_id).values(workflow_id=workflow_id))
    return cohort_id, workflow_id


def create_cohort(
    conn: Connection,
    version: VersionRef,
    via: str,
    customer_ids: list[int] | None = None,
    audience_id: int | None = None,
    entry_key: str | None = None,
) -> tuple[int, str, int]:
    """A cohort of the given customers (or an audience's members) who may enter under the
    flow's re-entry rule; returns (cohort id, workflow id, size)."""
    cohort_id, workflow_id = new_cohort(
        conn, version.flow_id, version.flow_version_id, via, split_key=entry_key
    )
    now = utcnow()
    reentry = version.definition.get("reentry", "once_at_a_time")
    if audience_id is not None:
        source = select(AudienceMember.customer_id.label("cid")).where(
            AudienceMember.audience_id == audience_id
        )
    else:
        source = select(Customer.id.label("cid")).where(Customer.id.in_(customer_ids or []))
    source = source.subquery()
    members = select(
        literal(version.flow_id),
        literal(version.flow_version_id),
        source.c.cid,
        literal(workflow_id),
        literal(via),
        literal("running"),
        literal(cohort_id),
        literal(now, R.c.started_at.type),
        literal(now, R.c.updated_at.type),
    ).where(_eligible(version.flow_id, reentry, source.c.cid))
    conn.execute(
        insert(R).from_select(
            [
                "flow_id",
                "flow_version_id",
                "customer_id",
                "workflow_id",
                "entered_via",
                "status",
                "cohort_id",
                "started_at",
                "updated_at",
            ],
            members,
        )
    )
    size = conn.execute(select(func.count()).where(R.c.cohort_id == cohort_id)).scalar_one()
    conn.execute(update(K).where(K.c.id == cohort_id).values(size=size))
    return cohort_id, workflow_id, size


def find_entry(conn: Connection, flow_id: int, entry_key: str) -> tuple[int, str, int] | None:
    """The top-level cohort an earlier attempt of the same entry created, if any."""
    row = conn.execute(
        select(K.c.id, K.c.workflow_id, K.c.size).where(
            K.c.flow_id == flow_id, K.c.parent_id.is_(None), K.c.split_key == entry_key
        )
    ).first()
    return (row[0], row[1], row[2]) if row else None


def active_page(conn: Connection, cohort_id: int, after: int, limit: int) -> list[tuple[int, int]]:
    """(run id, customer id) of active members, by run id (keyset)."""
    rows = conn.execute(
        select(R.c.id, R.c.customer_id)
        .where(active(cohort_id), R.c.id > after)
        .order_by(R.c.id)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in rows]


def count_active(conn: Connection, cohort_id: int) -> int:
    return conn.execute(select(func.count()).where(active(cohort_id))).scalar_one()


def record_members(
    conn: Connection, cohort_id: int, state: RunState, run_ids: list[int] | None = None
) -> None:
    now = utcnow()
    values: dict[str, Any] = {
        "status": state.status,
        "next_wake_at": state.next_wake_at,
        "exit_reason": state.exit_reason,
        "updated_at": now,
    }
    if state.current_step is not None:
        values["current_step"] = state.current_step
    if state.status in FINISHED_STATUSES:
        values["finished_at"] = now
    stmt = update(R).where(active(cohort_id))
    if run_ids is not None:
        stmt = stmt.where(R.c.id.in_(run_ids))
    conn.execute(stmt.values(**values))
    if run_ids is None and state.status in FINISHED_STATUSES:
        conn.execute(update(K).where(K.c.id == cohort_id).values(status=state.status))


def zones(conn: Connection, cohort_id: int) -> dict[str, int]:
    """Active members per time zone ("" when unknown)."""
    tz = func.coalesce(Customer.timezone, "")
    rows = conn.execute(
        select(tz, func.count())
        .select_from(R.join(Customer.__table__, Customer.id == R.c.customer_id))
        .where(active(cohort_id))
        .group_by(tz)
    )
    return {row[0]: row[1] for row in rows}


def split(
    conn: Connection,
    cohort_id: int,
    split_key: str,
    criteria: dict | None = None,
    as_of=None,
    zone_names: list[str] | None = None,
) -> tuple[int | None, str | None, int, int]:
    """Move active members that do NOT match `criteria`, or whose zone is in `zone_names`, to a
    new cohort. Returns (new cohort id, its workflow id, moved, remaining). Idempotent: a retry
    of a split that committed finds the cohort it made (by `split_key`)."""
    done = conn.execute(
        select(K.c.id, K.c.workflow_id, K.c.size).where(
            K.c.parent_id == cohort_id, K.c.split_key == split_key
        )
    ).first()
    if done is not None:
        return done[0], done[1], done[2], count_active(conn, cohort_id)
    if criteria is not None:
        from core.segments import criteria_clause
        from core.segments.compiler import CUSTOMER_ID

        matching = select(CUSTOMER_ID).where(criteria_clause(criteria, as_of))
        moving = R.c.customer_id.not_in(matching)
    else:
        in_zones = select(Customer.id).where(
            func.coalesce(Customer.timezone, "").in_(zone_names or [])
        )
        moving = R.c.customer_id.in_(in_zones)
    moved = conn.execute(select(func.count()).where(active(cohort_id), moving)).scalar_one()
    new_id = workflow_id = None
    if moved:
        parent = conn.execute(
            select(K.c.flow_id, K.c.flow_version_id, K.c.entered_via).where(K.c.id == cohort_id)
        ).one()
        new_id, workflow_id = new_cohort(
            conn, parent[0], parent[1], parent[2], cohort_id, split_key
        )
        conn.execute(
            update(R)
            .where(active(cohort_id), moving)
            .values(cohort_id=new_id, workflow_id=workflow_id, updated_at=utcnow())
        )
        conn.execute(update(K).where(K.c.id == new_id).values(size=moved))
    return new_id, workflow_id, moved, count_active(conn, cohort_id)


def blocked_by_cohorts(
    conn: Connection, flow_id: int, reentry: str, customer_ids: list[int]
) -> set[int]:
    """Customers a single run may not start for because of their cohort runs (Temporal's id
    policies only see single runs' ids): once_ever — any cohort run; once_at_a_time — an
    unfinished one."""
    if reentry == "every_time" or not customer_ids:
        return set()
    stmt = select(R.c.customer_id).where(
        R.c.flow_id == flow_id, R.c.cohort_id.is_not(None), R.c.customer_id.in_(customer_ids)
    )
    if reentry == "once_at_a_time":
        stmt = stmt.where(R.c.status.not_in(FINISHED_STATUSES))
    return set(conn.execute(stmt).scalars())


def exit_members(conn: Connection, run_ids: list[int], reason: str, status: str = "exited") -> int:
    """End cohort members' runs: the cohort's next step skips them (filtered in SQL)."""
    if not run_ids:
        return 0
    now = utcnow()
    result = conn.execute(
        update(R)
        .where(R.c.id.in_(run_ids), R.c.status.not_in(FINISHED_STATUSES))
        .values(status=status, exit_reason=reason, finished_at=now, updated_at=now)
    )
    return result.rowcount or 0
