"""Activities of cohort runs: batch sends over a cohort's active members, state, splits."""

import asyncio

from sqlalchemy.engine import Engine
from temporalio import activity

from activities.flow import flow_message_key, step_content
from core.config import Settings
from core.flows import cohorts
from core.flows.run_io import (
    CohortSplitInput,
    CohortSplitResult,
    CohortStepInput,
    CohortStepResult,
    RunState,
)
from core.flows.runs import flow_status
from core.messaging import MessageSender, Recipient


class FlowCohortActivities:
    def __init__(self, engine: Engine, settings: Settings, sender: MessageSender | None = None):
        self.engine = engine
        self.settings = settings
        self.sender = sender or MessageSender(engine, settings)

    @activity.defn(name="flow_cohort_step")
    async def flow_cohort_step(self, data: CohortStepInput) -> CohortStepResult:
        """Send the step to every active member (members who exited are filtered in SQL at
        each page), then record their state. Pages are keyset by run id and heartbeated: a retry
        goes on from the last page, and messages already claimed are never sent twice."""
        status = await asyncio.to_thread(self._flow_status, data.flow_id)
        if data.send is None:
            await asyncio.to_thread(self._record, data.cohort_id, data.state, None)
            return CohortStepResult(outcome="recorded", active=await self._active(data))
        if status == "paused":
            return CohortStepResult(outcome="held", active=await self._active(data))
        if status != "active":
            state = RunState(status="exited", exit_reason="flow archived")
            await asyncio.to_thread(self._record, data.cohort_id, state, None)
            return CohortStepResult(outcome="ended")
        details = activity.info().heartbeat_details
        after = int(details[0]) if details else 0
        result = CohortStepResult(outcome="sent")
        content = step_content(data.send)
        while True:
            page = await asyncio.to_thread(self._page, data.cohort_id, after, data.batch_size)
            if not page:
                break
            recipients = [
                Recipient(
                    customer_id=customer_id,
                    idempotency_key=flow_message_key(run_id, data.step_key),
                    flow_id=data.flow_id,
                    flow_run_id=run_id,
                    step_key=data.step_key,
                )
                for run_id, customer_id in page
            ]
            outcome = await self.sender.send_batch(content, recipients)
            if outcome.retry_later:
                raise RuntimeError(f"{outcome.retry_later} messages deferred; retrying the page")
            result.sent += outcome.sent
            result.skipped += outcome.skipped
            result.failed += outcome.failed
            run_ids = [run_id for run_id, _ in page]
            await asyncio.to_thread(self._record, data.cohort_id, data.state, run_ids)
            after = run_ids[-1]
            activity.heartbeat(after)
        result.active = await self._active(data)
        return result

    async def _active(self, data: CohortStepInput) -> int:
        return await asyncio.to_thread(self._count, data.cohort_id)

    def _count(self, cohort_id: int) -> int:
        with self.engine.connect() as conn:
            return cohorts.count_active(conn, cohort_id)

    def _flow_status(self, flow_id: int) -> str | None:
        with self.engine.connect() as conn:
            return flow_status(conn, flow_id)

    def _page(self, cohort_id: int, after: int, limit: int):
        with self.engine.connect() as conn:
            return cohorts.active_page(conn, cohort_id, after, limit)

    def _record(self, cohort_id: int, state: RunState, run_ids: list[int] | None) -> None:
        with self.engine.begin() as conn:
            cohorts.record_members(conn, cohort_id, state, run_ids)

    @activity.defn(name="flow_cohort_zones")
    def flow_cohort_zones(self, cohort_id: int) -> dict[str, int]:
        with self.engine.connect() as conn:
            return cohorts.zones(conn, cohort_id)

    @activity.defn(name="flow_cohort_split")
    def flow_cohort_split(self, data: CohortSplitInput) -> CohortSplitResult:
        key = f"{data.step_key}:" + (
            "false" if data.criteria is not None else ",".join(sorted(data.zones or []))
        )
        with self.engine.begin() as conn:
            new_id, workflow_id, moved, remaining = cohorts.split(
                conn, data.cohort_id, key[:200], data.criteria, data.as_of, data.zones
            )
        return CohortSplitResult(
            new_cohort_id=new_id, workflow_id=workflow_id, moved=moved, remaining=remaining
        )
