"""WORKER_ACTIVITIES_PER_SECOND: Temporal paces the task queue's activities across all workers
(the way to stay under a mail provider's limit; see docs/scale.md)."""

import asyncio
import time
import uuid

from activities.system import CountCustomersInput
from worker import build_worker
from workflows.system_check import SystemCheckWorkflow


async def _run_checks(env, settings, engine, runs: int) -> float:
    queue = f"rate-{uuid.uuid4().hex[:8]}"
    async with build_worker(env.client, settings, engine, task_queue=queue):
        started = time.monotonic()
        await asyncio.gather(
            *(
                env.client.execute_workflow(
                    SystemCheckWorkflow.run,
                    CountCustomersInput(),
                    id=f"{queue}-{i}",
                    task_queue=queue,
                )
                for i in range(runs)
            )
        )
        return time.monotonic() - started


async def test_the_task_queue_is_paced_by_the_setting(dev_server_env, settings, engine):
    paced = settings.model_copy(update={"worker_activities_per_second": 2})
    elapsed = await _run_checks(dev_server_env, paced, engine, runs=6)
    assert elapsed >= 1.5  # 6 activities at 2/s: the first starts at once, the last ~2.5 s later
    unpaced = await _run_checks(dev_server_env, settings, engine, runs=6)
    assert unpaced < elapsed
