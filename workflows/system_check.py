"""A smoke workflow: the worker is up, reaches the database, and answers."""

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.system import CountCustomersInput


@workflow.defn(name="SystemCheck")
class SystemCheckWorkflow:
    @workflow.run
    async def run(self, data: CountCustomersInput) -> int:
        return await workflow.execute_activity(
            "count_customers",
            data,
            result_type=int,
            start_to_close_timeout=timedelta(seconds=30),
        )
