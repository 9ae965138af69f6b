"""The worker's registered workflows and activities run against a real Temporal test server."""

import uuid

from sqlmodel import Session
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from activities.system import CountCustomersInput
from core.models import Customer
from tests.conftest import temporal_binary
from worker import build_worker
from workflows.system_check import SystemCheckWorkflow


async def test_system_check_counts_customers(engine, settings):
    with Session(engine) as session:
        session.add_all([Customer(email=f"c{i}@example.com", country="FR") for i in range(3)])
        session.commit()
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=temporal_binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    ) as env:
        queue = f"test-{uuid.uuid4()}"
        async with build_worker(env.client, settings, engine, task_queue=queue):
            result = await env.client.execute_workflow(
                SystemCheckWorkflow.run,
                CountCustomersInput(country="FR"),
                id=f"system-check-{uuid.uuid4()}",
                task_queue=queue,
            )
    assert result == 3
