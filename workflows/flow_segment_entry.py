"""One segment-entry check of a flow, started by the flow's Temporal Schedule."""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from core.flows.run_io import SegmentEntryInput


@workflow.defn(name="FlowSegmentEntry")
class FlowSegmentEntryWorkflow:
    @workflow.run
    async def run(self, data: SegmentEntryInput) -> int:
        return await workflow.execute_activity(
            "flow_segment_entry",
            data,
            result_type=int,
            start_to_close_timeout=timedelta(minutes=30),
            heartbeat_timeout=timedelta(minutes=2),
            retry_policy=RetryPolicy(maximum_interval=timedelta(minutes=1), maximum_attempts=10),
        )
