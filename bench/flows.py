"""Flow engine vs a bare Temporal workflow: N customers through email → short wait → push.

    .venv/bin/python -m bench.flows [--customers 10000] [--wait 1] [--concurrency 100]

Both sides run at the same time (so both see the same noisy machine; `--sequential` runs them one
after the other) in one process, on one in-memory dev server, with the same worker: the flow
engine (FlowRun workflows started by `enter_flow`, as the API does) and a bare workflow per
customer that calls the messaging layer's `send_messages` activity, sleeps, and calls it again.
Prints entries/s (starts accepted by the server) and completions/s (runs finished, from the first
start to the last completion) for each, and the ratio. SQLite database in a temp directory.
"""

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.messaging import SendMessagesInput
    from core.messaging.sender import MessageContent, Recipient, SendOutcome

BARE_QUEUE_SUFFIX = "-bare"


@workflow.defn(name="BenchBareThreeStep")
class BareThreeStep:
    """The baseline: the same sends, no flow engine (no state, versions, exits or quiet hours)."""

    @workflow.run
    async def run(self, customer_id: int, wait_seconds: float) -> None:
        for step, content in (
            ("s1", MessageContent(channel="email", subject="Hi", html="<p>Hi</p>")),
            ("s3", MessageContent(channel="push", title="Hey", body="Back?")),
        ):
            recipient = Recipient(
                customer_id=customer_id, idempotency_key=f"bare:{customer_id}:{step}"
            )
            await workflow.execute_activity(
                "send_messages",
                SendMessagesInput(content=content, recipients=[recipient]),
                result_type=SendOutcome,
                start_to_close_timeout=timedelta(seconds=60),
            )
            if step == "s1":
                await workflow.sleep(wait_seconds)


def _seed(engine, n: int) -> list[int]:
    from sqlalchemy import insert

    from core.models import Customer, CustomerPreferences, PushDevice
    from core.timeutil import utcnow

    now = utcnow()
    ids = list(range(1, n + 1))
    with engine.begin() as conn:
        conn.execute(
            insert(Customer),
            [
                {
                    "id": i,
                    "email": f"bench{i}@example.com",
                    "first_name": "Bench",
                    "last_name": "",
                    "attributes": {},
                    "created_at": now,
                    "updated_at": now,
                }
                for i in ids
            ],
        )
        conn.execute(
            insert(CustomerPreferences),
            [{"customer_id": i, "source": "bench", "updated_at": now} for i in ids],
        )
        conn.execute(
            insert(PushDevice),
            [{"customer_id": i, "token": f"tok{i}", "created_at": now} for i in ids],
        )
    return ids


async def _run_side(name, start_one, ids, concurrency, finished_count) -> dict:
    gate = asyncio.Semaphore(concurrency)

    async def one(customer_id):
        async with gate:
            await start_one(customer_id)

    began = time.perf_counter()
    await asyncio.gather(*(one(i) for i in ids))
    started = time.perf_counter() - began
    while await finished_count() < len(ids):
        await asyncio.sleep(0.25)
    total = time.perf_counter() - began
    result = {
        "side": name,
        "entries_per_s": len(ids) / started,
        "completions_per_s": len(ids) / total,
        "start_s": started,
        "total_s": total,
    }
    print(
        f"{name:>12}: {len(ids)} starts in {started:6.1f} s ({result['entries_per_s']:7.1f}/s), "
        f"all complete in {total:6.1f} s ({result['completions_per_s']:6.1f}/s)",
        flush=True,
    )
    return result


async def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--wait", type=float, default=1.0, help="the WAIT step, seconds")
    parser.add_argument("--concurrency", type=int, default=100, help="starts in flight per side")
    parser.add_argument(
        "--sequential", action="store_true", help="bare first, then the flow engine"
    )
    parser.add_argument(
        "--sides",
        default="bare,flow,cohort",
        help="which to run: bare (workflow per customer), flow (FlowRun per customer), "
        "cohort (one FlowCohort for everyone; runs after the others)",
    )
    args = parser.parse_args(argv)

    from sqlalchemy import func, select
    from sqlmodel import SQLModel
    from temporalio.client import Client
    from temporalio.contrib.pydantic import pydantic_data_converter
    from temporalio.testing import WorkflowEnvironment
    from temporalio.worker import Worker

    import core.models  # noqa: F401
    from activities import build_activities
    from core.config import Settings
    from core.db import make_engine
    from core.flows.definition import FlowDefinition
    from core.flows.entry import enter_flow
    from core.flows.store import activate, create_flow, version_ref
    from core.models import FlowRun, Message
    from core.temporal_names import ALL_SEARCH_ATTRIBUTES
    from workflows import ALL_WORKFLOWS

    tmp = Path(tempfile.mkdtemp(prefix="bench-flows-"))
    engine = make_engine(f"sqlite:///{tmp / 'bench.db'}")
    SQLModel.metadata.create_all(engine)
    ids = _seed(engine, args.customers)
    settings = Settings(_env_file=None, environment="test", secret_key="bench-" + "x" * 20)
    from sqlmodel import Session

    steps = [
        {"type": "SEND_EMAIL", "subject": "Hi", "html": "<p>Hi</p>"},
        {"type": "WAIT", "duration_seconds": max(1, round(args.wait))},
        {"type": "SEND_PUSH", "title": "Hey", "body": "Back?"},
    ]
    versions = {}
    with Session(engine, expire_on_commit=False) as session:
        for name in ("flow", "cohort"):
            definition = FlowDefinition.model_validate(
                {"name": f"bench {name}", "trigger": {"type": "manual"}, "steps": steps}
            )
            flow = create_flow(session, definition)
            versions[name] = version_ref(activate(session, flow))
        session.commit()
    version = versions["flow"]
    sides = set(args.sides.split(","))

    temporal = shutil.which("temporal") or str(Path(sys.executable).parent / "temporal")
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal,
        data_converter=pydantic_data_converter,
        search_attributes=ALL_SEARCH_ATTRIBUTES,
        ui=False,
    )
    client: Client = env.client
    queue = "bench-flows"
    import concurrent.futures

    worker = Worker(
        client,
        task_queue=queue,
        workflows=[*ALL_WORKFLOWS, BareThreeStep],
        activities=build_activities(settings, engine),
        activity_executor=concurrent.futures.ThreadPoolExecutor(max_workers=16),
        max_concurrent_activities=16,
    )
    print(
        f"{args.customers} customers, email → WAIT {args.wait:g} s → push, "
        f"{args.concurrency} starts in flight per side, "
        f"{'one side after the other' if args.sequential else 'both sides at once'}; "
        "dev server in memory, SQLite",
        flush=True,
    )
    results = []
    async with worker:

        async def flow_start(customer_id):
            await enter_flow(client, queue, version, customer_id, "manual")

        def count_flow():
            with engine.connect() as conn:
                return conn.execute(
                    select(func.count()).select_from(FlowRun).where(FlowRun.status == "completed")
                ).scalar_one()

        async def bare_start(customer_id):
            await client.start_workflow(
                BareThreeStep.run,
                args=[customer_id, args.wait],
                id=f"bench-bare-{customer_id}",
                task_queue=queue,
            )

        def count_bare():
            with engine.connect() as conn:
                return conn.execute(
                    select(func.count())
                    .select_from(Message)
                    .where(Message.idempotency_key.like("bare:%:s3"), Message.status == "sent")
                ).scalar_one()

        async def flow_done():
            return await asyncio.to_thread(count_flow)

        async def bare_done():
            return await asyncio.to_thread(count_bare)

        def bare_side():
            return _run_side("bare", bare_start, ids, args.concurrency, bare_done)

        def flow_side():
            return _run_side("flow engine", flow_start, ids, args.concurrency, flow_done)

        if sides >= {"bare", "flow"}:
            if args.sequential:
                results = [await bare_side(), await flow_side()]
            else:  # side by side: both see the same (noisy) machine
                results = list(await asyncio.gather(bare_side(), flow_side()))
        elif "bare" in sides:
            results = [await bare_side()]
        elif "flow" in sides:
            results = [await flow_side()]
        if "cohort" in sides:
            results.append(
                await _cohort_side(client, queue, engine, versions["cohort"], ids, args.wait)
            )
    await env.shutdown()
    by_side = {r["side"]: r for r in results}
    if "bare" in by_side and "flow engine" in by_side:
        bare, flows = by_side["bare"], by_side["flow engine"]
        print(
            f"ratio flow/bare: entries {bare['entries_per_s'] / flows['entries_per_s']:.2f}x "
            f"slower, completions {bare['completions_per_s'] / flows['completions_per_s']:.2f}x "
            "slower (target ≤ 1.5x)"
        )
    if "cohort" in by_side:
        per_customer = by_side.get("flow engine") or by_side.get("bare")
        if per_customer:
            print(
                "cohort vs per-customer runs: "
                f"{by_side['cohort']['completions_per_s'] / per_customer['completions_per_s']:.0f}x"
                " the completions/s"
            )
    engine.dispose()
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


async def _cohort_side(client, queue, engine, version, ids, wait: float) -> dict:
    """Everyone enters together: one cohort, batch sends, one timer."""
    import resource

    from sqlalchemy import func, select

    from core.flows.entry import start_cohort
    from core.models import FlowRun, Message

    began = time.perf_counter()
    cohort = await start_cohort(client, queue, engine, version, "manual", customer_ids=ids)
    started = time.perf_counter() - began
    await cohort.handle.result()
    total = time.perf_counter() - began
    with engine.connect() as conn:
        done = conn.execute(
            select(func.count()).where(
                FlowRun.cohort_id == cohort.cohort_id, FlowRun.status == "completed"
            )
        ).scalar_one()
    assert done == len(ids), (done, len(ids))
    with engine.connect() as conn:
        sent = conn.execute(
            select(func.count()).where(Message.flow_id == version.flow_id, Message.status == "sent")
        ).scalar_one()
    assert sent == 2 * len(ids), (sent, len(ids))  # one email and one push each
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "side": "cohort",
        "entries_per_s": len(ids) / started,
        "completions_per_s": len(ids) / total,
        "start_s": started,
        "total_s": total,
    }
    print(
        f"{'cohort':>12}: {len(ids)} members entered in {started:6.1f} s, all complete in "
        f"{total:6.1f} s ({result['completions_per_s']:7.1f}/s), {total - wait:6.1f} s after "
        f"the wait, {2 * len(ids)} messages sent; process peak RSS {rss:.0f} MB",
        flush=True,
    )
    return result


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
