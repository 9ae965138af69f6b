"""The Temporal worker: runs every workflow and activity of Nudge on the task queue.

python worker.py            # reads settings from the environment and .env
"""

import asyncio
import concurrent.futures
import logging
import signal

from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import Worker

from activities import build_activities
from core.config import Settings, get_settings
from core.db import make_engine
from core.logging_config import configure_logging
from core.temporal_client import connect_temporal
from workflows import ALL_WORKFLOWS

log = logging.getLogger("nudge.worker")


def build_worker(
    client,
    settings: Settings,
    engine,
    task_queue: str | None = None,
    executor: concurrent.futures.Executor | None = None,
) -> Worker:
    return Worker(
        client,
        task_queue=task_queue or settings.temporal_task_queue,
        workflows=ALL_WORKFLOWS,
        activities=build_activities(settings, engine),
        # Sync activities (SQL, rendering) run in threads; async ones (SMTP, HTTP) on the loop.
        activity_executor=executor or concurrent.futures.ThreadPoolExecutor(max_workers=16),
        max_concurrent_activities=16,
        # Server-side, shared by every worker on the queue: fits a mail provider's rate limit.
        max_task_queue_activities_per_second=settings.worker_activities_per_second or None,
    )


def metrics_runtime(settings: Settings) -> Runtime | None:
    """A runtime serving the SDK's worker metrics (task latencies, slots, polls) to Prometheus
    at WORKER_METRICS_PORT, or None when it is 0."""
    if not settings.worker_metrics_port:
        return None
    address = f"0.0.0.0:{settings.worker_metrics_port}"
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address)))


async def main() -> None:
    settings = get_settings()
    configure_logging(settings)
    runtime = metrics_runtime(settings)
    if runtime is not None:  # before connecting: the client and its workers use the default
        Runtime.set_default(runtime, error_if_already_set=False)
        log.info("worker metrics on port %d at /metrics", settings.worker_metrics_port)
    engine = make_engine(settings.database_url)
    client = await connect_temporal(settings)
    worker = build_worker(client, settings, engine)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info(
        "worker listening on task queue %r at %s",
        settings.temporal_task_queue,
        settings.temporal_address,
    )
    async with worker:
        await stop.wait()
        log.info("worker stopping")
    engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
