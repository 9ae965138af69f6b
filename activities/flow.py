"""Activities of flow runs: record a run's state, send a step's message, evaluate a CONDITION."""

import asyncio

from sqlalchemy import select
from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.config import Settings
from core.flows.run_io import ConditionInput, FlowStepInput, FlowStepResult
from core.flows.runs import customer_timezone, ensure_run, flow_status, record_state
from core.messaging import MessageContent, MessageSender, Recipient
from core.models import Message


def flow_message_key(run_id: int, step_key: str) -> str:
    return f"flow:{run_id}:{step_key}"


def step_content(step: dict) -> MessageContent:
    if step["type"] == "SEND_EMAIL":
        return MessageContent(
            channel="email",
            subject=step["subject"],
            preheader=step.get("preheader") or "",
            html=step["html"],
            text=step.get("text"),
        )
    return MessageContent(
        channel="push", title=step["title"], body=step["body"], deep_link=step.get("deep_link")
    )


class FlowActivities:
    def __init__(self, engine: Engine, settings: Settings, sender: MessageSender | None = None):
        self.engine = engine
        self.settings = settings
        self.sender = sender or MessageSender(engine, settings)

    @activity.defn(name="flow_run_step")
    async def flow_run_step(self, data: FlowStepInput) -> FlowStepResult:
        """Ensure the run's row and record its state, then send the step's message if any.

        One transaction claims the row, checks the flow and records the state the run is in
        once this step is done (the workflow moves there as soon as the activity completes;
        a failed send is retried by Temporal, so the state is not premature for long).
        A paused flow holds the send (`held`), an archived one ends the run (`ended`); a retry
        after a crash finds the message row already claimed and never sends twice.
        """
        run_id, status, timezone = await asyncio.to_thread(self._begin, data)
        result = FlowStepResult(run_id=run_id, outcome="recorded", timezone=timezone)
        if data.send is None:
            return result
        if status == "paused":
            return result.model_copy(update={"outcome": "held"})
        if status in ("archived", None):
            return result.model_copy(update={"outcome": "ended"})
        key = flow_message_key(run_id, data.step_key)
        outcome = await self.sender.send_batch(
            step_content(data.send),
            [
                Recipient(
                    customer_id=data.ref.customer_id,
                    idempotency_key=key,
                    flow_id=data.ref.flow_id,
                    flow_run_id=run_id,
                    step_key=data.step_key,
                )
            ],
            heartbeat=lambda _done: activity.heartbeat(),
        )
        if outcome.retry_later:
            raise ApplicationError(f"delivery of {key} deferred: {outcome.reasons}")
        message_id, message_status = await asyncio.to_thread(self._message, key)
        result.outcome = message_status or "skipped"
        result.message_id = message_id
        if message_status is None:
            result.detail = ", ".join(outcome.reasons) or None
        return result

    def _begin(self, data: FlowStepInput) -> tuple[int, str | None, str]:
        with self.engine.begin() as conn:
            run_id = ensure_run(conn, data.ref)
            status = flow_status(conn, data.ref.flow_id)
            held = data.send is not None and status != "active"
            if not held:
                record_state(conn, run_id, data.state)
            return run_id, status, customer_timezone(conn, data.ref.customer_id)

    def _message(self, key: str) -> tuple[int | None, str | None]:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(Message.id, Message.status).where(Message.idempotency_key == key)
            ).first()
        return (row[0], row[1]) if row else (None, None)

    @activity.defn(name="flow_evaluate_condition")
    def flow_evaluate_condition(self, data: ConditionInput) -> bool:
        """Does the customer match the CONDITION's criteria as of the run's (workflow) time?"""
        from core.flows.run_io import RunState
        from core.segments import CriteriaError, customer_matches, parse_criteria

        try:
            criteria = parse_criteria(data.criteria)
        except CriteriaError as exc:  # validated at publish; a registry change can still break it
            raise ApplicationError(f"invalid criteria: {exc}", non_retryable=True) from exc
        with self.engine.begin() as conn:
            run_id = ensure_run(conn, data.ref)
            record_state(conn, run_id, RunState(status="running", current_step=data.step_key))
            return bool(customer_matches(conn, criteria, data.ref.customer_id, data.as_of))
