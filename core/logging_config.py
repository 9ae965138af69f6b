"""Logging for the API and the worker: text for people, JSON lines for log pipelines.

LOG_FORMAT=json writes one JSON object per line. Inside an activity or a workflow, every record
carries the workflow id and run id (and the activity type and attempt), whichever logger wrote it,
so one search by workflow id finds a run's logs across workers.
"""

import json
import logging
import sys
from datetime import UTC, datetime

from core.config import Settings

# LogRecord's own attributes: anything else on a record came from `extra=` and is logged too.
_RESERVED = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
_TEMPORAL_KEYS = ("temporal_workflow", "temporal_activity")


def temporal_context() -> dict:
    """Ids of the activity or workflow running on this thread/task, or {} outside Temporal."""
    try:
        from temporalio import activity, workflow

        if activity.in_activity():
            info = activity.info()
            return {
                "workflow_id": info.workflow_id,
                "run_id": info.workflow_run_id,
                "workflow_type": info.workflow_type,
                "activity_type": info.activity_type,
                "activity_id": info.activity_id,
                "attempt": info.attempt,
            }
        if workflow.in_workflow():
            info = workflow.info()
            return {
                "workflow_id": info.workflow_id,
                "run_id": info.run_id,
                "workflow_type": info.workflow_type,
                "attempt": info.attempt,
            }
    except Exception:  # noqa: BLE001 - logging must never fail because of context lookup
        pass
    return {}


def _record_context(record: logging.LogRecord) -> dict:
    # The SDK's activity.logger / workflow.logger attach their details as `extra`; their
    # workflow logger also works inside the sandbox, where the lookup above may not.
    details = getattr(record, "temporal_activity", None) or getattr(
        record, "temporal_workflow", None
    )
    if isinstance(details, dict):
        context = dict(details)
        if "workflow_run_id" in context:
            context["run_id"] = context.pop("workflow_run_id")
        context.pop("namespace", None)
        context.pop("task_queue", None)
        return context
    return temporal_context()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_record_context(record))
        for key, value in record.__dict__.items():
            if key not in _RESERVED and key not in _TEMPORAL_KEYS and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = _record_context(record)
        if context.get("workflow_id"):
            line += f" [workflow_id={context['workflow_id']} run_id={context.get('run_id')}]"
        return line


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at emit time (test runners swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure_logging(settings: Settings) -> None:
    """Idempotent: replaces only the handler it installed before, so other handlers stay."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_nudge", False):
            root.removeHandler(handler)
    handler = _StderrHandler()
    handler._nudge = True
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    _temporal_loggers_append_details(settings.log_format == "text")
    if settings.log_format == "json":
        # uvicorn's loggers have their own text handlers; send them through ours instead.
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
            uvicorn_logger = logging.getLogger(name)
            uvicorn_logger.handlers.clear()
            uvicorn_logger.propagate = True


def _temporal_loggers_append_details(on: bool) -> None:
    """The SDK's workflow/activity loggers append their ids to the message text; JSON lines carry
    them as fields already, so the message stays what the code wrote."""
    from temporalio import activity, workflow

    workflow.logger.workflow_info_on_message = on
    activity.logger.activity_info_on_message = on
