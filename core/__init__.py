"""Nudge core: settings, database, models and domain logic shared by the API and the worker.

Nothing here imports FastAPI or Temporal's workflow module.
"""
