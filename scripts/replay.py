"""Replay recorded workflow histories against the working tree's workflow code.

    python -m scripts.replay --workflow-id flow-7-customer-42          # fetched from the server
    python -m scripts.replay --workflow-id campaign-3 --run-id <run>   # one particular run
    python -m scripts.replay history.json [more.json ...]              # exported JSON files

Files are what the Temporal Web UI downloads or `temporal workflow show --output json` prints.
The server is the one in the settings (TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE). Every history is
replayed with `workflows.ALL_WORKFLOWS` and the pydantic data converter, like the worker runs
them. Exit status: 0 when every history replays, 1 when any does not (non-determinism: the new
code would break runs in flight), 2 on bad usage. See docs/replay.md.
"""

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer


def load_history_file(path: Path, workflow_id: str | None = None) -> WorkflowHistory:
    """A history from an exported JSON file. The id is not part of the export; any label
    will do for replay, so the file name stands in when none is given."""
    text = path.read_text()
    data = json.loads(text)
    if isinstance(data, dict) and "workflow_id" in data and "history" in data:
        # Our own recordings keep the id beside the history.
        return WorkflowHistory.from_json(workflow_id or data["workflow_id"], data["history"])
    return WorkflowHistory.from_json(workflow_id or path.stem, text)


async def fetch_history(workflow_id: str, run_id: str | None = None) -> WorkflowHistory:
    from core.config import get_settings
    from core.temporal_client import connect_temporal

    client = await connect_temporal(get_settings())
    return await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()


async def replay(histories: Sequence[WorkflowHistory], workflows: Sequence[type] | None = None):
    """Replay each history; returns [(workflow id, error or None)]."""
    if workflows is None:
        from workflows import ALL_WORKFLOWS

        workflows = ALL_WORKFLOWS
    replayer = Replayer(workflows=list(workflows), data_converter=pydantic_data_converter)
    results = []
    for history in histories:
        try:
            await replayer.replay_workflow(history)
            results.append((history.workflow_id, None))
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none is fatal
            results.append((history.workflow_id, exc))
    return results


def report(results) -> int:
    failed = [(wid, exc) for wid, exc in results if exc is not None]
    for wid, exc in results:
        if exc is None:
            print(f"ok      {wid}")
        else:
            print(f"FAILED  {wid}: {type(exc).__name__}: {exc}", file=sys.stderr)
    if failed:
        print(
            f"\n{len(failed)} of {len(results)} histories do NOT replay: the working tree's "
            "workflow code is not compatible with them. Guard the change with "
            "workflow.patched(...) or make it a new workflow type.",
            file=sys.stderr,
        )
        return 1
    print(f"{len(results)} histories replay against the working tree")
    return 0


async def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="exported history JSON files")
    parser.add_argument("--workflow-id", help="fetch this workflow's history from the server")
    parser.add_argument("--run-id", help="a particular run (default: the latest)")
    args = parser.parse_args(argv)
    if not args.files and not args.workflow_id:
        parser.print_usage(sys.stderr)
        print("give history files, or --workflow-id to fetch one from the server", file=sys.stderr)
        return 2
    if args.files:
        histories = [load_history_file(path, args.workflow_id) for path in args.files]
    else:
        histories = [await fetch_history(args.workflow_id, args.run_id)]
    return report(await replay(histories))


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
