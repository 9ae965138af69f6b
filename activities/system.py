"""A tiny activity that proves the worker can reach the database (used by the smoke workflow)."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from temporalio import activity

from core.models import Customer


@dataclass
class CountCustomersInput:
    country: str | None = None


class SystemActivities:
    def __init__(self, engine: Engine):
        self.engine = engine

    @activity.defn(name="count_customers")
    def count_customers(self, data: CountCustomersInput) -> int:
        stmt = select(func.count(Customer.id))
        if data.country:
            stmt = stmt.where(Customer.country == data.country)
        with self.engine.connect() as conn:
            return conn.execute(stmt).scalar_one()
