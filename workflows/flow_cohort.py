"""A cohort run: one workflow walks many customers who entered a flow version together.

Members are flow_run rows (state, messages and exits per customer, as for single runs). A send
step is one batch activity over the members still active (exits are filtered in SQL at each
page); a duration WAIT is one timer; a WAIT until a local time — and a send due in quiet hours —
splits the cohort by time zone into child cohorts that wake at their own local time; a CONDITION
splits it in SQL into a child cohort for the false branch. Positions are indexes into the
version's compiled steps (core.flows.program), so a child or a continue-as-new starts anywhere.
Id: `flow-{flow_id}-cohort-{cohort_id}`.
"""

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from core.flows.entry import cohort_search_attributes
    from core.flows.program import Instruction, compile_steps
    from core.flows.run_io import (
        CohortInput,
        CohortSplitInput,
        CohortSplitResult,
        CohortStepInput,
        CohortStepResult,
        ExitSignal,
        FlowRunView,
        RunState,
        StepDone,
    )
    from core.flows.timing import next_local_time, quiet_hours_end, zone
    from core.temporal_names import STATUS

RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))
SHORT = timedelta(minutes=2)


@workflow.defn(name="FlowCohort")
class FlowCohortWorkflow:
    def __init__(self) -> None:
        self._view = FlowRunView()
        self._exit: ExitSignal | None = None
        self._resume = False

    @workflow.run
    async def run(self, data: CohortInput) -> FlowRunView:
        self._data = data
        program = compile_steps(data.definition.get("steps", []))
        quiet = data.definition.get("quiet_hours")
        pc: int | None = data.pc
        recorded_wait: int | None = None
        while pc is not None:
            if self._exit is not None:
                await self._members(
                    RunState(status=self._exit.status, exit_reason=self._exit.reason)
                )
                return self._finish(self._exit.status)
            if workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(data.model_copy(update={"pc": pc}))
            ins = program[pc]
            self._view.current_step = ins.key
            if ins.type in ("SEND_EMAIL", "SEND_PUSH"):
                if quiet:
                    wake = await self._split_by_zone(
                        pc,
                        ins,
                        lambda tz, q=quiet: quiet_hours_end(
                            workflow.now(), q["start"], q["end"], tz
                        ),
                    )
                    if wake is not None:
                        await self._sleep(wake, ins.key)
                        continue
                following = program[ins.next] if ins.next is not None else None
                after = self._state_after(ins, following)
                result = await self._send(ins, after)
                if result is None:  # archived
                    return self._finish("exited")
                if result.outcome == "held":
                    continue
                self._done(ins, f"sent {result.sent}, skipped {result.skipped}")
                if result.active == 0 and after.status != "completed":
                    return self._finish("completed")  # everyone exited: nothing left to do
                if after.status == "completed":
                    return self._finish("completed")
                recorded_wait = ins.next if after.status == "waiting" else None
                pc = ins.next
            elif ins.type == "WAIT":
                if ins.step.get("duration_seconds"):
                    wake = workflow.now() + timedelta(seconds=ins.step["duration_seconds"])
                else:
                    hhmm = ins.step["until_local_time"]
                    wake = await self._split_by_zone(
                        pc, ins, lambda tz, h=hhmm: next_local_time(workflow.now(), h, tz)
                    )
                if recorded_wait != pc:
                    await self._members(
                        RunState(status="waiting", current_step=ins.key, next_wake_at=wake)
                    )
                recorded_wait = None
                await self._sleep(wake, ins.key, record=False)
                self._done(ins, "waited")
                pc = ins.next
            elif ins.type == "CONDITION":
                split = await self._split(
                    CohortSplitInput(
                        cohort_id=data.cohort_id,
                        step_key=ins.key,
                        criteria=ins.step["criteria"],
                        as_of=workflow.now(),
                    )
                )
                if split.new_cohort_id is not None and ins.if_false is not None:
                    await self._child(split, ins.if_false)
                elif split.new_cohort_id is not None:  # the false branch ends the flow
                    await self._child(split, None)
                self._done(ins, f"true {split.remaining}, false {split.moved}")
                if split.remaining == 0:
                    return self._finish("completed")
                pc = ins.if_true
            else:  # EXIT
                self._done(ins, "exit")
                pc = None
        await self._members(RunState(status="completed"))
        return self._finish("completed")

    # -- messages ------------------------------------------------------------------------

    @workflow.signal(name="exit")
    def exit(self, signal: ExitSignal) -> None:
        """Ends the whole cohort (archive); one member's exit is a database update."""
        if self._exit is None:
            self._exit = signal

    @workflow.signal(name="resume")
    def resume(self) -> None:
        self._resume = True

    @workflow.query(name="state")
    def state(self) -> FlowRunView:
        return self._view

    # -- steps ---------------------------------------------------------------------------

    def _state_after(self, ins: Instruction, following: Instruction | None) -> RunState:
        if following is None:
            return RunState(status="completed", current_step=ins.key)
        if following.type == "WAIT" and following.step.get("duration_seconds"):
            wake = workflow.now() + timedelta(seconds=following.step["duration_seconds"])
            return RunState(status="waiting", current_step=following.key, next_wake_at=wake)
        return RunState(status="running", current_step=ins.key)

    async def _send(self, ins: Instruction, after: RunState) -> CohortStepResult | None:
        while True:
            result = await self._step(
                CohortStepInput(
                    cohort_id=self._data.cohort_id,
                    flow_id=self._data.flow_id,
                    step_key=ins.key,
                    send=ins.step,
                    state=after,
                )
            )
            if result.outcome == "ended":
                return None
            if result.outcome != "held":
                return result
            self._set_status("paused")
            self._resume = False
            await workflow.wait_condition(
                lambda: self._exit is not None or self._resume,
                timeout=timedelta(seconds=self._data.hold_poll_seconds),
            )
            if self._exit is not None:
                return CohortStepResult(outcome="held")

    async def _split_by_zone(self, pc: int, ins: Instruction, wake_for) -> datetime | None:
        """Group the active members' time zones by their wake-up instant (None: now); the
        earliest group stays here, every other group becomes a child cohort starting at `pc`.
        Returns this cohort's wake-up instant (None: go on now)."""
        counts = await workflow.execute_activity(
            "flow_cohort_zones",
            self._data.cohort_id,
            result_type=dict[str, int],
            start_to_close_timeout=SHORT,
            retry_policy=RETRY,
        )
        fallback = (self._data.definition.get("quiet_hours") or {}).get("timezone", "UTC")
        groups: dict[datetime | None, list[str]] = {}
        for name in sorted(counts):
            groups.setdefault(wake_for(zone(name or None, fallback)), []).append(name)
        order = sorted(groups, key=lambda w: (w is not None, w or workflow.now()))
        for wake in order[1:]:
            split = await self._split(
                CohortSplitInput(
                    cohort_id=self._data.cohort_id, step_key=ins.key, zones=groups[wake]
                )
            )
            if split.new_cohort_id is not None:
                await self._child(split, pc)
        return order[0] if order else None

    async def _split(self, split: CohortSplitInput) -> CohortSplitResult:
        return await workflow.execute_activity(
            "flow_cohort_split",
            split,
            result_type=CohortSplitResult,
            start_to_close_timeout=SHORT,
            retry_policy=RETRY,
        )

    async def _child(self, split: CohortSplitResult, pc: int | None) -> None:
        """The split-off members go on as their own cohort (which outlives this one)."""
        if pc is None:  # nothing left for them to do
            await self._members(RunState(status="completed"), cohort_id=split.new_cohort_id)
            return
        data = self._data.model_copy(update={"cohort_id": split.new_cohort_id, "pc": pc})
        await workflow.start_child_workflow(
            "FlowCohort",
            data,
            id=split.workflow_id,
            parent_close_policy=workflow.ParentClosePolicy.ABANDON,
            search_attributes=cohort_search_attributes(data),
        )

    async def _sleep(self, wake: datetime | None, key: str, record: bool = True) -> None:
        if wake is None:
            return
        if record:
            await self._members(RunState(status="waiting", current_step=key, next_wake_at=wake))
        self._view.next_wake_at = wake
        self._set_status("waiting")
        delay = (wake - workflow.now()).total_seconds()
        if delay > 0:
            try:
                await workflow.wait_condition(lambda: self._exit is not None, timeout=delay)
            except TimeoutError:
                pass
        self._view.next_wake_at = None
        self._set_status("running")

    async def _members(self, state: RunState, cohort_id: int | None = None) -> None:
        await self._step(
            CohortStepInput(
                cohort_id=cohort_id or self._data.cohort_id,
                flow_id=self._data.flow_id,
                state=state,
            )
        )

    async def _step(self, step: CohortStepInput) -> CohortStepResult:
        return await workflow.execute_activity(
            "flow_cohort_step",
            step,
            result_type=CohortStepResult,
            start_to_close_timeout=timedelta(seconds=self._data.step_timeout_seconds),
            heartbeat_timeout=timedelta(seconds=self._data.heartbeat_timeout_seconds),
            retry_policy=RETRY,
        )

    def _finish(self, status: str) -> FlowRunView:
        self._set_status(status)
        return self._view

    def _set_status(self, status: str) -> None:
        previous = self._view.status
        if previous == status:
            return
        self._view.status = status
        if status not in ("running", "waiting") or previous == "paused":
            workflow.upsert_search_attributes([STATUS.value_set(status)])

    def _done(self, ins: Instruction, outcome: str) -> None:
        self._view.steps_done.append(
            StepDone(key=ins.key, type=ins.type, at=workflow.now(), outcome=outcome)
        )
