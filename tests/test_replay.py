"""Every recorded history in tests/histories replays against the current workflow code, and a
deliberately non-deterministic change is caught.

Flow histories (`flow_*.json`) are recorded from real runs on the time-skipping server:
`RECORD_HISTORIES=1 pytest tests/test_replay.py -k record` rewrites them (only do that when a
workflow change is meant to break compatibility with runs in flight, i.e. a new workflow type).
"""

import json
import os
from pathlib import Path

import pytest
from temporalio import workflow

from core.flows.run_io import ExitSignal, FlowRunInput, FlowRunView
from scripts.replay import load_history_file, main, replay
from tests import test_flows_support as support
from workflows import ALL_WORKFLOWS
from workflows.flow_run import FlowRunWorkflow

HISTORIES = Path(__file__).parent / "histories"
ALL_FILES = sorted(HISTORIES.glob("*.json"))
FLOW_FILES = sorted(HISTORIES.glob("flow_*.json"))

ts_env = support.ts_env


def test_flow_histories_are_recorded():
    assert {p.stem for p in FLOW_FILES} >= {
        "flow_welcome",
        "flow_exit",
        "flow_branches",
        "flow_cohort",
    }


@pytest.mark.parametrize("path", ALL_FILES, ids=[p.stem for p in ALL_FILES])
async def test_history_replays_against_current_code(path):
    [(workflow_id, error)] = await replay([load_history_file(path)])
    assert error is None, f"{path.name} ({workflow_id}) no longer replays: {error}"


@workflow.defn(name="FlowRun", sandboxed=False)
class FlowRunWithExtraTimer(FlowRunWorkflow):
    """A careless change: a timer before the first step, which recorded histories lack."""

    @workflow.run
    async def run(self, data: FlowRunInput) -> FlowRunView:
        await workflow.sleep(1)
        return await super().run(data)


async def test_non_deterministic_change_is_caught():
    history = load_history_file(HISTORIES / "flow_welcome.json")
    [(_, error)] = await replay([history], workflows=[FlowRunWithExtraTimer])
    assert isinstance(error, workflow.NondeterminismError), error
    [(_, error)] = await replay([history], workflows=ALL_WORKFLOWS)
    assert error is None


async def test_replay_command_exit_status(capsys):
    assert await main([str(p) for p in FLOW_FILES]) == 0
    assert "histories replay against the working tree" in capsys.readouterr().out
    assert await main([]) == 2


# -- recording ---------------------------------------------------------------------------------

BRANCHES = {
    "name": "Branches",
    "trigger": {"type": "manual"},
    "quiet_hours": {"start": "22:00", "end": "07:00"},
    "exit_events": ["placed_order"],
    "steps": [
        {"type": "WAIT", "until_local_time": "23:00"},
        {
            "type": "CONDITION",
            "criteria": {
                "match": "all",
                "conditions": [{"field": "country", "op": "eq", "value": "FR"}],
            },
            "if_true": [{"type": "SEND_EMAIL", "subject": "Bonjour", "html": "<p>Salut</p>"}],
            "if_false": "last",
        },
        {"type": "SEND_PUSH", "title": "Only FR", "body": "..."},
        {"key": "last", "type": "SEND_EMAIL", "subject": "Bye", "html": "<p>Bye</p>"},
        {"type": "EXIT"},
    ],
}


@pytest.mark.skipif(not os.environ.get("RECORD_HISTORIES"), reason="set RECORD_HISTORIES=1")
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_record_flow_histories(ts_env, settings, engine):
    client = ts_env.client
    recorded = {}
    async with support.flow_worker(client, settings, engine) as queue:
        welcome = support.publish_flow(engine, support.WELCOME)
        entry = await support.start(client, queue, welcome, support.make_customer(engine))
        await entry.handle.result()
        recorded["flow_welcome"] = entry.handle

        exits = support.publish_flow(engine, {**support.WELCOME, "exit_events": ["placed_order"]})
        entry = await support.start(client, queue, exits, support.make_customer(engine))
        await support.wait_for(lambda: _waiting(entry.handle))
        await entry.handle.signal("exit", ExitSignal(reason="event placed_order"))
        await entry.handle.result()
        recorded["flow_exit"] = entry.handle

        branches = support.publish_flow(engine, BRANCHES)
        customer = support.make_customer(engine, tz="Europe/Paris", country="FR")
        entry = await support.start(client, queue, branches, customer)
        await entry.handle.result()
        recorded["flow_branches"] = entry.handle

        from core.flows.entry import start_cohort

        members = [support.make_customer(engine, tz="Europe/Paris") for _ in range(3)]
        cohort = await start_cohort(client, queue, engine, exits, "manual", customer_ids=members)
        await cohort.handle.result()
        recorded["flow_cohort"] = cohort.handle
    for name, handle in recorded.items():
        history = await handle.fetch_history()
        payload = {"workflow_id": history.workflow_id, "history": json.loads(history.to_json())}
        (HISTORIES / f"{name}.json").write_text(json.dumps(payload, indent=1) + "\n")


async def _waiting(handle) -> bool:
    state = await handle.query("state", result_type=FlowRunView)
    return state.status == "waiting"
