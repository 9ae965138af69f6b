"""GET /readyz reports each dependency: the database and Temporal gate readiness; workers polling
the task queue and the SMTP server are reported for ops without gating the API."""

import asyncio
import socket
import uuid

from fastapi.testclient import TestClient
from temporalio import workflow
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from api.main import create_app


@workflow.defn(name="ReadyzNoop")
class Noop:
    @workflow.run
    async def run(self) -> None:
        return None


def _readyz(app) -> tuple[int, dict]:
    with TestClient(app) as c:
        response = c.get("/readyz")
    return response.status_code, response.json()


def test_unreachable_temporal_makes_the_api_unready(anon_client):
    response = anon_client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["temporal"]["ok"] is False
    assert body["checks"]["temporal"]["address"] == "127.0.0.1:1"
    assert "workers" not in body["checks"]  # nothing to ask without Temporal


async def test_workers_and_smtp_are_reported(settings, engine, dev_server_env):
    queue = f"readyz-{uuid.uuid4().hex[:8]}"
    with socket.socket() as smtp:  # something listening where SMTP_HOST:SMTP_PORT point
        smtp.bind(("127.0.0.1", 0))
        smtp.listen()
        app = create_app(
            settings.model_copy(
                update={
                    "temporal_address": dev_server_env.client.service_client.config.target_host,
                    "temporal_task_queue": queue,
                    "email_channel": "smtp",
                    "smtp_host": "127.0.0.1",
                    "smtp_port": smtp.getsockname()[1],
                }
            ),
            engine=engine,
        )
        status, idle = await asyncio.to_thread(_readyz, app)
        assert status == 200 and idle["status"] == "ready"  # workers do not gate the API
        assert idle["checks"]["workers"] == {
            "ok": False,
            "required": False,
            "task_queue": queue,
            "pollers": 0,
        }
        assert idle["checks"]["smtp"]["ok"] is True

        worker = Worker(
            dev_server_env.client,
            task_queue=queue,
            workflows=[Noop],
            workflow_runner=UnsandboxedWorkflowRunner(),
        )
        async with worker:
            await dev_server_env.client.execute_workflow(Noop.run, id=queue, task_queue=queue)
            status, busy = await asyncio.to_thread(_readyz, app)
    assert status == 200
    assert busy["checks"]["workers"]["ok"] is True and busy["checks"]["workers"]["pollers"] >= 1


def test_smtp_down_is_reported_without_hiding_other_checks(settings, engine):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]  # closed once the block ends
    app = create_app(
        settings.model_copy(
            update={"email_channel": "smtp", "smtp_host": "127.0.0.1", "smtp_port": closed_port}
        ),
        engine=engine,
    )
    status, body = _readyz(app)
    assert status == 503  # because of Temporal (unreachable here), not SMTP
    assert body["checks"]["smtp"]["ok"] is False and body["checks"]["smtp"]["error"]
    assert body["checks"]["database"]["ok"] is True
