"""Schemathesis fuzzes every operation of the app's own OpenAPI schema, in-process, against a real
Temporal dev server and worker: no answer may be a 5xx or break its documented response schema.

Bounded: up to FUZZ_EXAMPLES valid and as many invalid inputs per operation (default 8 each), no
shrinking, and a time budget (FUZZ_BUDGET_SECONDS, default 150) shared evenly by the operations:
on a slow machine each operation gets fewer inputs, but never fewer than one of each kind, and
the count of requests is printed. A failure lists each operation with a curl command.
"""

import asyncio
import os
import time
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)
from schemathesis.core.failures import FailureGroup
from sqlalchemy import update
from sqlmodel import Session

from api.main import create_app
from core.models import ApiKey
from core.security import token_hash
from tests.conftest import TEST_API_KEY
from worker import build_worker

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
BUDGET_SECONDS = float(os.environ.get("FUZZ_BUDGET_SECONDS", "150"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}


def _keep_the_test_key(engine) -> None:
    """The fuzzer may revoke the key it calls with (DELETE /api/api-keys/1): undo that, so the
    rest of the run is not 401 only. The revoke route itself is still fuzzed."""
    with Session(engine) as session:
        session.exec(
            update(ApiKey)
            .where(ApiKey.key_hash == token_hash(TEST_API_KEY))
            .values(revoked_at=None)
        )
        session.commit()


def fuzz_operation(
    operation, mode: GenerationMode, engine, deadline: float
) -> tuple[str | None, int]:
    """Up to EXAMPLES inputs of one mode (at least one, more until `deadline`); returns the first
    failure (or None) and the requests sent."""
    failure: list[str] = []
    sent = 0

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same inputs on every run: a CI failure reproduces locally
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        nonlocal sent
        if failure or (sent and time.monotonic() > deadline):
            return  # one failure per operation and mode is enough; the time slice is used up
        sent += 1
        response = case.call(headers=AUTH)
        try:
            case.validate_response(response, checks=CHECKS, headers=AUTH)
        except (FailureGroup, Exception) as exc:  # noqa: BLE001 - every failure is reported
            failure.append(
                f"{operation.label} ({mode.value}): {response.status_code}\n"
                f"  {case.as_curl_command(headers=AUTH)}\n"
                f"  {str(exc).strip()[:600]}"
            )
        finally:
            _keep_the_test_key(engine)

    try:
        run()
    except Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE  # an operation with no input that can be invalid
    return (failure[0] if failure else None), sent


def fuzz(app, engine) -> tuple[list[str], int]:
    """Every operation, valid and invalid inputs; returns the failures and the requests sent."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: list[str] = []
    total = 0
    end = time.monotonic() + BUDGET_SECONDS
    for index, operation in enumerate(operations):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            slices_left = 2 * (len(operations) - index) - (mode is GenerationMode.NEGATIVE)
            deadline = time.monotonic() + max(0.0, end - time.monotonic()) / slices_left
            failure, sent = fuzz_operation(operation, mode, engine, deadline)
            total += sent
            if failure:
                failures.append(failure)
    return failures, total


@pytest.fixture
async def fuzz_app(settings, engine, dev_server_env):
    queue = f"fuzz-{uuid.uuid4().hex[:8]}"
    fuzz_settings = settings.model_copy(
        update={
            "temporal_address": dev_server_env.client.service_client.config.target_host,
            "temporal_namespace": dev_server_env.client.namespace,
            "temporal_task_queue": queue,
            # Rate limits off, so every request reaches its route instead of a 429.
            "rate_limit_login_per_minute": 0,
            "rate_limit_public_per_minute": 0,
        }
    )
    app = create_app(fuzz_settings, engine=engine)
    async with build_worker(dev_server_env.client, fuzz_settings, engine, task_queue=queue):
        yield app
    # Leave no fuzzed run behind to collide with another test's deterministic workflow ids.
    query = f'TaskQueue="{queue}" AND ExecutionStatus="Running"'
    async for execution in dev_server_env.client.list_workflows(query):
        await dev_server_env.client.get_workflow_handle(execution.id).terminate("fuzz test done")
    schemathesis.python.asgi.shutdown_lifespans()


async def test_fuzz_every_operation(fuzz_app, engine):
    # The fuzzer calls the app synchronously; the worker runs on this loop meanwhile.
    failures, sent = await asyncio.to_thread(fuzz, fuzz_app, engine)
    print(f"fuzzed {sent} requests, {len(failures)} failure(s)")
    operations = sum(
        method in ("get", "post", "put", "patch", "delete")
        for item in fuzz_app.openapi()["paths"].values()
        for method in item
    )
    assert sent >= operations  # every operation got at least one input
    assert not failures, f"{len(failures)} operation(s) failed:\n\n" + "\n\n".join(failures)
