"""Campaign send benchmark: N recipients through the outbox on a real Temporal dev server, from
launch to completed, with the worker in a subprocess (its peak RSS read from /proc).

    .venv/bin/python -m bench.campaigns                 # 10,000 and 100,000 recipients
    .venv/bin/python -m bench.campaigns --sizes 10000

Beside each campaign, in the same run, a bare baseline: one workflow calling a batch activity
(500 customers per call) that renders the same template with the sandboxed Jinja environment
and bulk-inserts the message rows. Also prints the campaign's history size over its
continue-as-new chain (Temporal's limit is 51,200 events per run).
"""

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow

BATCH_BASELINE = 500
WORKER_SCRIPT = """
import asyncio, concurrent.futures, os
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Worker
from activities import build_activities
from core.config import Settings
from core.db import make_engine
from workflows import ALL_WORKFLOWS
from bench.campaigns import BaselineActivities, BaselineWorkflow

async def main():
    settings = Settings(_env_file=None, environment="test", secret_key="bench-secret")
    engine = make_engine(os.environ["DATABASE_URL"])
    client = await Client.connect(os.environ["TEMPORAL_ADDRESS"],
                                  data_converter=pydantic_data_converter)
    baseline = BaselineActivities(engine)
    # The same options as worker.build_worker, plus the baseline's workflow and activity.
    worker = Worker(
        client,
        task_queue=os.environ["TEMPORAL_TASK_QUEUE"],
        workflows=[*ALL_WORKFLOWS, BaselineWorkflow],
        activities=[*build_activities(settings, engine), baseline.baseline_batch],
        activity_executor=concurrent.futures.ThreadPoolExecutor(max_workers=16),
        max_concurrent_activities=16,
    )
    async with worker:
        print("ready", flush=True)
        await asyncio.Event().wait()

asyncio.run(main())
"""


@dataclass
class BaselineInput:
    tag: str
    total: int


@dataclass
class BaselineBatch:
    tag: str
    after: int
    limit: int


class BaselineActivities:
    """Render the campaign's template for a page of customers and bulk-insert message rows."""

    def __init__(self, engine):
        self.engine = engine

    @activity.defn(name="bench_baseline_batch")
    def baseline_batch(self, data: BaselineBatch) -> int:
        from sqlalchemy import insert, select

        from core.messaging import MessageContent
        from core.messaging.templates import compile_content
        from core.models import Customer, Message
        from core.timeutil import utcnow

        compiled = compile_content(MessageContent(channel="email", subject=SUBJECT, html=HTML))
        cols = [Customer.id, Customer.email, Customer.first_name, Customer.last_name]
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(*cols)
                .where(Customer.id > data.after)
                .order_by(Customer.id)
                .limit(data.limit)
            ).all()
            now = utcnow()
            values = []
            for cid, email, first, last in rows:
                parts = compiled.render(
                    {
                        "customer": {
                            "id": cid,
                            "email": email,
                            "first_name": first,
                            "last_name": last,
                        },
                        "unsubscribe_url": "u",
                    }
                )
                values.append(
                    {
                        "idempotency_key": f"bench:{data.tag}:{cid}",
                        "customer_id": cid,
                        "channel": "email",
                        "status": "sent",
                        "to_address": email,
                        "subject": parts["subject"],
                        "html": parts["html"],
                        "attempts": 1,
                        "open_count": 0,
                        "click_count": 0,
                        "created_at": now,
                        "sent_at": now,
                        "updated_at": now,
                    }
                )
            if values:
                conn.execute(insert(Message), values)
        return rows[-1][0] if rows else -1


@workflow.defn(name="BenchCampaignBaseline", sandboxed=False)
class BaselineWorkflow:
    @workflow.run
    async def run(self, data: BaselineInput) -> int:
        after, done = 0, 0
        while done < data.total:
            last = await workflow.execute_activity(
                "bench_baseline_batch",
                BaselineBatch(tag=data.tag, after=after, limit=BATCH_BASELINE),
                result_type=int,
                start_to_close_timeout=timedelta(minutes=5),
            )
            if last < 0:
                break
            done += BATCH_BASELINE
            after = last
        return done


GERMANY = {"match": "all", "conditions": [{"field": "country", "op": "eq", "value": "DE"}]}
SUBJECT = "Spring sale for {{ customer.first_name }}"
HTML = (
    "<html><body><h1>Hello {{ customer.first_name }} {{ customer.last_name }}</h1>"
    "<p>Our spring sale starts today.</p>"
    "<a href='https://shop.example.com/sale'>Shop the sale</a></body></html>"
)


def _peak_rss_mb(pid: int) -> tuple[float, float]:
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return int(fields["VmHWM"].split()[0]) / 1024, int(fields["VmRSS"].split()[0]) / 1024


def _seed(engine, count: int) -> None:
    from sqlalchemy import insert

    from core.models import Customer, CustomerMetrics, CustomerPreferences
    from core.timeutil import utcnow

    now = utcnow()
    for start in range(1, count + 1, 20_000):
        ids = range(start, min(count, start + 19_999) + 1)
        with engine.begin() as conn:
            conn.execute(
                insert(Customer),
                [
                    {
                        "id": i,
                        "email": f"customer{i}@example.com",
                        "first_name": f"Name{i}",
                        "last_name": "Bench",
                        "country": "FR",
                        "attributes": {},
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in ids
                ],
            )
            conn.execute(
                insert(CustomerPreferences),
                [
                    {
                        "customer_id": i,
                        "email_opt_in": i % 50 != 0,
                        "push_opt_in": True,
                        "source": "bench",
                        "updated_at": now,
                    }
                    for i in ids
                ],
            )
            conn.execute(
                insert(CustomerMetrics),
                [
                    {
                        "customer_id": i,
                        "total_spent": 0,
                        "order_count": 0,
                        "avg_order_value": 0,
                        "updated_at": now,
                    }
                    for i in ids
                ],
            )


async def _history(client, workflow_id: str) -> tuple[int, int, int]:
    """(runs, total events, largest run) over the continue-as-new chain."""
    runs, total, largest = 0, 0, 0
    async for execution in client.list_workflows(f"WorkflowId = '{workflow_id}'"):
        history = await client.get_workflow_handle(
            workflow_id, run_id=execution.run_id
        ).fetch_history()
        runs += 1
        total += len(history.events)
        largest = max(largest, len(history.events))
    return runs, total, largest


async def _timeline(client, workflow_id: str) -> str:
    """Seconds spent per activity type (scheduled → completed) in the first run."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    first = history.events[0].event_time.ToDatetime()
    scheduled, spent = {}, {}
    for event in history.events:
        attrs = event.activity_task_scheduled_event_attributes
        if attrs.activity_type.name:
            scheduled[event.event_id] = (attrs.activity_type.name, event.event_time.ToDatetime())
        done = event.activity_task_completed_event_attributes
        if done.scheduled_event_id in scheduled:
            name, at = scheduled.pop(done.scheduled_event_id)
            spent[name] = (
                spent.get(name, 0.0) + (event.event_time.ToDatetime() - at).total_seconds()
            )
    last = history.events[-1].event_time.ToDatetime()
    parts = ", ".join(f"{name} {secs:.1f} s" for name, secs in spent.items())
    return f"run {(last - first).total_seconds():.1f} s: {parts}"


async def main(argv=None) -> int:
    from sqlalchemy import update
    from sqlmodel import Session, SQLModel
    from temporalio.common import SearchAttributePair, TypedSearchAttributes
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.testing import WorkflowEnvironment

    import core.models  # noqa: F401
    from api.routes.campaigns import BATCH_SIZE, BATCHES_PER_RUN, LANES
    from core.config import DATA_DIR
    from core.db import make_engine
    from core.models import Campaign, CampaignStep, Customer, Segment
    from core.temporal_names import ALL_SEARCH_ATTRIBUTES, CAMPAIGN_ID, KIND, STATUS
    from workflows.campaign import CampaignWorkflow
    from workflows.campaign_types import CampaignWorkflowInput

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--lanes", type=int, default=LANES)
    parser.add_argument("--timeline", action="store_true", help="time per activity type")
    args = parser.parse_args(argv)
    largest = max(args.sizes)

    db_path = DATA_DIR / "bench" / "campaigns.db"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{db_path}{suffix}"):
            os.remove(f"{db_path}{suffix}")
    db_url = f"sqlite:///{db_path}"
    engine = make_engine(db_url)
    SQLModel.metadata.create_all(engine)
    started = time.perf_counter()
    _seed(engine, largest)
    print(f"seeded {largest:,} customers in {time.perf_counter() - started:.1f} s")

    temporal = shutil.which("temporal") or os.path.join(os.path.dirname(sys.executable), "temporal")
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal,
        data_converter=pydantic_data_converter,
        search_attributes=ALL_SEARCH_ATTRIBUTES,
        ui=False,
    )
    client = env.client
    queue = f"bench-campaigns-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER_SCRIPT],
        env={
            **os.environ,
            "DATABASE_URL": db_url,
            "TEMPORAL_ADDRESS": client.service_client.config.target_host,
            "TEMPORAL_TASK_QUEUE": queue,
        },
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout.readline().strip() == "ready"
    print(f"worker idle: peak RSS {_peak_rss_mb(worker.pid)[0]:.0f} MB\n")
    print(
        "| recipients | campaign s | campaign msg/s | baseline s | baseline msg/s | ratio "
        "| worker peak RSS | runs | events (total / largest run) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    try:
        for size in args.sizes:
            # The first `size` customers are in Germany: the segment is exactly them.
            with engine.begin() as conn:
                conn.execute(update(Customer).values(country="FR"))
                conn.execute(update(Customer).where(Customer.id <= size).values(country="DE"))
            with Session(engine) as session:
                segment = Segment(name=f"first {size}", criteria=GERMANY)
                session.add(segment)
                session.flush()
                campaign = Campaign(name=f"bench {size}", segment_id=segment.id)
                session.add(campaign)
                session.flush()
                session.add(CampaignStep(campaign_id=campaign.id, subject=SUBJECT, html=HTML))
                session.commit()
                campaign_id = campaign.id

            # Campaign: launch → completed, the same input the API builds.
            t0 = time.perf_counter()
            handle = await client.start_workflow(
                CampaignWorkflow.run,
                CampaignWorkflowInput(
                    campaign_id=campaign_id,
                    batch_size=args.batch_size,
                    lanes=args.lanes,
                    max_batches_per_run=BATCHES_PER_RUN,
                ),
                id=f"campaign-{campaign_id}",
                task_queue=queue,
                search_attributes=TypedSearchAttributes(
                    [
                        SearchAttributePair(CAMPAIGN_ID, campaign_id),
                        SearchAttributePair(KIND, "campaign"),
                        SearchAttributePair(STATUS, "sending"),
                    ]
                ),
            )
            result = await handle.result()
            campaign_s = time.perf_counter() - t0
            assert result.sent + result.skipped == size, result

            # Baseline: a bare workflow, batch activity rendering + bulk insert.
            t0 = time.perf_counter()
            done = await client.execute_workflow(
                BaselineWorkflow.run,
                BaselineInput(tag=uuid.uuid4().hex[:8], total=size),
                id=f"bench-baseline-{uuid.uuid4().hex[:8]}",
                task_queue=queue,
            )
            baseline_s = time.perf_counter() - t0
            assert done >= size
            await asyncio.sleep(1.5)  # visibility catches up before listing the run chain
            runs, events, biggest = await _history(client, handle.id)
            peak, _ = _peak_rss_mb(worker.pid)
            print(
                f"| {size:,} | {campaign_s:.1f} | {size / campaign_s:,.0f} | {baseline_s:.1f} "
                f"| {size / baseline_s:,.0f} | {baseline_s / campaign_s:.2f} | {peak:.0f} MB "
                f"| {runs} | {events:,} / {biggest:,} |",
                flush=True,
            )
            if args.timeline:
                print(f"  {size:,}: {await _timeline(client, handle.id)}", flush=True)
    finally:
        worker.kill()
        worker.wait()
        await env.shutdown()
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
