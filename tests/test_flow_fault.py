"""Fault test: a Temporal dev server persisted to a file is restarted while runs wait, and a
worker subprocess is killed with SIGKILL in the middle of its send steps. Every run completes
with exactly one message per step: none lost, none doubled."""

import asyncio
import os
import signal
import socket
import subprocess
import sys

import pytest
from sqlmodel import Session, select

from core.flows.run_io import FINISHED_STATUSES
from core.models import FlowRun, Message
from core.temporal_names import cli_search_attribute_flags
from tests.conftest import temporal_binary
from tests.test_flows_support import make_customer, publish_flow, wait_for

FLOW = {
    "name": "Fault",
    "trigger": {"type": "manual"},
    "steps": [
        {"type": "SEND_EMAIL", "subject": "One", "html": "<p>1</p>"},
        {"type": "WAIT", "duration_seconds": 4},
        {"type": "SEND_PUSH", "title": "Two", "body": "2"},
    ],
}

# The worker subprocess. SLOW_AFTER_SEND holds each send step after its message is recorded as
# sent, so the kill lands between "sent" and "activity completed" (the riskiest moment).
WORKER = """
import asyncio, os, sys, time
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from core.config import Settings
from core.db import make_engine
import activities.flow as flow_activities
from worker import build_worker

slow = float(os.environ.get("SLOW_AFTER_SEND", "0"))
if slow:
    original = flow_activities.FlowActivities._message
    def _message(self, key):
        time.sleep(slow)
        return original(self, key)
    flow_activities.FlowActivities._message = _message
    import activities.flow_cohort as cohort_activities
    original_record = cohort_activities.FlowCohortActivities._record
    def _record(self, cohort_id, state, run_ids):
        if run_ids is not None:  # after each page of a cohort send
            time.sleep(slow)
        return original_record(self, cohort_id, state, run_ids)
    cohort_activities.FlowCohortActivities._record = _record

async def main():
    settings = Settings(_env_file=None, environment="test", secret_key="fault-test-secret")
    engine = make_engine(os.environ["DB_URL"])
    client = await Client.connect(os.environ["TEMPORAL"], data_converter=pydantic_data_converter)
    async with build_worker(client, settings, engine, task_queue=os.environ["QUEUE"]):
        print("ready", flush=True)
        await asyncio.Event().wait()

asyncio.run(main())
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DevServer:
    def __init__(self, db_file):
        self.db_file = db_file
        self.port, self.http_port = _free_port(), _free_port()
        self.metrics_port = _free_port()
        self.process = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self):
        args = [
            temporal_binary("temporal"),
            "server",
            "start-dev",
            "--db-filename",
            str(self.db_file),
            "--ip",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--http-port",
            str(self.http_port),
            "--metrics-port",
            str(self.metrics_port),
            "--headless",
            "--log-level",
            "error",
            *cli_search_attribute_flags(),
        ]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return await self.connect()

    async def connect(self):
        from temporalio.client import Client
        from temporalio.contrib.pydantic import pydantic_data_converter

        for _ in range(150):
            try:
                return await Client.connect(self.address, data_converter=pydantic_data_converter)
            except RuntimeError:
                await asyncio.sleep(0.2)
        raise AssertionError("the dev server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _start_worker(server, db_url, queue, slow=0.0) -> subprocess.Popen:
    env = {
        **os.environ,
        "DB_URL": db_url,
        "TEMPORAL": server.address,
        "QUEUE": queue,
        "SLOW_AFTER_SEND": str(slow),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER], env=env, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "ready"
    return process


def _messages(engine) -> list[Message]:
    with Session(engine) as session:
        return list(session.exec(select(Message)))


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_restart_server_and_kill_worker_mid_step(tmp_path, engine, backend):
    from core.flows.entry import enter_flow

    db_url = str(engine.url)
    version = publish_flow(engine, FLOW)
    customers = [make_customer(engine) for _ in range(12)]
    server = DevServer(tmp_path / "temporal.db")
    workers = []
    try:
        client = await server.start()
        queue = "fault"
        workers.append(_start_worker(server, db_url, queue, slow=2.0))
        for customer in customers:
            await enter_flow(client, queue, version, customer, "manual", step_timeout_seconds=3)
        # Kill the worker while first sends are recorded but their activities not completed.
        await wait_for(lambda: any(m.status == "sent" for m in _messages(engine)), timeout=60)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait()
        # Proof the kill landed mid-step: a message went out, its activity never completed.
        with Session(engine) as session:
            sent = {m.flow_run_id for m in _messages(engine) if m.status == "sent"}
            caught = [r for r in session.exec(select(FlowRun)) if r.id in sent]
        pending = [
            (await client.get_workflow_handle(r.workflow_id).describe()).raw_description
            for r in caught
        ]
        assert any(d.pending_activities for d in pending)
        # Restart the server while the runs are mid-step or waiting (state lives in the file).
        server.stop()
        client = await server.start()
        workers.append(_start_worker(server, db_url, queue))

        def all_finished():
            with Session(engine) as session:
                runs = session.exec(select(FlowRun)).all()
            return len(runs) == len(customers) and all(r.status in FINISHED_STATUSES for r in runs)

        await wait_for(all_finished, timeout=90, interval=0.5)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        server.stop()
    with Session(engine) as session:
        runs = session.exec(select(FlowRun)).all()
    assert {r.status for r in runs} == {"completed"}
    messages = _messages(engine)
    keys = sorted(m.idempotency_key for m in messages)
    expected = sorted(f"flow:{r.id}:{step}" for r in runs for step in ("s1", "s3"))
    assert keys == expected  # one message per run and step: none lost, none doubled
    assert {m.status for m in messages} == {"sent"}


async def test_kill_worker_during_cohort_send(dev_server_env, engine, backend):
    """SIGKILL while a cohort's batch send is between pages: after the retry every member has
    exactly one message per step."""
    from sqlalchemy import func

    from core.flows.entry import start_cohort

    if backend != "sqlite":
        pytest.skip("the worker subprocess connects by URL; the PostgreSQL fixture is a schema")
    client = dev_server_env.client
    address = client.service_client.config.target_host
    version = publish_flow(engine, {**FLOW, "steps": [FLOW["steps"][0], FLOW["steps"][2]]})
    members = [make_customer(engine) for _ in range(1100)]  # three pages of 500
    queue = f"cohort-fault-{members[0]}"
    server = type("Server", (), {"address": address})()
    worker = _start_worker(server, str(engine.url), queue, slow=3.0)
    replacement = None
    try:
        cohort = await start_cohort(
            client,
            queue,
            engine,
            version,
            "manual",
            customer_ids=members,
            heartbeat_timeout_seconds=2,
        )
        await wait_for(lambda: any(m.status == "sent" for m in _messages(engine)), timeout=60)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        with Session(engine) as session:
            sent = session.exec(select(func.count()).select_from(Message)).one()
        assert 0 < sent < 2 * len(members)  # killed mid-send
        replacement = _start_worker(server, str(engine.url), queue)
        await cohort.handle.result()
    finally:
        for process in (worker, replacement):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    messages = _messages(engine)
    assert len(messages) == 2 * len(members)
    assert {m.status for m in messages} == {"sent"}
    per_customer = {}
    for m in messages:
        per_customer.setdefault(m.customer_id, []).append(m.channel)
    assert all(sorted(c) == ["email", "push"] for c in per_customer.values())
    assert len(per_customer) == len(members)
