"""The field registry: the single list of what a segment can test.

Each field has a name (what criteria use), a label, a type and the operators its type takes.
`GET /api/segments/fields` serves `registry_json()`, so the UI builder and the AI build
criteria from the same list the compiler accepts.

Sources (all 1:1 with a customer, or aggregated per customer by the compiler):
- customer columns: email, first_name, last_name, country, city, timezone, created_at;
- `attributes.<key>`: a custom attribute in `customer.attributes` (JSON); its type is taken
  from the condition's value (text, number or boolean); a value of another JSON type does
  not match;
- `customer_metrics`: total_spent, order_count, avg_order_value, first_order_at, last_order_at;
- `customer_preferences`: email_opt_in, push_opt_in;
- events (`{"event": name, ...}`) and purchases (`{"product": {...}, ...}`) are conditions of
  their own; their operators are EVENT_OPERATORS and PRODUCT_OPERATORS.

Missing values: a comparison with a missing (NULL) value is false, and its opposite operator
(ne, not_in, is_not_set, not_within_last) is true; every condition is strictly true or false,
so negating a group gives exactly the other customers.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Column

from core.models import Customer, CustomerMetrics, CustomerPreferences

ATTRIBUTE_PREFIX = "attributes."
UNITS = ("hours", "days", "weeks", "months", "years")

TYPE_OPERATORS: dict[str, tuple[str, ...]] = {
    "number": ("eq", "ne", "gt", "gte", "lt", "lte", "between"),
    "text": ("eq", "ne", "contains", "starts_with", "in", "not_in", "is_set", "is_not_set"),
    "boolean": ("eq", "ne"),
    "date": (
        "before",
        "after",
        "between",
        "within_last",
        "not_within_last",
        "more_than_ago",
        "is_set",
        "is_not_set",
    ),
}
EVENT_OPERATORS = ("count_gte", "count_lte", "count_eq", "never")
PRODUCT_OPERATORS = ("purchased", "not_purchased")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    type: str  # number | text | boolean | date
    column: Column
    source: str  # customer | metrics | preferences
    # For 1:1 side tables: the value a customer without a row has.
    default: Any = None
    pattern: str | None = None  # values must match (text fields with a fixed format)
    pattern_hint: str = ""
    nullable: bool = True

    @property
    def operators(self) -> tuple[str, ...]:
        ops = TYPE_OPERATORS[self.type]
        if not self.nullable:
            ops = tuple(o for o in ops if o not in ("is_set", "is_not_set"))
        return ops


def _c(model, name: str):
    return model.__table__.c[name]


FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("email", "Email", "text", _c(Customer, "email"), "customer", nullable=False),
        FieldSpec("first_name", "First name", "text", _c(Customer, "first_name"), "customer"),
        FieldSpec("last_name", "Last name", "text", _c(Customer, "last_name"), "customer"),
        FieldSpec(
            "country",
            "Country",
            "text",
            _c(Customer, "country"),
            "customer",
            pattern=r"[A-Z]{2}",
            pattern_hint="two capital letters, ISO 3166-1 like US or GB",
        ),
        FieldSpec("city", "City", "text", _c(Customer, "city"), "customer"),
        FieldSpec(
            "timezone",
            "Timezone",
            "text",
            _c(Customer, "timezone"),
            "customer",
            pattern=r"[A-Za-z0-9_+\-/]{1,64}",
            pattern_hint="an IANA name like Europe/Paris",
        ),
        FieldSpec(
            "created_at",
            "Signed up",
            "date",
            _c(Customer, "created_at"),
            "customer",
            nullable=False,
        ),
        FieldSpec(
            "total_spent",
            "Total spent",
            "number",
            _c(CustomerMetrics, "total_spent"),
            "metrics",
            default=Decimal(0),
            nullable=False,
        ),
        FieldSpec(
            "order_count",
            "Number of orders",
            "number",
            _c(CustomerMetrics, "order_count"),
            "metrics",
            default=0,
            nullable=False,
        ),
        FieldSpec(
            "avg_order_value",
            "Average order value",
            "number",
            _c(CustomerMetrics, "avg_order_value"),
            "metrics",
            default=Decimal(0),
            nullable=False,
        ),
        FieldSpec(
            "first_order_at",
            "First order",
            "date",
            _c(CustomerMetrics, "first_order_at"),
            "metrics",
        ),
        FieldSpec(
            "last_order_at", "Last order", "date", _c(CustomerMetrics, "last_order_at"), "metrics"
        ),
        FieldSpec(
            "email_opt_in",
            "Email opt-in",
            "boolean",
            _c(CustomerPreferences, "email_opt_in"),
            "preferences",
            default=False,
            nullable=False,
        ),
        FieldSpec(
            "push_opt_in",
            "Push opt-in",
            "boolean",
            _c(CustomerPreferences, "push_opt_in"),
            "preferences",
            default=False,
            nullable=False,
        ),
    )
}


def get_field(name: str) -> FieldSpec | None:
    return FIELDS.get(name)


def attribute_type(op: str, value: Any) -> str | None:
    """The type of an `attributes.<key>` condition, from its operator and value; None if the
    combination makes no sense (the caller reports it)."""
    if op in ("is_set", "is_not_set"):
        return "text"  # presence only; the compiler tests for any non-null JSON value
    sample = value[0] if isinstance(value, list) and value else value
    if isinstance(sample, bool):
        kind = "boolean"
    elif isinstance(sample, int | float):
        kind = "number"
    elif isinstance(sample, str):
        kind = "text"
    else:
        return None
    return kind if op in TYPE_OPERATORS[kind] else None


def registry_json() -> list[dict[str, Any]]:
    """What `GET /api/segments/fields` returns: fields, then the attribute/event/product forms."""
    out = [
        {
            "name": spec.name,
            "label": spec.label,
            "type": spec.type,
            "kind": "field",
            "operators": list(spec.operators),
        }
        for spec in FIELDS.values()
    ]
    out.append(
        {
            "name": "attributes.<key>",
            "label": "Custom attribute",
            "type": "attribute",
            "kind": "attribute",
            "operators": sorted(
                {o for t in ("text", "number", "boolean") for o in TYPE_OPERATORS[t]}
            ),
            "description": "typed by the value: text, number or boolean",
        }
    )
    out.append(
        {
            "name": "event",
            "label": "Event count",
            "type": "event",
            "kind": "event",
            "operators": list(EVENT_OPERATORS),
            "description": '{"event": name, "op", "value": N, "within_last"?, "properties"?}',
        }
    )
    out.append(
        {
            "name": "product",
            "label": "Purchased product or category",
            "type": "product",
            "kind": "product",
            "operators": list(PRODUCT_OPERATORS),
            "description": '{"product": {"category"|"product_id"|"sku": v}, "op", "within_last"?}',
        }
    )
    return out
