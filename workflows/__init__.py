"""Deterministic workflow code. `ALL_WORKFLOWS` is what the worker and the replayer register."""

from workflows.flow_run import FlowRunWorkflow
from workflows.flow_segment_entry import FlowSegmentEntryWorkflow
from workflows.system_check import SystemCheckWorkflow

ALL_WORKFLOWS = [SystemCheckWorkflow, FlowRunWorkflow, FlowSegmentEntryWorkflow]
