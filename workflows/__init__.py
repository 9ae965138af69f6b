"""Deterministic workflow code. `ALL_WORKFLOWS` is what the worker and the replayer register."""

from workflows.system_check import SystemCheckWorkflow

ALL_WORKFLOWS = [SystemCheckWorkflow]
