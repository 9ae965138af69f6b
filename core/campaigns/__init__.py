"""Campaign domain logic: lifecycle rules, content steps, A/B split and message-log statistics.

Pure Python and SQL only (no FastAPI, no Temporal): the API, the activities and the workflow's
update validators all stand on it.
"""
