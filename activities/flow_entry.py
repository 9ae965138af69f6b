"""Bulk entries into flows: segment-entry checks (from a Schedule) and campaign enrolments."""

import asyncio

from sqlalchemy import exists, func, select
from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.config import Settings
from core.flows.cohorts import blocked_by_cohorts
from core.flows.entry import VersionRef, enter_flow, start_cohort
from core.flows.run_io import EnrollAudienceInput, SegmentEntryInput
from core.models import AudienceMember, Flow, FlowSegmentMember, FlowVersion, Segment
from core.sql import dialect_insert
from core.timeutil import utcnow

_CONCURRENCY = 50


class FlowEntryActivities:
    def __init__(self, engine: Engine, settings: Settings):
        self.engine = engine
        self.settings = settings

    async def _enter_all(self, version: VersionRef, customer_ids: list[int], via: str, key: str):
        gate = asyncio.Semaphore(_CONCURRENCY)
        client = activity.client()
        queue = activity.info().task_queue

        async def one(customer_id: int) -> bool:
            async with gate:
                result = await enter_flow(client, queue, version, customer_id, via, entry_key=key)
                return result.started

        return sum(await asyncio.gather(*(one(c) for c in customer_ids)))

    async def _enter(self, version: VersionRef, customer_ids: list[int], via: str, key: str):
        """A batch at or above the cohort threshold enters as one cohort run; a smaller one as
        single runs (minus customers their cohort runs keep out)."""
        if len(customer_ids) >= self.settings.flow_cohort_threshold:
            cohort = await start_cohort(
                activity.client(),
                activity.info().task_queue,
                self.engine,
                version,
                via,
                customer_ids=customer_ids,
                entry_key=f"{via}:{key}:{customer_ids[0]}",
            )
            return cohort.size
        reentry = version.definition.get("reentry", "once_at_a_time")
        with self.engine.connect() as conn:
            blocked = blocked_by_cohorts(conn, version.flow_id, reentry, customer_ids)
        allowed = [c for c in customer_ids if c not in blocked]
        return await self._enter_all(version, allowed, via, key)

    def _live_version(self, flow_id: int) -> VersionRef | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(Flow.status, FlowVersion.id, FlowVersion.version, FlowVersion.definition)
                .join(FlowVersion, FlowVersion.id == Flow.current_version_id)
                .where(Flow.id == flow_id)
            ).first()
        if row is None or row[0] != "active":
            return None
        return VersionRef(flow_id, row[1], row[2], row[3])

    @activity.defn(name="flow_segment_entry")
    async def flow_segment_entry(self, data: SegmentEntryInput) -> int:
        """Start runs for customers who newly match the flow's segment, batch by batch.

        A customer is remembered (flow_segment_member) in the same transaction that selects
        them, and their run is started right after; the entry is idempotent by workflow id, so a
        retried batch never starts a second run."""
        version = self._live_version(data.flow_id)
        if version is None:
            return 0
        check_key = f"s{activity.info().workflow_id[-20:]}".replace(":", "")
        # A retry first re-enters the batch the failed attempt had claimed (entries are
        # idempotent: workflow ids for single runs, the entry key for a cohort).
        details = activity.info().heartbeat_details
        entered = int(details[0]) if details else 0
        pending = list(details[1]) if len(details) > 1 and details[1] else []
        while entered < data.max_entries:
            batch = pending or await asyncio.to_thread(
                self._claim_new_members, version, data.batch_size
            )
            pending = []
            if not batch:
                break
            activity.heartbeat(entered, batch)
            entered += await self._enter(version, batch, "segment", check_key)
            activity.heartbeat(entered, [])
        return entered

    def _claim_new_members(self, version: VersionRef, limit: int) -> list[int]:
        from core.segments import criteria_clause
        from core.segments.compiler import CUSTOMER, CUSTOMER_ID

        trigger = version.definition["trigger"]
        with self.engine.begin() as conn:
            criteria = trigger.get("criteria")
            if criteria is None:
                criteria = conn.execute(
                    select(Segment.criteria).where(Segment.id == trigger["segment_id"])
                ).scalar_one_or_none()
                if criteria is None:
                    raise ApplicationError("the flow's segment was deleted", non_retryable=True)
            seen = exists().where(
                FlowSegmentMember.flow_id == version.flow_id,
                FlowSegmentMember.customer_id == CUSTOMER_ID,
            )
            stmt = (
                select(CUSTOMER_ID)
                .select_from(CUSTOMER)
                .where(criteria_clause(criteria, utcnow()), ~seen)
                .order_by(CUSTOMER_ID)
                .limit(limit)
            )
            ids = list(conn.execute(stmt).scalars())
            if ids:
                now = utcnow()
                conn.execute(
                    dialect_insert(conn, FlowSegmentMember.__table__).on_conflict_do_nothing(),
                    [
                        {"flow_id": version.flow_id, "customer_id": i, "entered_at": now}
                        for i in ids
                    ],
                )
        return ids

    @activity.defn(name="enroll_audience_in_flow")
    async def enroll_audience_in_flow(self, data: EnrollAudienceInput) -> dict:
        """Enrol a snapshotted audience (e.g. a campaign's) in a flow: `{"enrolled": n}`."""
        version = self._live_version(data.flow_id)
        if version is None:
            raise ApplicationError(
                f"flow {data.flow_id} is not active: it takes no entries", non_retryable=True
            )
        key = f"c{data.campaign_id}" if data.campaign_id else f"a{data.audience_id}"
        size = await asyncio.to_thread(self._audience_size, data.audience_id)
        if size >= self.settings.flow_cohort_threshold:
            cohort = await start_cohort(
                activity.client(),
                activity.info().task_queue,
                self.engine,
                version,
                "campaign",
                audience_id=data.audience_id,
                entry_key=f"{key}:audience:{data.audience_id}",
            )
            return {
                "enrolled": cohort.size,
                "skipped": size - cohort.size,
                "flow_id": data.flow_id,
                "cohort_id": cohort.cohort_id,
            }
        details = activity.info().heartbeat_details
        last = int(details[0]) if details else 0
        enrolled = skipped = 0
        while True:
            ids = await asyncio.to_thread(self._audience_page, data.audience_id, last, 500)
            if not ids:
                break
            started = await self._enter(version, ids, "campaign", key)
            enrolled += started
            skipped += len(ids) - started
            last = ids[-1]
            activity.heartbeat(last)
        return {"enrolled": enrolled, "skipped": skipped, "flow_id": data.flow_id}

    def _audience_size(self, audience_id: int) -> int:
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.count()).where(AudienceMember.audience_id == audience_id)
            ).scalar_one()

    def _audience_page(self, audience_id: int, after: int, limit: int) -> list[int]:
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(AudienceMember.customer_id)
                    .where(
                        AudienceMember.audience_id == audience_id,
                        AudienceMember.customer_id > after,
                    )
                    .order_by(AudienceMember.customer_id)
                    .limit(limit)
                ).scalars()
            )
