"""One customer's walk through one flow version: `flow-{flow_id}-customer-{customer_id}[-key]`.

The run interprets its frozen definition (a plain dict, so a change to validation rules can never
break the replay of a recorded history). All I/O is in activities: `flow_run_step` records the
run's state and sends (idempotency key `flow:{run_id}:{step_key}`), `flow_evaluate_condition`
evaluates segment criteria as of workflow time. Exits arrive as signals and are honoured before
every step, so an exit during a WAIT ends the run with no further message.
"""

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from core.flows.run_io import (
        ConditionInput,
        EntrySignal,
        ExitSignal,
        FlowRunInput,
        FlowRunView,
        FlowStepInput,
        FlowStepResult,
        RunRef,
        RunState,
        StepDone,
    )
    from core.flows.timing import next_local_time, quiet_hours_end, zone
    from core.temporal_names import STATUS

RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))
SEND_STEPS = ("SEND_EMAIL", "SEND_PUSH")


class _Jump:
    def __init__(self, key: str):
        self.key = key


_EXIT = object()


@workflow.defn(name="FlowRun")
class FlowRunWorkflow:
    def __init__(self) -> None:
        self._view = FlowRunView()
        self._exit: ExitSignal | None = None
        self._resume = False
        self._timezone: str | None = None
        self._recorded_wait: str | None = None  # a WAIT whose state the previous send recorded
        self._entries = 0

    @workflow.run
    async def run(self, data: FlowRunInput) -> FlowRunView:
        self._data = data
        info = workflow.info()
        self._ref = RunRef(
            flow_id=data.flow_id,
            flow_version_id=data.flow_version_id,
            customer_id=data.customer_id,
            workflow_id=info.workflow_id,
            temporal_run_id=info.first_execution_run_id,
            entered_via=data.entered_via,
            entry_key=data.entry_key,
        )
        definition = data.definition
        quiet = definition.get("quiet_hours")
        self._quiet = quiet
        steps = definition.get("steps", [])
        if quiet or _needs_timezone(steps):
            await self._record(RunState(status="running"))  # learns the customer's timezone
        finished = await self._walk_top(steps)
        if self._exit is not None:
            await self._record(RunState(status=self._exit.status, exit_reason=self._exit.reason))
        elif not finished:
            await self._record(RunState(status="completed"))
        return self._view

    # -- messages ------------------------------------------------------------------------

    @workflow.signal(name="enter")
    def enter(self, entry: EntrySignal) -> None:
        """Signal-with-start delivers this to new and running runs alike."""
        self._entries += 1

    @workflow.signal(name="exit")
    def exit(self, signal: ExitSignal) -> None:
        if self._exit is None:
            self._exit = signal

    @workflow.signal(name="resume")
    def resume(self) -> None:
        self._resume = True

    @workflow.query(name="state")
    def state(self) -> FlowRunView:
        return self._view

    # -- walking the steps ---------------------------------------------------------------

    async def _walk_top(self, steps: list[dict]) -> bool:
        """Walk the top level; True when the final state was already recorded."""
        index = 0
        keys = [step.get("key") for step in steps]
        while index < len(steps):
            following = steps[index + 1] if index + 1 < len(steps) else None
            outcome = await self._step(steps[index], following, is_top=True)
            if outcome is _EXIT:
                return False
            if outcome is True:  # the last send recorded completion
                return True
            if isinstance(outcome, _Jump):
                index = keys.index(outcome.key)
                continue
            index += 1
        return False

    async def _walk_branch(self, steps: list[dict]):
        for step in steps:
            outcome = await self._step(step, None, is_top=False)
            if outcome is _EXIT or isinstance(outcome, _Jump):
                return outcome
        return None

    async def _step(self, step: dict, following: dict | None, is_top: bool):
        if self._exit is not None:
            return _EXIT
        kind = step["type"]
        key = step["key"]
        self._view.current_step = key
        if kind in SEND_STEPS:
            return await self._send(step, following, is_top)
        if kind == "WAIT":
            await self._wait(step)
            return _EXIT if self._exit is not None else None
        if kind == "CONDITION":
            matched = await workflow.execute_activity(
                "flow_evaluate_condition",
                ConditionInput(
                    ref=self._ref, step_key=key, criteria=step["criteria"], as_of=workflow.now()
                ),
                result_type=bool,
                start_to_close_timeout=self._step_timeout,
                retry_policy=RETRY,
            )
            self._done(step, "true" if matched else "false")
            branch = step.get("if_true" if matched else "if_false") or []
            if isinstance(branch, str):
                return _Jump(branch)
            return await self._walk_branch(branch)
        if kind == "EXIT":
            self._done(step, "exit")  # the flow's own end: the run completes
            return _EXIT
        raise workflow.ApplicationError(f"unknown step type {kind!r}", non_retryable=True)

    async def _send(self, step: dict, following: dict | None, is_top: bool):
        key = step["key"]
        while True:
            if self._exit is not None:
                return _EXIT
            if self._quiet:
                until = quiet_hours_end(
                    workflow.now(), self._quiet["start"], self._quiet["end"], self._tz()
                )
                if until is not None:
                    await self._sleep_until(until, key)
                    continue
            after = self._state_after(following, is_top, key)
            result = await self._execute_step(
                FlowStepInput(ref=self._ref, step_key=key, send=step, state=after)
            )
            if result.outcome == "held":  # the flow is paused: hold here, check again later
                self._set_status("paused")
                self._resume = False
                await workflow.wait_condition(
                    lambda: self._exit is not None or self._resume,
                    timeout=timedelta(seconds=self._data.hold_poll_seconds),
                )
                continue
            if result.outcome == "ended":  # archived
                self.exit(ExitSignal(reason="flow archived", status="exited"))
                return _EXIT
            self._done(step, result.outcome, result.message_id)
            self._apply(after)
            if after.status == "completed":
                return True
            if following is not None and following.get("type") == "WAIT":
                self._recorded_wait = following["key"]
            return None

    def _state_after(self, following: dict | None, is_top: bool, key: str) -> RunState:
        """Fold the next state into the send, saving an activity per step."""
        if is_top and following is None:
            return RunState(status="completed", current_step=key)
        if following is not None and following.get("type") == "WAIT":
            wake = self._wake_time(following)
            if wake is not None:
                return RunState(status="waiting", current_step=following["key"], next_wake_at=wake)
        return RunState(status="running", current_step=key)

    def _wake_time(self, step: dict) -> datetime | None:
        if step.get("duration_seconds"):
            return workflow.now() + timedelta(seconds=step["duration_seconds"])
        if step.get("until_local_time") and self._timezone_known:
            return next_local_time(workflow.now(), step["until_local_time"], self._tz())
        return None

    async def _wait(self, step: dict) -> None:
        key = step["key"]
        wake = self._wake_time(step)
        if wake is None:  # a local-time wait before the timezone is known
            await self._record(RunState(status="running", current_step=key))
            wake = self._wake_time(step)
        if self._recorded_wait == key:
            self._recorded_wait = None
            self._view.next_wake_at = wake
            self._set_status("waiting")
        else:
            await self._record(RunState(status="waiting", current_step=key, next_wake_at=wake))
        await self._sleep_until(wake, key, record=False)
        self._done(step, "exited" if self._exit is not None else "waited")

    async def _sleep_until(self, wake: datetime, key: str, record: bool = True) -> None:
        if record:
            await self._record(RunState(status="waiting", current_step=key, next_wake_at=wake))
        delay = (wake - workflow.now()).total_seconds()
        if delay > 0:
            try:
                await workflow.wait_condition(lambda: self._exit is not None, timeout=delay)
            except TimeoutError:
                pass
        self._view.next_wake_at = None
        if self._exit is None:
            self._set_status("running")

    # -- state ---------------------------------------------------------------------------

    async def _record(self, state: RunState) -> FlowStepResult:
        result = await self._execute_step(FlowStepInput(ref=self._ref, state=state))
        self._apply(state)
        return result

    async def _execute_step(self, step_input: FlowStepInput) -> FlowStepResult:
        result = await workflow.execute_activity(
            "flow_run_step",
            step_input,
            result_type=FlowStepResult,
            start_to_close_timeout=self._step_timeout,
            retry_policy=RETRY,
        )
        self._view.run_id = result.run_id
        if result.timezone is not None or self._timezone is None:
            self._timezone = result.timezone or ""
        return result

    @property
    def _step_timeout(self) -> timedelta:
        return timedelta(seconds=self._data.step_timeout_seconds)

    @property
    def _timezone_known(self) -> bool:
        return self._timezone is not None

    def _tz(self):
        fallback = (self._quiet or {}).get("timezone", "UTC")
        return zone(self._timezone or None, fallback)

    def _apply(self, state: RunState) -> None:
        if state.current_step is not None:
            self._view.current_step = state.current_step
        self._view.next_wake_at = state.next_wake_at
        self._view.exit_reason = state.exit_reason
        self._set_status(state.status)

    def _set_status(self, status: str) -> None:
        """The STATUS search attribute follows what ops filter by (paused, finished); the
        running/waiting flip-flop stays in the query and the database, sparing the server a
        visibility update per step."""
        previous = self._view.status
        if previous == status:
            return
        self._view.status = status
        if status not in ("running", "waiting") or previous == "paused":
            workflow.upsert_search_attributes([STATUS.value_set(status)])

    def _done(self, step: dict, outcome: str, message_id: int | None = None) -> None:
        self._view.steps_done.append(
            StepDone(
                key=step["key"],
                type=step["type"],
                at=workflow.now(),
                outcome=outcome,
                message_id=message_id,
            )
        )


def _needs_timezone(steps: list[dict]) -> bool:
    for step in steps:
        if step.get("type") == "WAIT" and step.get("until_local_time"):
            return True
        if step.get("type") == "CONDITION":
            for branch in (step.get("if_true"), step.get("if_false")):
                if isinstance(branch, list) and _needs_timezone(branch):
                    return True
    return False
