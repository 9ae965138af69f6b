"""Fault test: the worker subprocess is killed with SIGKILL in the middle of a 20,000-recipient
send, and another is started. Every recipient ends with exactly one message (sent or skipped):
none lost, none doubled; the progress adds up. On SQLite the subprocess opens the test's database
file by URL; on PostgreSQL it gets the test's per-test schema through PGOPTIONS (libpq's
`-csearch_path=...`, which psycopg honours), since the schema is not part of the URL."""

import asyncio
import os
import signal
import subprocess
import sys
import uuid

from sqlalchemy import text

from tests.test_campaigns_fixtures import (
    add_campaign,
    add_customers,
    add_segment,
    assert_one_message_each,
    campaign_row,
    message_counts,
    unique_ids,
)
from workflows.campaign import CampaignWorkflow
from workflows.campaign_types import CampaignWorkflowInput

# A worker like worker.py, configured by environment variables.
WORKER = """
import asyncio, os
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from core.config import Settings
from core.db import make_engine
from worker import build_worker

async def main():
    settings = Settings(_env_file=None, environment="test", secret_key="campaign-fault-secret")
    engine = make_engine(os.environ["DATABASE_URL"])
    client = await Client.connect(
        os.environ["TEMPORAL_ADDRESS"], data_converter=pydantic_data_converter
    )
    async with build_worker(client, settings, engine, task_queue=os.environ["TEMPORAL_TASK_QUEUE"]):
        print("ready", flush=True)
        await asyncio.Event().wait()

asyncio.run(main())
"""


def _database_env(engine, tmp_path) -> dict[str, str]:
    """How the worker subprocess reaches this test's database."""
    if engine.dialect.name == "sqlite":
        return {"DATABASE_URL": f"sqlite:///{tmp_path / 'test.db'}"}
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    url = engine.url.render_as_string(hide_password=False)
    return {"DATABASE_URL": url, "PGOPTIONS": f"-csearch_path={schema}"}


def _start_worker(address: str, db_env: dict[str, str], queue: str) -> subprocess.Popen:
    env = {
        **os.environ,
        **db_env,
        "TEMPORAL_ADDRESS": address,
        "TEMPORAL_TASK_QUEUE": queue,
    }
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER], env=env, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "ready"
    return process


async def test_kill_the_worker_mid_send_loses_and_doubles_nothing(tmp_path, engine, dev_server_env):
    unique_ids(engine)
    members = add_customers(engine, 20_000, opt_out_every=50)
    campaign_id = add_campaign(engine, add_segment(engine))
    db_env = _database_env(engine, tmp_path)
    address = dev_server_env.client.service_client.config.target_host
    queue = f"campaign-fault-{uuid.uuid4()}"
    client = dev_server_env.client
    first = _start_worker(address, db_env, queue)
    second = None
    try:
        handle = await client.start_workflow(
            CampaignWorkflow.run,
            CampaignWorkflowInput(campaign_id=campaign_id, batch_size=500),
            id=f"campaign-{campaign_id}",
            task_queue=queue,
        )
        deadline = asyncio.get_running_loop().time() + 60
        while sum(message_counts(engine, campaign_id).values()) < 4000:
            assert asyncio.get_running_loop().time() < deadline, "the send did not start"
            await asyncio.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait()
        at_kill = sum(message_counts(engine, campaign_id).values())
        assert at_kill < 20_000, "the kill landed after the send finished"
        second = _start_worker(address, db_env, queue)
        result = await asyncio.wait_for(handle.result(), timeout=120)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    assert result.status == "completed"
    assert_one_message_each(engine, campaign_id, members)
    counts = message_counts(engine, campaign_id)
    assert counts == {"sent": 19_600, "skipped": 400}
    assert (result.total, result.sent, result.skipped, result.failed) == (20_000, 19_600, 400, 0)
    assert result.remaining == 0
    row = campaign_row(engine, campaign_id)
    assert (row.status, row.sent, row.skipped) == ("completed", 19_600, 400)
