"""The worker's registered workflows and activities run against real Temporal servers."""

import uuid

from sqlmodel import Session

from activities.system import CountCustomersInput
from core.models import Customer
from core.temporal_names import KIND
from worker import build_worker
from workflows.system_check import SystemCheckWorkflow


def _customers(engine) -> None:
    with Session(engine) as session:
        session.add_all([Customer(email=f"c{i}@example.com", country="FR") for i in range(3)])
        session.add(Customer(email="us@example.com", country="US"))
        session.commit()


async def test_system_check_on_the_time_skipping_server(engine, settings, time_skipping_env):
    _customers(engine)
    client = time_skipping_env.client
    queue = f"test-{uuid.uuid4()}"
    async with build_worker(client, settings, engine, task_queue=queue):
        result = await client.execute_workflow(
            SystemCheckWorkflow.run,
            CountCustomersInput(country="FR"),
            id=f"system-check-{uuid.uuid4()}",
            task_queue=queue,
        )
    assert result == 3


async def test_search_attributes_are_registered_on_the_dev_server(engine, settings, dev_server_env):
    from temporalio.common import SearchAttributePair, TypedSearchAttributes

    _customers(engine)
    client = dev_server_env.client
    queue = f"test-{uuid.uuid4()}"
    workflow_id = f"system-check-{uuid.uuid4()}"
    async with build_worker(client, settings, engine, task_queue=queue):
        result = await client.execute_workflow(
            SystemCheckWorkflow.run,
            CountCustomersInput(),
            id=workflow_id,
            task_queue=queue,
            search_attributes=TypedSearchAttributes([SearchAttributePair(KIND, "system_check")]),
        )
    assert result == 4
    described = await client.get_workflow_handle(workflow_id).describe()
    assert described.typed_search_attributes.get(KIND) == "system_check"
