"""Signals from the API to runs: exits (events, cancel, archive) and resumes (un-pause)."""

import asyncio
from collections.abc import Iterable

from temporalio.client import Client
from temporalio.service import RPCError

from core.flows.run_io import ExitSignal

_CONCURRENCY = 50


async def signal_runs(
    client: Client, targets: Iterable[tuple[str, str | None]], name: str, arg=None
) -> int:
    """Signal each (workflow id, run id); a run that has already closed is skipped quietly.
    Returns how many were signalled."""
    gate = asyncio.Semaphore(_CONCURRENCY)

    async def one(workflow_id: str, run_id: str | None) -> bool:
        async with gate:
            handle = client.get_workflow_handle(workflow_id, run_id=run_id)
            try:
                if arg is None:
                    await handle.signal(name)
                else:
                    await handle.signal(name, arg)
                return True
            except RPCError:  # not found / already completed
                return False

    unique = dict.fromkeys(targets)
    results = await asyncio.gather(*(one(w, r) for w, r in unique))
    return sum(results)


async def exit_runs(client: Client, targets, reason: str, status: str = "exited") -> int:
    return await signal_runs(client, targets, "exit", ExitSignal(reason=reason, status=status))
