"""Flows: definition schema, versions, entry rules, run helpers (no FastAPI, no workflows)."""
