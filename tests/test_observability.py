"""Observability: /metrics (latency by route template, business counts), JSON logs carrying
workflow and run ids, the worker's SDK metrics endpoint."""

import json
import logging
import socket
import time
import uuid
from datetime import timedelta

import httpx
from fastapi.testclient import TestClient
from sqlmodel import Session
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from api.main import create_app
from core.config import Settings
from core.logging_config import JsonFormatter, TextFormatter, configure_logging
from core.models import Campaign, Customer, Flow, FlowRun, FlowVersion, Message
from worker import metrics_runtime


def _sample(text: str, name: str, **labels) -> float | None:
    """The value of one Prometheus sample, matched by name and exact label set."""
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        series, value = line.rsplit(" ", 1)
        metric, _, rest = series.partition("{")
        got = ",".join(sorted(rest.rstrip("}").split(","))) if rest else ""
        if metric == name and got == want:
            return float(value)
    return None


def test_latency_histogram_uses_route_templates(client):
    client.get("/api/customers/424242")  # 404 from the route
    client.get("/api/customers/424243")
    client.get("/no/such/page/at/all")  # the SPA fallback
    text = client.get("/metrics").text
    labels = {"method": "GET", "route": "/api/customers/{customer_id}", "status": "404"}
    assert _sample(text, "nudge_http_request_duration_seconds_count", **labels) == 2
    assert _sample(text, "nudge_http_request_duration_seconds_bucket", le="+Inf", **labels) == 2
    assert "424242" not in text  # raw paths never become labels
    assert (
        _sample(
            text,
            "nudge_http_request_duration_seconds_count",
            method="GET",
            route="/{path}",
            status="200",
        )
        == 1
    )


def test_rate_limited_and_unauthenticated_answers_are_measured(anon_client):
    anon_client.get("/api/customers")
    text = anon_client.get("/metrics").text
    labels = {"method": "GET", "route": "/api/customers", "status": "401"}
    assert _sample(text, "nudge_http_request_duration_seconds_count", **labels) == 1


def test_business_counts_come_from_the_database(client, engine):
    with Session(engine) as s:
        customers = [Customer(email=f"m{i}@example.com") for i in range(3)]
        s.add_all(customers)
        s.flush()
        campaign = Campaign(name="Spring", status="completed", sent=2, failed=1, skipped=4)
        s.add_all([campaign, Campaign(name="Draft")])
        flow = Flow(name="Welcome", status="active")
        s.add(flow)
        s.flush()
        version = FlowVersion(flow_id=flow.id, version=1, definition={})
        s.add(version)
        s.flush()
        for i, c in enumerate(customers):
            s.add(
                Message(
                    idempotency_key=f"campaign:{campaign.id}:{c.id}",
                    customer_id=c.id,
                    channel="email",
                    status="sent" if i < 2 else "failed",
                    campaign_id=campaign.id,
                )
            )
            s.add(
                FlowRun(
                    flow_id=flow.id,
                    flow_version_id=version.id,
                    customer_id=c.id,
                    workflow_id=f"flow-{flow.id}-customer-{c.id}",
                    status="completed" if i == 0 else "waiting",
                )
            )
        s.add(
            Message(
                idempotency_key="flow:1:push",
                customer_id=customers[0].id,
                channel="push",
                status="pending",
                flow_id=flow.id,
            )
        )
        s.commit()

    text = client.get("/metrics").text
    assert _sample(text, "nudge_messages", channel="email", status="sent", source="campaign") == 2
    assert _sample(text, "nudge_messages", channel="email", status="failed", source="campaign") == 1
    assert _sample(text, "nudge_messages", channel="push", status="pending", source="flow") == 1
    assert _sample(text, "nudge_campaigns", status="completed") == 1
    assert _sample(text, "nudge_campaigns", status="draft") == 1
    assert _sample(text, "nudge_campaign_recipients", outcome="skipped") == 4
    assert _sample(text, "nudge_flow_runs", status="waiting") == 2
    assert _sample(text, "nudge_flow_runs", status="completed") == 1
    assert _sample(text, "nudge_metrics_database_up") == 1


def test_metrics_token_guards_the_endpoint_when_set(settings, engine):
    app = create_app(settings.model_copy(update={"metrics_token": "scrape-me"}), engine=engine)
    with TestClient(app) as c:
        refused = c.get("/metrics")
        assert refused.status_code == 401 and "METRICS_TOKEN" in refused.json()["detail"]
        assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = c.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert ok.status_code == 200 and ok.headers["content-type"].startswith("text/plain")


def test_metrics_report_a_database_outage_instead_of_failing(settings, engine):
    app = create_app(settings, engine=engine)
    with TestClient(app) as c:
        app.state.engine = None  # what a scrape sees before the lifespan has opened the database
        response = c.get("/metrics")
        app.state.engine = engine
    assert response.status_code == 200
    assert _sample(response.text, "nudge_metrics_database_up") == 0


def test_database_counts_are_a_snapshot_refreshed_in_the_background(settings, engine):
    app = create_app(settings.model_copy(update={"metrics_refresh_seconds": 0.3}), engine=engine)
    with TestClient(app) as c:
        assert _sample(c.get("/metrics").text, "nudge_campaigns", status="draft") is None
        with Session(engine) as s:
            s.add(Campaign(name="New"))
            s.commit()
        # Within the interval: the snapshot, without touching the database.
        assert _sample(c.get("/metrics").text, "nudge_campaigns", status="draft") is None
        time.sleep(0.4)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the stale scrape started a refresh
            text = c.get("/metrics").text
            if _sample(text, "nudge_campaigns", status="draft") == 1:
                break
            time.sleep(0.05)
        assert _sample(text, "nudge_campaigns", status="draft") == 1
        assert 0 <= _sample(text, "nudge_metrics_database_age_seconds") < 5


def test_refresh_interval_zero_counts_on_every_scrape(settings, engine):
    app = create_app(settings.model_copy(update={"metrics_refresh_seconds": 0}), engine=engine)
    with TestClient(app) as c:
        c.get("/metrics")
        with Session(engine) as s:
            s.add(Campaign(name="New"))
            s.commit()
        assert _sample(c.get("/metrics").text, "nudge_campaigns", status="draft") == 1


# --- logs -------------------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self, formatter: logging.Formatter):
        super().__init__()
        self.lines: list[str] = []
        self.setFormatter(formatter)

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@activity.defn(name="obs_log_step")
async def log_step(batch: int) -> None:
    logging.getLogger("nudge.test.activity").info("sending batch", extra={"batch": batch})


@workflow.defn(name="ObsLogWorkflow")
class LogWorkflow:
    @workflow.run
    async def run(self) -> None:
        workflow.logger.info("run starts")
        await workflow.execute_activity(log_step, 3, start_to_close_timeout=timedelta(seconds=10))


async def test_json_logs_carry_workflow_and_run_ids(time_skipping_env):
    configure_logging(Settings(_env_file=None, log_format="json"))
    collect = _Collect(JsonFormatter())
    loggers = [logging.getLogger("nudge.test.activity"), workflow.logger.logger]
    for logger in loggers:
        logger.addHandler(collect)
        logger.setLevel(logging.INFO)
    try:
        queue = f"obs-{uuid.uuid4().hex[:8]}"
        async with Worker(
            time_skipping_env.client,
            task_queue=queue,
            workflows=[LogWorkflow],
            activities=[log_step],
            workflow_runner=UnsandboxedWorkflowRunner(),
        ):
            handle = await time_skipping_env.client.start_workflow(
                LogWorkflow.run, id=f"obs-log-{queue}", task_queue=queue
            )
            await handle.result()
    finally:
        for logger in loggers:
            logger.removeHandler(collect)
        configure_logging(Settings(_env_file=None))
    entries = [json.loads(line) for line in collect.lines]
    by_message = {e["message"]: e for e in entries}  # no ids appended to the text in JSON mode
    started, batch = by_message["run starts"], by_message["sending batch"]
    for entry in (started, batch):
        assert entry["workflow_id"] == handle.id
        assert entry["run_id"] == handle.result_run_id
        assert entry["workflow_type"] == "ObsLogWorkflow"
    assert batch["activity_type"] == "obs_log_step" and batch["batch"] == 3
    assert batch["level"] == "info" and batch["ts"].endswith("Z")


def test_json_log_outside_temporal_has_extras_and_exceptions():
    record = logging.makeLogRecord(
        {"name": "nudge.api", "levelno": 40, "levelname": "ERROR", "msg": "boom %s", "args": (1,)}
    )
    record.customer_id = 7
    try:
        raise ValueError("bad")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "boom 1" and entry["customer_id"] == 7
    assert "ValueError: bad" in entry["exception"]
    assert "workflow_id" not in entry
    record.temporal_workflow = {"workflow_id": "campaign-7", "run_id": "r1"}
    assert TextFormatter().format(record).count("[workflow_id=campaign-7 run_id=r1]") == 1


def test_configure_logging_switches_format_and_keeps_other_handlers(capsys):
    root = logging.getLogger()
    other = logging.NullHandler()
    root.addHandler(other)
    try:
        configure_logging(Settings(_env_file=None, log_format="json", log_level="warning"))
        configure_logging(Settings(_env_file=None, log_format="json", log_level="warning"))
        logging.getLogger("nudge.test").warning("disk %s", "full")
        logging.getLogger("nudge.test").info("not shown")
        lines = [json.loads(x) for x in capsys.readouterr().err.splitlines() if x.startswith("{")]
        assert [entry["message"] for entry in lines] == ["disk full"]  # one handler, level kept
        assert other in root.handlers
    finally:
        root.removeHandler(other)
        configure_logging(Settings(_env_file=None))


# --- worker metrics ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_worker_metrics_are_off_by_default():
    assert metrics_runtime(Settings(_env_file=None)) is None


async def test_worker_serves_sdk_metrics(time_skipping_env, settings):
    port = _free_port()
    runtime = metrics_runtime(settings.model_copy(update={"worker_metrics_port": port}))
    target = time_skipping_env.client.service_client.config.target_host
    client = await Client.connect(target, runtime=runtime)
    queue = f"obs-{uuid.uuid4().hex[:8]}"
    worker = Worker(
        client,
        task_queue=queue,
        workflows=[LogWorkflow],
        activities=[log_step],
        workflow_runner=UnsandboxedWorkflowRunner(),
    )
    async with worker, httpx.AsyncClient() as http:
        await client.execute_workflow(LogWorkflow.run, id=f"obs-metrics-{queue}", task_queue=queue)
        text = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
    assert "temporal_activity_execution_latency" in text
    assert f'task_queue="{queue}"' in text
