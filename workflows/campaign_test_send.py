"""A test send: the campaign's content to a few customers now, through the real sender."""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from workflows.campaign_types import TestSendInput


@workflow.defn(name="CampaignTestSend")
class CampaignTestSendWorkflow:
    @workflow.run
    async def run(self, data: TestSendInput) -> dict:
        return await workflow.execute_activity(
            "send_campaign_test",
            data,
            result_type=dict,
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=RetryPolicy(maximum_attempts=3),
        )
