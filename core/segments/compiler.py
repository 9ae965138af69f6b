"""Criteria → one SQL statement, evaluated by the database (invariant 1).

    from core.segments import count_members, customer_matches, members_select

    count_members(session_or_conn, criteria, as_of)             # -> int
    customer_matches(session_or_conn, criteria, customer_id, as_of)  # -> bool (flow CONDITION)
    members_select(group, as_of)          # select(customer.id) ... ORDER BY id: add a keyset
    criteria_clause(group, as_of)         # the WHERE expression over `customer`

`criteria` may be the JSON dict (validated here; raises CriteriaError) or a parsed
CriteriaGroup. Relative dates ("within the last 30 days") and event/order windows resolve
against `as_of` (tz-aware); events and orders after `as_of` are ignored. Metrics and consent
are read as they are now.

Every condition outside the customer row is a set-membership test `customer.id ∈ S` where S is
a subquery over one table (`customer_metrics`, `customer_preferences`, `event` with
GROUP BY/HAVING for counts, `order_item`). It compiles per dialect to what that database
runs best. SQLite: an uncorrelated `IN (SELECT ...)` (materialised once per statement).
PostgreSQL: `IN` where the test is a plain conjunct of the whole criteria (a semi-join the
planner can drive from the subquery), a correlated `EXISTS` under OR or NOT (an anti-join or an
index probe; a large `NOT IN` subplan would be quadratic). In an AND that an event or
purchase set drives, metrics and consent are tested by primary-key probes (`EXISTS`) of its
candidates instead of materialising their large sets. Pass `correlated=True` to force EXISTS
everywhere when testing one customer. Only bound parameters are used.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Integer,
    Numeric,
    String,
    Text,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.types import JSON
from sqlmodel import Session
from sqlmodel import select as sqlmodel_select

from core.models import Customer, CustomerMetrics, CustomerPreferences, Event, OrderItem, Product
from core.segments.criteria import (
    Condition,
    CriteriaGroup,
    EventCondition,
    FieldCondition,
    ProductCondition,
    RelativeWindow,
    parse_criteria,
)
from core.segments.fields import ATTRIBUTE_PREFIX, FieldSpec, get_field
from core.timeutil import to_utc

CUSTOMER = Customer.__table__
CUSTOMER_ID = CUSTOMER.c.id
METRICS = CustomerMetrics.__table__
PREFERENCES = CustomerPreferences.__table__
EVENT = Event.__table__
ORDER_ITEM = OrderItem.__table__
PRODUCT = Product.__table__
SIDE_TABLES = {"metrics": METRICS, "preferences": PREFERENCES}


# --- public API -------------------------------------------------------------------------------


def criteria_clause(
    criteria: CriteriaGroup | dict, as_of: datetime, *, correlated: bool | None = None
) -> ColumnElement[bool]:
    """A boolean SQL expression over `customer` (use in `select(...).select_from(Customer)`)."""
    group = parse_criteria(criteria)
    return _Compiler(to_utc(as_of), correlated).group(group, positive=True)


def members_select(criteria: CriteriaGroup | dict, as_of: datetime) -> Select:
    """`SELECT customer.id ... WHERE <criteria> ORDER BY customer.id` (`session.exec` yields
    ints; add `.where(Customer.id > last).limit(n)` for keyset pages)."""
    clause = criteria_clause(criteria, as_of)
    return sqlmodel_select(Customer.id).where(clause).order_by(Customer.id)


def count_members(bind: Session | Connection, criteria: CriteriaGroup | dict, as_of) -> int:
    clause = criteria_clause(criteria, as_of)
    if isinstance(clause, InSet) and clause.positive:
        # One set test ("bought shoes this year"): count the set itself. Its customer ids all
        # exist (foreign keys, ON DELETE CASCADE), so the customer table need not be read.
        if clause.inner._group_by_clauses:  # already one row per customer
            stmt = select(func.count()).select_from(clause.inner.subquery())
        else:
            stmt = clause.inner.with_only_columns(func.count(clause.key.distinct()))
    else:
        stmt = select(func.count()).select_from(CUSTOMER).where(clause)
    return int(bind.scalar(stmt) or 0)


def customer_matches(
    bind: Session | Connection, criteria: CriteriaGroup | dict, customer_id: int, as_of
) -> bool:
    """Whether one customer matches, by index probes (never a scan of the whole base)."""
    clause = criteria_clause(criteria, as_of, correlated=True)
    stmt = select(CUSTOMER_ID).where(Customer.id == customer_id, clause)
    return bind.scalar(stmt) is not None


def resolve_window(as_of: datetime, window: RelativeWindow) -> datetime:
    """The start of "the last N units" before `as_of` (months and years by the calendar)."""
    n = window.amount
    if window.unit == "hours":
        return as_of - timedelta(hours=n)
    if window.unit == "days":
        return as_of - timedelta(days=n)
    if window.unit == "weeks":
        return as_of - timedelta(weeks=n)
    months = n if window.unit == "months" else 12 * n
    total = as_of.year * 12 + (as_of.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    if year < 1:
        return datetime.min.replace(tzinfo=as_of.tzinfo)
    day = min(as_of.day, _days_in_month(year, month))
    return as_of.replace(year=year, month=month, day=day)


def _days_in_month(year: int, month: int) -> int:
    nxt = datetime(year + (month == 12), month % 12 + 1, 1)
    return (nxt - timedelta(days=1)).day


# --- dialect-specific constructs --------------------------------------------------------------


class InSet(ColumnElement[bool]):
    """`customer.id IN (inner)` on SQLite, `EXISTS (inner AND key = customer.id)` elsewhere.

    `inner` selects one column, `key` (the customer id of the subquery's table); it may have
    GROUP BY key / HAVING. Both forms give the same rows because `key` is never NULL.
    """

    type = Boolean()
    _is_implicitly_boolean = True  # a predicate: SQLite must not get `IN (...) = 1`
    inherit_cache = False  # built per call; not worth a cache key

    def __init__(self, inner: Select, key, correlated: bool | None, positive: bool = False):
        self.inner = inner
        self.key = key
        self.correlated = correlated
        self.positive = positive  # a conjunct of the whole WHERE: not under OR or NOT


def _exists_form(element: InSet):
    probe = element.inner.with_only_columns(literal_column("1")).where(element.key == CUSTOMER_ID)
    return exists(probe.correlate(CUSTOMER))


@compiles(InSet)
def _in_set_default(element: InSet, compiler, **kw):
    if element.correlated:
        return compiler.process(_exists_form(element), **kw)
    return compiler.process(CUSTOMER_ID.in_(element.inner), **kw)


@compiles(InSet, "postgresql")
def _in_set_postgresql(element: InSet, compiler, **kw):
    if element.correlated is False or (element.positive and element.correlated is None):
        return compiler.process(CUSTOMER_ID.in_(element.inner), **kw)
    return compiler.process(_exists_form(element), **kw)


class JsonValue(ColumnElement):
    """A typed scalar from a JSON object column; NULL when the key is missing or holds another
    JSON type. kind: number, text, boolean (as 1/0) or present (a boolean: non-null value)."""

    inherit_cache = False

    def __init__(self, column, key: str, kind: str):
        self.column = column
        self.key = key
        self.kind = kind
        self._is_implicitly_boolean = kind == "present"
        self.type = {"number": Numeric(), "text": String(), "present": Boolean()}.get(
            kind, Integer()
        )


@compiles(JsonValue)
def _json_sqlite(element: JsonValue, compiler, **kw):
    path = literal(f"$.{element.key}", String)
    jtype = func.json_type(element.column, path)
    value = func.json_extract(element.column, path)
    if element.kind == "number":
        expr = case((jtype.in_(["integer", "real"]), value))
    elif element.kind == "text":
        expr = case((jtype == "text", value))
    elif element.kind == "boolean":
        expr = case((jtype == "true", 1), (jtype == "false", 0))
    else:
        present = compiler.process(func.coalesce(jtype, "null") != "null", **kw)
        return f"({present})"
    return compiler.process(expr, **kw)


@compiles(JsonValue, "postgresql")
def _json_postgresql(element: JsonValue, compiler, **kw):
    key = cast(literal(element.key, String), Text)
    node = element.column.op("->", return_type=JSON)(key)
    raw = element.column.op("->>", return_type=Text)(key)
    jtype = func.json_typeof(node)
    if element.kind == "number":
        expr = case((jtype == "number", cast(raw, Numeric)))
    elif element.kind == "text":
        expr = case((jtype == "string", raw))
    elif element.kind == "boolean":
        expr = case((jtype == "boolean", case((raw == "true", 1), else_=0)))
    else:
        present = compiler.process(func.coalesce(jtype, "null") != "null", **kw)
        return f"({present})"
    return compiler.process(expr, **kw)


class AsciiLower(ColumnElement):
    """ASCII-only lower case on every backend (SQLite's lower() folds only ASCII), so text
    matching gives the same rows on SQLite and PostgreSQL."""

    type = String()
    inherit_cache = False

    def __init__(self, expr):
        self.expr = expr


@compiles(AsciiLower)
def _lower_sqlite(element: AsciiLower, compiler, **kw):
    return compiler.process(func.lower(element.expr), **kw)


@compiles(AsciiLower, "postgresql")
def _lower_postgresql(element: AsciiLower, compiler, **kw):
    upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    expr = func.translate(element.expr, literal(upper), literal(upper.lower()))
    return compiler.process(expr, **kw)


def ascii_lower(value: str) -> str:
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in value)


# --- the compiler -----------------------------------------------------------------------------


class _Compiler:
    def __init__(self, as_of: datetime, correlated: bool | None):
        self.as_of = as_of
        self.correlated = correlated

    def in_set(
        self, inner: Select, key, positive: bool = False, probe: bool = False
    ) -> ColumnElement[bool]:
        correlated = True if probe and self.correlated is None else self.correlated
        return InSet(inner, key, correlated, positive)

    def group(self, group: CriteriaGroup, positive: bool = False) -> ColumnElement[bool]:
        """`positive`: this group's result is a conjunct of the whole WHERE clause."""
        combine = and_ if group.match == "all" else or_
        single = len(group.conditions) == 1
        positive = positive and not group.negate and (combine is and_ or single)
        parts: list[ColumnElement[bool]] = []
        # Conditions on the same 1:1 table share one subquery: "spent > 500 and ordered in the
        # last 90 days" reads customer_metrics once, as a hand-written join would.
        side: dict[tuple[str, bool], list[ColumnElement[bool]]] = {}
        # When another set drives this AND (an event or purchase set; for consent, also a
        # metrics set), test the 1:1 tables by primary-key probes of its candidates rather than
        # materialising their often large sets ("opted in" is most customers).
        drives = positive and combine is and_
        probe = {
            "metrics": drives and any(map(_selects_few, group.conditions)),
            "preferences": drives and any(map(_selects_few, group.conditions)),
        }
        for cond in group.conditions:
            spec = get_field(cond.field) if isinstance(cond, FieldCondition) else None
            if spec is None or spec.source not in SIDE_TABLES:
                parts.append(self.condition(cond, positive))
                continue
            holds = _holds_for_default(cond, spec.default)
            predicate = self.predicate(spec.column, cond, nullable=spec.nullable)
            side.setdefault((spec.source, holds), []).append(predicate)
        if drives and ("metrics", False) in side:
            probe["preferences"] = True
        for (source, holds), predicates in side.items():
            key = SIDE_TABLES[source].c.customer_id
            if not holds:  # customer ∈ {rows matching}
                inner = select(key).where(combine(*predicates))
                parts.append(self.in_set(inner, key, positive, probe[source]))
            else:  # customer ∉ {rows not matching}; De Morgan swaps and/or inside
                flip = or_ if combine is and_ else and_
                misses = flip(*[not_(p) for p in predicates])
                parts.append(not_(self.in_set(select(key).where(misses), key, probe=probe[source])))
        clause = parts[0] if len(parts) == 1 else combine(*parts)
        return not_(clause) if group.negate else clause

    def condition(self, node: Condition, positive: bool = False) -> ColumnElement[bool]:
        if isinstance(node, CriteriaGroup):
            return self.group(node, positive)
        if isinstance(node, FieldCondition):
            return self.field(node)
        if isinstance(node, EventCondition):
            return self.event(node, positive)
        if isinstance(node, ProductCondition):
            return self.product(node, positive)
        raise TypeError(node)

    # fields

    def field(self, cond: FieldCondition) -> ColumnElement[bool]:
        if cond.field.startswith(ATTRIBUTE_PREFIX):
            key = cond.field[len(ATTRIBUTE_PREFIX) :]
            column = CUSTOMER.c.attributes
            if cond.op in ("is_set", "is_not_set"):
                present = JsonValue(column, key, "present")
                return present if cond.op == "is_set" else not_(present)
            return self.predicate(JsonValue(column, key, cond.type), cond, nullable=True)
        spec = get_field(cond.field)
        assert spec is not None  # parse_criteria checked it
        if spec.source == "customer":
            return self.predicate(spec.column, cond, nullable=spec.nullable)
        return self.side_table(spec, cond)

    def side_table(self, spec: FieldSpec, cond: FieldCondition) -> ColumnElement[bool]:
        """A 1:1 table; a customer without a row has `spec.default`."""
        table = SIDE_TABLES[spec.source]
        key = table.c.customer_id
        matches = self.predicate(spec.column, cond, nullable=spec.nullable)
        if _holds_for_default(cond, spec.default):
            return not_(self.in_set(select(key).where(not_(matches)), key))
        return self.in_set(select(key).where(matches), key)

    def predicate(self, expr, cond: FieldCondition, nullable: bool) -> ColumnElement[bool]:
        """A strictly two-valued test of `expr` (NULL never leaks out, so NOT is exact)."""
        op, value, kind = cond.op, cond.value, cond.type
        if op in ("ne", "not_in", "is_not_set", "not_within_last"):
            positive = {
                "ne": "eq",
                "not_in": "in",
                "is_not_set": "is_set",
                "not_within_last": "within_last",
            }[op]
            return not_(self.predicate(expr, cond.model_copy(update={"op": positive}), nullable))
        if kind == "number":
            clause = self.number(expr, op, value)
        elif kind == "boolean":
            param = int(value) if isinstance(expr, JsonValue) else value
            clause = expr == literal(param, expr.type)
        elif kind == "text":
            clause = self.text(expr, op, value)
        else:
            clause = self.date(expr, op, value)
        if nullable and op != "is_set":
            clause = and_(expr.is_not(None), clause)
        return clause

    @staticmethod
    def number(expr, op: str, value) -> ColumnElement[bool]:
        def num(v):
            # Numeric binds: an integer column compared with 2.5 must not round the 2.5.
            return literal(Decimal(str(v)), Numeric(30, 10))

        if op == "between":
            return expr.between(num(value[0]), num(value[1]))
        return {
            "eq": expr.__eq__,
            "gt": expr.__gt__,
            "gte": expr.__ge__,
            "lt": expr.__lt__,
            "lte": expr.__le__,
        }[op](num(value))

    @staticmethod
    def text(expr, op: str, value) -> ColumnElement[bool]:
        if op == "eq":
            return expr == literal(value, String)
        if op == "in":
            return expr.in_([literal(v, String) for v in value])
        if op == "is_set":
            return and_(expr.is_not(None), expr != literal("", String))
        folded = ascii_lower(value)
        if op == "contains":
            return AsciiLower(expr).contains(folded, autoescape=True)
        return AsciiLower(expr).startswith(folded, autoescape=True)

    def date(self, expr, op: str, value) -> ColumnElement[bool]:
        if op == "is_set":
            return expr.is_not(None)
        if op == "before":
            return expr < value
        if op == "after":
            return expr > value
        if op == "between":
            return expr.between(value[0], value[1])
        cutoff = resolve_window(self.as_of, value)
        if op == "within_last":
            return and_(expr >= cutoff, expr <= self.as_of)
        return expr < cutoff  # more_than_ago

    # events and purchases

    def window(self, column, window: RelativeWindow | None) -> ColumnElement[bool]:
        clause = column <= self.as_of
        if window is not None:
            clause = and_(column >= resolve_window(self.as_of, window), clause)
        return clause

    def event(self, cond: EventCondition, positive: bool = False) -> ColumnElement[bool]:
        key = EVENT.c.customer_id
        where = [
            EVENT.c.name == literal(cond.event, String),
            self.window(EVENT.c.occurred_at, cond.within_last),
        ]
        for prop, value in cond.properties.items():
            if isinstance(value, bool):
                where.append(JsonValue(EVENT.c.properties, prop, "boolean") == int(value))
            elif isinstance(value, int | float):
                number = literal(Decimal(str(value)), Numeric(30, 10))
                where.append(JsonValue(EVENT.c.properties, prop, "number") == number)
            else:
                text = literal(value, String)
                where.append(JsonValue(EVENT.c.properties, prop, "text") == text)
        base = select(key).where(*where)

        def at_least(n: int, positive: bool) -> ColumnElement[bool]:
            if n <= 0:
                return true()
            if n == 1:
                return self.in_set(base, key, positive)
            return self.in_set(base.group_by(key).having(func.count() >= n), key, positive)

        if cond.op == "count_gte":
            return at_least(cond.value, positive)
        if cond.op == "count_lte":
            return not_(at_least(cond.value + 1, False))
        if cond.op == "never" or cond.value == 0:
            return not_(at_least(1, False))
        exactly = base.group_by(key).having(func.count() == cond.value)
        return self.in_set(exactly, key, positive)

    def product(self, cond: ProductCondition, positive: bool = False) -> ColumnElement[bool]:
        key = ORDER_ITEM.c.customer_id
        ((kind, value),) = cond.product.items()
        if kind == "category":
            match = ORDER_ITEM.c.category == literal(value, String)
        elif kind == "product_id":
            match = ORDER_ITEM.c.product_id == literal(value, Integer)
        else:
            ids = select(PRODUCT.c.id).where(PRODUCT.c.sku == literal(value, String))
            match = ORDER_ITEM.c.product_id.in_(ids.scalar_subquery())
        inner = select(key).where(match, self.window(ORDER_ITEM.c.placed_at, cond.within_last))
        if cond.op == "purchased":
            return self.in_set(inner, key, positive)
        return not_(self.in_set(inner, key))


def _selects_few(cond: Condition) -> bool:
    """An event or purchase test that can drive a query (a set of ids, not its complement)."""
    if isinstance(cond, EventCondition):
        return cond.op in ("count_gte", "count_eq") and (cond.value or 0) >= 1
    return isinstance(cond, ProductCondition) and cond.op == "purchased"


def _holds_for_default(cond: FieldCondition, default: Any) -> bool:
    """Whether a customer with no side-table row (value `default`) matches `cond`."""
    op, value = cond.op, cond.value
    if default is None:  # a missing date
        return op in ("not_within_last", "is_not_set")
    if cond.type == "boolean":
        return (default == value) == (op == "eq")
    d = Decimal(str(default))
    if op == "between":
        return Decimal(str(value[0])) <= d <= Decimal(str(value[1]))
    v = Decimal(str(value))
    return {
        "eq": d == v,
        "ne": d != v,
        "gt": d > v,
        "gte": d >= v,
        "lt": d < v,
        "lte": d <= v,
    }[op]


__all__ = [
    "InSet",
    "count_members",
    "criteria_clause",
    "customer_matches",
    "members_select",
    "resolve_window",
]
