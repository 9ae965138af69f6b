"""Helpers for the segment tests: build small datasets directly in the database, and a
plain-Python reference evaluator of criteria (it exists only here, independent of the compiler,
so that SQL results can be checked against it). No tests in this module."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.engine import Engine

from core.models import (
    Audience,
    AudienceMember,
    Customer,
    CustomerMetrics,
    CustomerPreferences,
    Event,
    Order,
    OrderItem,
    Product,
    Segment,
)

AS_OF = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
PRODUCTS = [
    {"id": 1, "name": "Runner", "sku": "SHO-1", "category": "shoes", "price": Decimal("80")},
    {"id": 2, "name": "Cap", "sku": "HAT-1", "category": "hats", "price": Decimal("20")},
]


def ago(days: float = 0, hours: float = 0) -> datetime:
    return AS_OF - timedelta(days=days, hours=hours)


@dataclass
class Person:
    """One customer and everything segments can see about them."""

    email: str
    first_name: str = ""
    last_name: str = ""
    country: str | None = None
    city: str | None = None
    timezone: str | None = None
    created_at: datetime = AS_OF - timedelta(days=10)
    attributes: dict[str, Any] = field(default_factory=dict)
    # None: no metrics / preferences row at all (the compiler must use the defaults)
    metrics: dict[str, Any] | None = field(default_factory=dict)
    prefs: dict[str, bool] | None = field(default_factory=dict)
    events: list[tuple[str, dict, datetime]] = field(default_factory=list)
    purchases: list[tuple[int, datetime]] = field(default_factory=list)  # (product id, when)
    id: int | None = None


METRIC_DEFAULTS = {
    "total_spent": Decimal(0),
    "order_count": 0,
    "avg_order_value": Decimal(0),
    "first_order_at": None,
    "last_order_at": None,
}


def insert_people(engine: Engine, people: list[Person]) -> list[Person]:
    """Insert products (once), then the people with ids 1..n; returns them with ids set."""
    with engine.begin() as conn:
        if conn.execute(Product.__table__.select().limit(1)).first() is None:
            conn.execute(insert(Product), [dict(p, created_at=AS_OF) for p in PRODUCTS])
        order_id = 0
        for index, person in enumerate(people, start=1):
            person.id = index
            conn.execute(
                insert(Customer),
                {
                    "id": index,
                    "email": person.email,
                    "first_name": person.first_name,
                    "last_name": person.last_name,
                    "country": person.country,
                    "city": person.city,
                    "timezone": person.timezone,
                    "attributes": person.attributes,
                    "created_at": person.created_at,
                    "updated_at": person.created_at,
                },
            )
            if person.metrics is not None:
                conn.execute(
                    insert(CustomerMetrics),
                    {
                        **METRIC_DEFAULTS,
                        **person.metrics,
                        "customer_id": index,
                        "updated_at": AS_OF,
                    },
                )
            if person.prefs is not None:
                conn.execute(
                    insert(CustomerPreferences),
                    {
                        "email_opt_in": True,
                        "push_opt_in": True,
                        **person.prefs,
                        "customer_id": index,
                        "updated_at": AS_OF,
                    },
                )
            for name, props, when in person.events:
                conn.execute(
                    insert(Event),
                    {
                        "customer_id": index,
                        "name": name,
                        "properties": props,
                        "occurred_at": when,
                        "created_at": when,
                    },
                )
            for product_id, when in person.purchases:
                order_id += 1
                product = PRODUCTS[product_id - 1]
                conn.execute(
                    insert(Order),
                    {
                        "id": order_id,
                        "customer_id": index,
                        "placed_at": when,
                        "total": product["price"],
                        "created_at": when,
                    },
                )
                conn.execute(
                    insert(OrderItem),
                    {
                        "order_id": order_id,
                        "product_id": product_id,
                        "customer_id": index,
                        "category": product["category"],
                        "placed_at": when,
                        "quantity": 1,
                        "unit_price": product["price"],
                    },
                )
    return people


def clear_people(engine: Engine) -> None:
    with engine.begin() as conn:
        for model in (
            AudienceMember,
            Audience,
            Segment,
            OrderItem,
            Order,
            Event,
            CustomerMetrics,
            CustomerPreferences,
            Customer,
        ):
            conn.execute(delete(model))


# --- the reference evaluator ------------------------------------------------------------------

MISSING = object()
NEGATIONS = {"ne": "eq", "not_in": "in", "is_not_set": "is_set", "not_within_last": "within_last"}


def cutoff(as_of: datetime, window: dict) -> datetime:
    amount, unit = window["amount"], window["unit"]
    if unit in ("hours", "days", "weeks"):
        return as_of - timedelta(**{unit: amount})
    months = amount * (12 if unit == "years" else 1)
    year, month = as_of.year, as_of.month - months
    while month < 1:
        month += 12
        year -= 1
    for day in range(as_of.day, 0, -1):
        try:
            return as_of.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def fold(text: str) -> str:
    return "".join(c.lower() if "A" <= c <= "Z" else c for c in text)


def parse_date(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def matches(person: Person, criteria: dict, as_of: datetime = AS_OF) -> bool:
    results = [_condition(person, c, as_of) for c in criteria["conditions"]]
    result = all(results) if criteria.get("match", "all") == "all" else any(results)
    return not result if criteria.get("negate") else result


def _condition(person: Person, cond: dict, as_of: datetime) -> bool:
    if "conditions" in cond:
        return matches(person, cond, as_of)
    if "event" in cond:
        return _event(person, cond, as_of)
    if "product" in cond:
        return _product(person, cond, as_of)
    op = cond["op"]
    if op in NEGATIONS:
        return not _condition(person, {**cond, "op": NEGATIONS[op]}, as_of)
    value = _field_value(person, cond)
    return _compare(value, op, cond.get("value"), as_of)


def _field_value(person: Person, cond: dict) -> Any:
    name = cond["field"]
    if name.startswith("attributes."):
        raw = person.attributes.get(name.split(".", 1)[1], MISSING)
        if cond["op"] in ("is_set", "is_not_set"):
            return None if raw is MISSING or raw is None else "present"
        sample = cond["value"][0] if isinstance(cond["value"], list) else cond["value"]
        if isinstance(sample, bool):
            return raw if isinstance(raw, bool) else None
        if isinstance(sample, int | float):
            ok = isinstance(raw, int | float) and not isinstance(raw, bool)
            return Decimal(str(raw)) if ok else None
        return raw if isinstance(raw, str) else None
    if name in METRIC_DEFAULTS:
        metrics = {**METRIC_DEFAULTS, **(person.metrics or {})}
        value = metrics[name]
        return Decimal(str(value)) if isinstance(value, int | float | Decimal) else value
    if name in ("email_opt_in", "push_opt_in"):
        if person.prefs is None:
            return False
        return {"email_opt_in": True, "push_opt_in": True, **person.prefs}[name]
    return getattr(person, name)


def _num(value: Any) -> Decimal:
    return Decimal(str(value))


def _compare(actual: Any, op: str, value: Any, as_of: datetime) -> bool:
    if op == "is_set":
        return actual is not None and actual != ""
    if actual is None:
        return False
    if isinstance(actual, datetime):
        if op == "before":
            return actual < parse_date(value)
        if op == "after":
            return actual > parse_date(value)
        if op == "between":
            return parse_date(value[0]) <= actual <= parse_date(value[1])
        if op == "within_last":
            return cutoff(as_of, value) <= actual <= as_of
        if op == "more_than_ago":
            return actual < cutoff(as_of, value)
    if isinstance(actual, bool):
        return op == "eq" and actual == value
    if isinstance(actual, Decimal | int):
        actual = _num(actual)
        if op == "between":
            return _num(value[0]) <= actual <= _num(value[1])
        v = _num(value)
        return {
            "eq": actual == v,
            "gt": actual > v,
            "gte": actual >= v,
            "lt": actual < v,
            "lte": actual <= v,
        }[op]
    if op == "eq":
        return actual == value
    if op == "in":
        return actual in value
    if op == "contains":
        return fold(value) in fold(actual)
    if op == "starts_with":
        return fold(actual).startswith(fold(value))
    raise AssertionError(f"reference evaluator: unhandled {op} on {actual!r}")


def _prop_matches(actual: Any, wanted: Any) -> bool:
    if isinstance(wanted, bool):
        return isinstance(actual, bool) and actual == wanted
    if isinstance(wanted, int | float):
        if isinstance(actual, bool) or not isinstance(actual, int | float):
            return False
        return _num(actual) == _num(wanted)
    return isinstance(actual, str) and actual == wanted


def _event(person: Person, cond: dict, as_of: datetime) -> bool:
    start = cutoff(as_of, cond["within_last"]) if cond.get("within_last") else None
    count = 0
    for name, props, when in person.events:
        if name != cond["event"] or when > as_of or (start is not None and when < start):
            continue
        wanted = cond.get("properties") or {}
        if all(k in props and _prop_matches(props[k], v) for k, v in wanted.items()):
            count += 1
    op, n = cond["op"], cond.get("value")
    return {
        "count_gte": lambda: count >= n,
        "count_lte": lambda: count <= n,
        "count_eq": lambda: count == n,
        "never": lambda: count == 0,
    }[op]()


def _product(person: Person, cond: dict, as_of: datetime) -> bool:
    start = cutoff(as_of, cond["within_last"]) if cond.get("within_last") else None
    ((key, wanted),) = cond["product"].items()
    bought = False
    for product_id, when in person.purchases:
        product = PRODUCTS[product_id - 1]
        actual = product["id"] if key == "product_id" else product[key]
        if actual == wanted and when <= as_of and (start is None or when >= start):
            bought = True
    return bought if cond["op"] == "purchased" else not bought
