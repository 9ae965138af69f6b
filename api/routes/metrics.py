"""Results for the dashboard: headline totals and per-day series, computed in SQL."""

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import EngineDep
from api.errors import ApiError
from core import metrics
from core.timeutil import utcnow

router = APIRouter(prefix="/metrics", tags=["metrics"])

MAX_DAYS = 366


class Overview(BaseModel):
    customers: int
    orders: int
    revenue: float
    messages_sent: int
    messages_opened: int
    messages_clicked: int
    messages_failed: int
    open_rate: float
    click_rate: float
    active_campaigns: int
    active_flows: int
    active_flow_runs: int


class TimeseriesPoint(BaseModel):
    date: date
    revenue: float
    orders: int
    new_customers: int
    messages_sent: int
    messages_opened: int
    messages_clicked: int


class Timeseries(BaseModel):
    start: date
    end: date
    data: list[TimeseriesPoint]


@router.get("/overview", operation_id="metrics-overview", response_model=Overview)
def overview(engine: EngineDep):
    with engine.connect() as conn:
        return metrics.overview(conn)


@router.get("/timeseries", operation_id="metrics-timeseries", response_model=Timeseries)
def timeseries(
    engine: EngineDep,
    start: Annotated[
        date | None, Query(description="first UTC day (default: end - 29 days)")
    ] = None,
    end: Annotated[
        date | None, Query(description="last UTC day, inclusive (default: today)")
    ] = None,
):
    end = end or utcnow().date()
    start = start or end - timedelta(days=29)
    if start > end:
        raise ApiError(422, "start must be on or before end", field="start")
    if (end - start).days + 1 > MAX_DAYS:
        raise ApiError(422, f"the range may span at most {MAX_DAYS} days", field="start")
    with engine.connect() as conn:
        return Timeseries(start=start, end=end, data=metrics.timeseries(conn, start, end))
