"""One workflow per campaign (`campaign-{id}`): wait for the send time, snapshot the audience,
send it in keyset-paged batches (throttled, pausable, continue-as-new), mirror status and counts
into the Campaign row. A/B campaigns send variants to a test share first, then the winner.
"""

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from core.campaigns import lifecycle
    from core.temporal_names import KIND, STATUS
    from workflows.campaign_types import (
        CampaignProgress,
        CampaignRunState,
        CampaignWorkflowInput,
        MirrorInput,
        RescheduleInput,
        SendBatchInput,
        SendBatchResult,
        SnapshotInput,
        SnapshotResult,
        WinnerInput,
    )

# Short database work; retried with backoff for as long as it takes (a campaign stalls rather
# than fails on a database hiccup), except for errors the activity marks non-retryable.
DB_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30)
)
# Activities that are not registered on the worker (e.g. flow enrolment) fail at once.
FLOW_RETRY = RetryPolicy(maximum_attempts=5, non_retryable_error_types=["NotFoundError"])
MIRROR_EVERY = timedelta(seconds=2)


@workflow.defn(name="Campaign")
class CampaignWorkflow:
    @workflow.init
    def __init__(self, data: CampaignWorkflowInput) -> None:
        self.input = data
        self.state = data.state or CampaignRunState(
            status=lifecycle.SCHEDULED if data.send_at else lifecycle.SENDING,
            send_at=data.send_at,
        )
        self.batch_in_flight = False
        self.batches_this_run = 0
        self.schedule_version = 0
        self.mirror_lock = asyncio.Lock()
        self.last_mirror = None

    # --- the run -----------------------------------------------------------------------------

    @workflow.run
    async def run(self, data: CampaignWorkflowInput) -> CampaignProgress:
        self.last_mirror = workflow.now()
        try:
            if self.state.phase == "wait":
                await self._mirror()  # the row shows what the run is doing from its start
                await self._wait_for_send_time()
                if self.state.cancelled:
                    return await self._finish(lifecycle.CANCELLED)
                self._set_status(lifecycle.SENDING)
                await self._snapshot()
                self.state.phase = {"ab_test": "ab_test", "flow": "flow"}.get(data.kind, "send")
                await self._mirror()
            if self.state.phase == "flow":
                await self._enrol_in_flow()
            if self.state.phase in ("send", "ab_test"):
                await self._send_phase()
            if self.state.phase == "ab_wait":
                await self._wait_and_pick_winner()
            if self.state.phase == "ab_rest":
                await self._send_phase()
        except ActivityError as err:
            cause = err.cause
            self.state.error = str(cause.message if isinstance(cause, ApplicationError) else err)
            return await self._finish(lifecycle.FAILED)
        return await self._finish(
            lifecycle.CANCELLED if self.state.cancelled else lifecycle.COMPLETED
        )

    async def _wait_for_send_time(self) -> None:
        """A durable timer that the reschedule update can move (or cancel) before it fires."""
        while self.state.send_at is not None and not self.state.cancelled:
            delay = self.state.send_at - workflow.now()
            if delay <= timedelta(0):
                return
            version = self.schedule_version
            try:
                await workflow.wait_condition(
                    lambda v=version: self.state.cancelled or self.schedule_version != v,
                    timeout=delay,
                    timeout_summary="send time",
                )
            except TimeoutError:
                return

    async def _snapshot(self) -> None:
        if self.state.audience_id is not None:
            return
        result = await workflow.execute_activity(
            "snapshot_campaign_audience",
            SnapshotInput(campaign_id=self.input.campaign_id, as_of=workflow.now()),
            result_type=SnapshotResult,
            start_to_close_timeout=timedelta(minutes=10),
            retry_policy=DB_RETRY,
        )
        self.state.audience_id = result.audience_id
        self.state.total = result.total
        self.state.sending_started_at = workflow.now()

    async def _enrol_in_flow(self) -> None:
        result = await workflow.execute_activity(
            "enroll_audience_in_flow",
            {
                "flow_id": self.input.flow_id,
                "audience_id": self.state.audience_id,
                "campaign_id": self.input.campaign_id,
            },
            result_type=dict,
            start_to_close_timeout=timedelta(minutes=30),
            heartbeat_timeout=timedelta(minutes=2),
            retry_policy=FLOW_RETRY,
        )
        self.state.sent = int(result.get("enrolled", self.state.total) or 0)
        self.state.skipped = max(0, self.state.total - self.state.sent)
        self.state.phase = "done"

    async def _send_phase(self) -> None:
        """Keyset-paged batches, one per lane at a time, until every lane reads a short page."""
        lanes = max(1, self.input.lanes)
        limit = self.input.batch_size
        if self.input.rate_per_second:
            limit = max(1, min(limit, self.input.rate_per_second // lanes))
        if not self.state.cursors:
            self.state.cursors = [0] * lanes
            self.state.lanes_done = [False] * lanes
        while not self.state.cancelled and not all(self.state.lanes_done):
            await workflow.wait_condition(
                lambda: self.state.status != lifecycle.PAUSED or self.state.cancelled
            )
            if self.state.cancelled:
                return
            if self._continue_as_new_due():
                await self._continue_as_new()
            started = workflow.now()
            active = [i for i, done in enumerate(self.state.lanes_done) if not done]
            self.batch_in_flight = True
            try:
                results = await asyncio.gather(*(self._send_batch(i, lanes, limit) for i in active))
            finally:
                self.batch_in_flight = False
            self.batches_this_run += 1
            for lane, result in zip(active, results, strict=True):
                self.state.batches += 1
                self.state.cursors[lane] = result.last_customer_id
                self.state.lanes_done[lane] = result.scanned < limit
                self.state.sent += result.sent
                self.state.failed += result.failed
                self.state.skipped += result.skipped
            if all(self.state.lanes_done):
                break
            await self._throttle(started, sum(r.attempted for r in results))
            if workflow.now() - self.last_mirror >= MIRROR_EVERY:
                await self._mirror()
        if not self.state.cancelled:
            self._next_phase()
            await self._mirror()

    async def _send_batch(self, lane: int, lanes: int, limit: int) -> SendBatchResult:
        return await workflow.execute_activity(
            "send_campaign_batch",
            SendBatchInput(
                campaign_id=self.input.campaign_id,
                audience_id=self.state.audience_id,
                after_customer_id=self.state.cursors[lane],
                limit=limit,
                lane=lane,
                lanes=lanes,
                phase={"send": "all"}.get(self.state.phase, self.state.phase),
                ab_test_percent=self.input.ab_test_percent,
                winner_step_id=self.state.winner_step_id,
            ),
            result_type=SendBatchResult,
            start_to_close_timeout=timedelta(minutes=10),
            heartbeat_timeout=timedelta(seconds=10),
            retry_policy=DB_RETRY,
        )

    def _next_phase(self) -> None:
        self.state.cursors = []
        self.state.lanes_done = []
        if self.state.phase == "ab_test":
            self.state.phase = "ab_wait"
            wait = timedelta(seconds=self.input.ab_wait_seconds or 0)
            self.state.ab_decide_at = workflow.now() + wait
        else:
            self.state.phase = "done"

    async def _throttle(self, started, attempted: int) -> None:
        if not self.input.rate_per_second or not attempted:
            return
        due = started + timedelta(seconds=attempted / self.input.rate_per_second)
        if due > workflow.now():
            try:
                await workflow.wait_condition(
                    lambda: self.state.cancelled, timeout=due - workflow.now()
                )
            except TimeoutError:
                pass

    async def _wait_and_pick_winner(self) -> None:
        delay = self.state.ab_decide_at - workflow.now()
        if delay > timedelta(0):
            try:
                await workflow.wait_condition(
                    lambda: self.state.cancelled, timeout=delay, timeout_summary="A/B test"
                )
            except TimeoutError:
                pass
        if self.state.cancelled:
            return
        self.state.winner_step_id = await workflow.execute_activity(
            "pick_ab_winner",
            WinnerInput(campaign_id=self.input.campaign_id, metric=self.input.ab_winner_metric),
            result_type=int,
            start_to_close_timeout=timedelta(minutes=2),
            retry_policy=DB_RETRY,
        )
        self.state.phase = "ab_rest"

    def _continue_as_new_due(self) -> bool:
        return (
            self.batches_this_run >= self.input.max_batches_per_run
            or workflow.info().is_continue_as_new_suggested()
        )

    async def _continue_as_new(self) -> None:
        await self._mirror()
        await workflow.wait_condition(workflow.all_handlers_finished)
        self.state.runs += 1
        data = self.input
        data.state = self.state
        workflow.continue_as_new(data)

    async def _finish(self, status: str) -> CampaignProgress:
        self._set_status(status)
        self.state.phase = "done"
        await self._mirror()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.progress()

    # --- status, mirroring and progress --------------------------------------------------------

    def _set_status(self, status: str) -> None:
        if status == self.state.status:
            return
        self.state.status = status
        # Only where the run was started with Nudge's search attributes (registered on the
        # server); the time-skipping test server has none.
        if workflow.info().typed_search_attributes.get(KIND) is not None:
            workflow.upsert_search_attributes([STATUS.value_set(status)])
        workflow.set_current_details(f"status: **{status}**")

    async def _mirror(self) -> None:
        """Write status and counts into the Campaign row; serialized so the last write wins."""
        async with self.mirror_lock:
            s = self.state
            self.last_mirror = workflow.now()
            await workflow.execute_activity(
                "mirror_campaign",
                MirrorInput(
                    campaign_id=self.input.campaign_id,
                    status=s.status,
                    total=s.total,
                    sent=s.sent,
                    failed=s.failed,
                    skipped=s.skipped,
                    audience_id=s.audience_id,
                    scheduled_at=s.send_at,
                    error=s.error,
                ),
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=DB_RETRY,
            )

    @workflow.query
    def progress(self) -> CampaignProgress:
        s = self.state
        done = s.sent + s.failed + s.skipped
        remaining = max(0, s.total - done)
        if s.status == lifecycle.COMPLETED:
            remaining = 0
        rate = 0.0
        if s.sending_started_at is not None and done:
            elapsed = (workflow.now() - s.sending_started_at).total_seconds()
            rate = round(done / elapsed, 1) if elapsed > 0 else 0.0
        eta = round(remaining / rate, 1) if rate and s.status == lifecycle.SENDING else None
        return CampaignProgress(
            campaign_id=self.input.campaign_id,
            status=s.status,
            total=s.total,
            sent=s.sent,
            failed=s.failed,
            skipped=s.skipped,
            remaining=remaining,
            rate_per_second=rate,
            eta_seconds=eta,
        )

    # --- updates: validators reject illegal transitions before anything is written ----------

    def _check(self, action: str) -> None:
        try:
            lifecycle.check(action, self.state.status)
        except lifecycle.IllegalTransition as exc:
            raise ApplicationError(str(exc), type="IllegalTransition", non_retryable=True) from None

    @workflow.update
    async def pause(self) -> CampaignProgress:
        self._set_status(lifecycle.PAUSED)
        # Returns once the batch in flight is done: from then on nothing is sent.
        await workflow.wait_condition(lambda: not self.batch_in_flight)
        await self._mirror()
        return self.progress()

    @pause.validator
    def _validate_pause(self) -> None:
        self._check("pause")

    @workflow.update
    async def resume(self) -> CampaignProgress:
        self._set_status(lifecycle.SENDING)
        await self._mirror()
        return self.progress()

    @resume.validator
    def _validate_resume(self) -> None:
        self._check("resume")

    @workflow.update
    async def cancel(self) -> CampaignProgress:
        self.state.cancelled = True
        await workflow.wait_condition(lambda: not self.batch_in_flight)
        self._set_status(lifecycle.CANCELLED)
        await self._mirror()
        return self.progress()

    @cancel.validator
    def _validate_cancel(self) -> None:
        self._check("cancel")

    @workflow.update
    async def reschedule(self, data: RescheduleInput) -> CampaignProgress:
        """Move the timer (or fire it now, when send_at is None) without restarting the run."""
        self.state.send_at = data.send_at
        self.schedule_version += 1
        if data.send_at is None or data.send_at <= workflow.now():
            self.state.send_at = None
            self._set_status(lifecycle.SENDING)
        await self._mirror()
        return self.progress()

    @reschedule.validator
    def _validate_reschedule(self, data: RescheduleInput) -> None:
        self._check("schedule")
        if self.state.phase != "wait":
            raise ApplicationError("the campaign has started sending", type="IllegalTransition")
