"""Deterministic workflow code. `ALL_WORKFLOWS` is what the worker and the replayer register."""

from workflows.campaign import CampaignWorkflow
from workflows.campaign_test_send import CampaignTestSendWorkflow
from workflows.flow_cohort import FlowCohortWorkflow
from workflows.flow_run import FlowRunWorkflow
from workflows.flow_segment_entry import FlowSegmentEntryWorkflow
from workflows.system_check import SystemCheckWorkflow

ALL_WORKFLOWS = [
    SystemCheckWorkflow,
    FlowRunWorkflow,
    FlowSegmentEntryWorkflow,
    FlowCohortWorkflow,
    CampaignWorkflow,
    CampaignTestSendWorkflow,
]
