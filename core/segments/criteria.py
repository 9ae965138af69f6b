"""The segment criteria model: one JSON shape for the API, the UI builder, the AI and tests.

    {"match": "all" | "any", "negate": false, "conditions": [
        {"field": "total_spent", "op": "gt", "value": 500},
        {"field": "last_order_at", "op": "within_last", "value": {"amount": 90, "unit": "days"}},
        {"field": "attributes.vip", "op": "eq", "value": true},
        {"event": "viewed_product", "op": "count_gte", "value": 3,
         "within_last": {"amount": 7, "unit": "days"}, "properties": {"category": "shoes"}},
        {"product": {"category": "shoes"}, "op": "purchased",
         "within_last": {"amount": 1, "unit": "years"}},
        {"match": "any", "conditions": [...]}]}

Entry points:
- `parse_criteria(data) -> CriteriaGroup` raises `CriteriaError` (the first problem; `.errors`
  holds them all). Each error has `.path` (`conditions[2].conditions[0].value`), `.loc` (the
  same as a tuple) and `.message`.
- `validate_criteria(data) -> list[dict]`: every problem at once, `[{"path", "loc", "message"}]`
  (empty when valid); the AI uses it to correct its own output.

Validation is hand-written rather than a pydantic union so that every message names the exact
path and the operators the field accepts. Field names come only from the registry (fields.py);
names of attributes, events and properties must be identifiers; values only ever become bound
parameters.
"""

import math
import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from core.segments.fields import (
    ATTRIBUTE_PREFIX,
    EVENT_OPERATORS,
    PRODUCT_OPERATORS,
    TYPE_OPERATORS,
    UNITS,
    FieldSpec,
    attribute_type,
    get_field,
)
from core.timeutil import to_utc

MAX_DEPTH = 5  # the root group is depth 1
MAX_CONDITIONS = 50  # per group
MAX_LIST_VALUES = 1000
MAX_TEXT = 500
MAX_AMOUNT = 100_000
MAX_COUNT = 1_000_000

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
EVENT_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:\-]{0,99}$")

Loc = tuple[str | int, ...]


class CriteriaError(ValueError):
    """Bad criteria: `.path` says where, `.message` what is wrong; `.errors` lists them all."""

    def __init__(self, loc: Loc, message: str, errors: list["CriteriaError"] | None = None):
        self.loc = tuple(loc)
        self.path = format_path(self.loc)
        self.message = message
        self.errors = errors or [self]
        super().__init__(f"{self.path}: {message}")

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "loc": list(self.loc), "message": self.message}


def format_path(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "criteria"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RelativeWindow(_Frozen):
    """ "The last N units" counted back from the evaluation time (`as_of`)."""

    amount: int
    unit: Literal["hours", "days", "weeks", "months", "years"]


class FieldCondition(_Frozen):
    field: str
    op: str
    # number | str | bool | list of them | [low, high] | RelativeWindow | datetime | None
    value: Any = None
    type: str  # the resolved type: number, text, boolean, date


class EventCondition(_Frozen):
    event: str
    op: Literal["count_gte", "count_lte", "count_eq", "never"]
    value: int | None = None
    within_last: RelativeWindow | None = None
    properties: dict[str, str | int | float | bool] = {}


class ProductCondition(_Frozen):
    product: dict[Literal["category", "product_id", "sku"], str | int]
    op: Literal["purchased", "not_purchased"]
    within_last: RelativeWindow | None = None


class CriteriaGroup(_Frozen):
    match: Literal["all", "any"]
    negate: bool = False
    conditions: tuple["Condition", ...]

    def to_json(self) -> dict[str, Any]:
        """The canonical JSON form (what is stored)."""
        return _dump(self)


Condition = FieldCondition | EventCondition | ProductCondition | CriteriaGroup
CriteriaGroup.model_rebuild()


def parse_criteria(data: Any) -> CriteriaGroup:
    """Validate criteria JSON; raise CriteriaError naming the path of the (first) problem."""
    if isinstance(data, CriteriaGroup):
        return data
    errors: list[CriteriaError] = []
    group = _group(data, (), 1, errors)
    if errors:
        first = errors[0]
        raise CriteriaError(first.loc, first.message, errors)
    assert group is not None
    return group


def validate_criteria(data: Any) -> list[dict[str, Any]]:
    """Every problem in the criteria as `{"path", "loc", "message"}`; empty when valid."""
    errors: list[CriteriaError] = []
    _group(data, (), 1, errors)
    return [e.as_dict() for e in errors]


# --- the walker: returns the model, or None after recording errors -------------------------


def _err(errors: list[CriteriaError], loc: Loc, message: str) -> None:
    errors.append(CriteriaError(loc, message))


def _unknown_keys(data: dict, allowed: set[str], loc: Loc, errors) -> bool:
    extra = sorted(str(k) for k in data if k not in allowed)
    if extra:
        _err(errors, loc + (extra[0],), f"unknown key; allowed here: {', '.join(sorted(allowed))}")
    return bool(extra)


def _group(data: Any, loc: Loc, depth: int, errors) -> CriteriaGroup | None:
    if not isinstance(data, dict):
        _err(errors, loc, 'a group must be an object {"match", "conditions"}')
        return None
    bad = _unknown_keys(data, {"match", "negate", "conditions"}, loc, errors)
    match = data.get("match", "all")
    if match not in ("all", "any"):
        _err(errors, loc + ("match",), 'must be "all" or "any"')
        bad = True
    negate = data.get("negate", False)
    if negate is None:
        negate = False
    if not isinstance(negate, bool):
        _err(errors, loc + ("negate",), "must be true or false")
        bad = True
    conditions = data.get("conditions")
    if not isinstance(conditions, list):
        _err(errors, loc + ("conditions",), "must be a list of conditions")
        return None
    if not conditions:
        _err(errors, loc + ("conditions",), "a group needs at least one condition")
        return None
    if len(conditions) > MAX_CONDITIONS:
        _err(errors, loc + ("conditions",), f"at most {MAX_CONDITIONS} conditions per group")
        return None
    parsed = []
    for index, item in enumerate(conditions):
        item_loc = loc + ("conditions", index)
        if isinstance(item, dict) and ("conditions" in item or "match" in item):
            if depth >= MAX_DEPTH:
                _err(errors, item_loc, f"groups nest at most {MAX_DEPTH} levels deep")
                parsed.append(None)
                continue
            parsed.append(_group(item, item_loc, depth + 1, errors))
        else:
            parsed.append(_condition(item, item_loc, errors))
    if bad or any(p is None for p in parsed):
        return None
    return CriteriaGroup(match=match, negate=negate, conditions=tuple(parsed))


def _condition(data: Any, loc: Loc, errors) -> Condition | None:
    if not isinstance(data, dict):
        _err(errors, loc, "a condition must be an object with field, event or product")
        return None
    if "field" in data:
        return _field_condition(data, loc, errors)
    if "event" in data:
        return _event_condition(data, loc, errors)
    if "product" in data:
        return _product_condition(data, loc, errors)
    _err(errors, loc, 'a condition needs "field", "event" or "product" (or a nested group)')
    return None


def _field_condition(data: dict, loc: Loc, errors) -> FieldCondition | None:
    if _unknown_keys(data, {"field", "op", "value"}, loc, errors):
        return None
    name, op, value = data.get("field"), data.get("op"), data.get("value")
    if not isinstance(name, str):
        _err(errors, loc + ("field",), "must be a field name (see GET /api/segments/fields)")
        return None
    spec = None if name.startswith(ATTRIBUTE_PREFIX) else get_field(name)
    if spec is None and not name.startswith(ATTRIBUTE_PREFIX):
        _err(errors, loc + ("field",), f"unknown field {name!r} (see GET /api/segments/fields)")
        return None
    if spec is None and not IDENTIFIER.match(name[len(ATTRIBUTE_PREFIX) :]):
        _err(errors, loc + ("field",), "attribute keys are letters, digits and _ (max 64)")
        return None
    if not isinstance(op, str):
        _err(errors, loc + ("op",), "must be an operator name")
        return None
    if spec is None:
        kind = attribute_type(op, value)
        if kind is None:
            ops = sorted({o for t in ("number", "text", "boolean") for o in TYPE_OPERATORS[t]})
            _err(
                errors,
                loc + ("op",),
                f"{op!r} with this value does not apply to a custom attribute "
                f"(text, number or boolean); operators: {', '.join(ops)}",
            )
            return None
    else:
        kind = spec.type
        if op not in spec.operators:
            _err(
                errors,
                loc + ("op",),
                f"{op!r} does not apply to {name} ({kind}); use one of {', '.join(spec.operators)}",
            )
            return None
    clean = _value(kind, op, value, loc + ("value",), errors, spec)
    if clean is _INVALID:
        return None
    return FieldCondition(field=name, op=op, value=clean, type=kind)


_INVALID = object()


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and abs(value) < 1e15
    )


def _value(kind: str, op: str, value: Any, loc: Loc, errors, spec: FieldSpec | None) -> Any:
    def bad(message: str):
        _err(errors, loc, message)
        return _INVALID

    if op in ("is_set", "is_not_set"):
        return None if value is None else bad(f"{op} takes no value")
    if kind == "number":
        if op == "between":
            if not (isinstance(value, list) and len(value) == 2 and all(map(_is_number, value))):
                return bad("between takes [low, high], two numbers")
            if value[0] > value[1]:
                return bad("between needs low <= high")
            return tuple(value)
        return value if _is_number(value) else bad(f"{op} takes a number")
    if kind == "boolean":
        return value if isinstance(value, bool) else bad(f"{op} takes true or false")
    if kind == "text":
        if op in ("in", "not_in"):
            if not isinstance(value, list) or not value or len(value) > MAX_LIST_VALUES:
                return bad(f"{op} takes a list of 1 to {MAX_LIST_VALUES} strings")
            for index, item in enumerate(value):
                problem = _text_problem(item, spec)
                if problem:
                    _err(errors, loc + (index,), problem)
                    return _INVALID
            return tuple(value)
        problem = _text_problem(value, spec)
        return bad(problem) if problem else value
    if kind == "date":
        if op in ("within_last", "not_within_last", "more_than_ago"):
            window = _window(value, loc, errors)
            return _INVALID if window is None else window
        if op == "between":
            if not (isinstance(value, list) and len(value) == 2):
                return bad("between takes [start, end], two ISO 8601 dates")
            low, high = _date(value[0]), _date(value[1])
            if low is None or high is None:
                return bad("between takes [start, end], two ISO 8601 dates")
            if low > high:
                return bad("between needs start <= end")
            return (low, high)
        when = _date(value)
        return bad(f"{op} takes an ISO 8601 date or datetime") if when is None else when
    return bad(f"unsupported type {kind}")


def _text_problem(value: Any, spec: FieldSpec | None) -> str | None:
    if not isinstance(value, str):
        return "must be a string"
    if len(value) > MAX_TEXT:
        return f"at most {MAX_TEXT} characters"
    if spec is not None and spec.pattern and not re.fullmatch(spec.pattern, value):
        return f"not a valid {spec.label.lower()} ({spec.pattern_hint})"
    return None


def _date(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        return to_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def _window(value: Any, loc: Loc, errors) -> RelativeWindow | None:
    if not isinstance(value, dict):
        _err(errors, loc, 'a relative time is {"amount": N, "unit": "days"}')
        return None
    if _unknown_keys(value, {"amount", "unit"}, loc, errors):
        return None
    amount, unit = value.get("amount"), value.get("unit")
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= MAX_AMOUNT:
        _err(errors, loc + ("amount",), f"must be a whole number from 1 to {MAX_AMOUNT}")
        return None
    if unit not in UNITS:
        _err(errors, loc + ("unit",), f"must be one of {', '.join(UNITS)}")
        return None
    return RelativeWindow(amount=amount, unit=unit)


def _event_condition(data: dict, loc: Loc, errors) -> EventCondition | None:
    allowed = {"event", "op", "value", "within_last", "properties"}
    if _unknown_keys(data, allowed, loc, errors):
        return None
    name, op, value = data.get("event"), data.get("op"), data.get("value")
    if not isinstance(name, str) or not EVENT_NAME.match(name):
        _err(errors, loc + ("event",), "event names are letters, digits and _ . : - (max 100)")
        return None
    if op not in EVENT_OPERATORS:
        _err(errors, loc + ("op",), f"events take {', '.join(EVENT_OPERATORS)}")
        return None
    if op == "never":
        if value is not None:
            _err(errors, loc + ("value",), "never takes no value")
            return None
    elif not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_COUNT:
        _err(errors, loc + ("value",), f"{op} takes a whole number from 0 to {MAX_COUNT}")
        return None
    window = None
    if data.get("within_last") is not None:
        window = _window(data["within_last"], loc + ("within_last",), errors)
        if window is None:
            return None
    properties = data.get("properties") or {}
    if not isinstance(properties, dict) or len(properties) > 10:
        _err(errors, loc + ("properties",), "must be an object of at most 10 property: value")
        return None
    for key, item in properties.items():
        if not IDENTIFIER.match(str(key)):
            _err(errors, loc + ("properties", key), "property names are letters, digits and _")
            return None
        ok = isinstance(item, bool) or _is_number(item)
        ok = ok or (isinstance(item, str) and len(item) <= MAX_TEXT)
        if not ok:
            _err(errors, loc + ("properties", key), "must be a string, number or boolean")
            return None
    return EventCondition(event=name, op=op, value=value, within_last=window, properties=properties)


def _product_condition(data: dict, loc: Loc, errors) -> ProductCondition | None:
    if _unknown_keys(data, {"product", "op", "within_last"}, loc, errors):
        return None
    product, op = data.get("product"), data.get("op")
    if not isinstance(product, dict) or len(product) != 1:
        _err(
            errors,
            loc + ("product",),
            'must name one of {"category": ...}, {"product_id": ...} or {"sku": ...}',
        )
        return None
    ((key, item),) = product.items()
    if key == "product_id":
        if not isinstance(item, int) or isinstance(item, bool) or item < 1:
            _err(errors, loc + ("product", key), "must be a product id")
            return None
    elif key in ("category", "sku"):
        if not isinstance(item, str) or not item or len(item) > 100:
            _err(errors, loc + ("product", key), "must be a non-empty string (max 100)")
            return None
    else:
        _err(errors, loc + ("product", str(key)), "use category, product_id or sku")
        return None
    if op not in PRODUCT_OPERATORS:
        _err(errors, loc + ("op",), f"products take {', '.join(PRODUCT_OPERATORS)}")
        return None
    window = None
    if data.get("within_last") is not None:
        window = _window(data["within_last"], loc + ("within_last",), errors)
        if window is None:
            return None
    return ProductCondition(product={key: item}, op=op, within_last=window)


# --- back to JSON -----------------------------------------------------------------------------


def _dump(node: Condition) -> dict[str, Any]:
    if isinstance(node, CriteriaGroup):
        out: dict[str, Any] = {"match": node.match}
        if node.negate:
            out["negate"] = True
        out["conditions"] = [_dump(c) for c in node.conditions]
        return out
    if isinstance(node, FieldCondition):
        out = {"field": node.field, "op": node.op}
        if node.value is not None:
            out["value"] = _json_value(node.value)
        return out
    if isinstance(node, EventCondition):
        out = {"event": node.event, "op": node.op}
        if node.value is not None:
            out["value"] = node.value
        if node.within_last:
            out["within_last"] = node.within_last.model_dump()
        if node.properties:
            out["properties"] = dict(node.properties)
        return out
    out = {"product": dict(node.product), "op": node.op}
    if node.within_last:
        out["within_last"] = node.within_last.model_dump()
    return out


def _json_value(value: Any) -> Any:
    if isinstance(value, RelativeWindow):
        return value.model_dump()
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, tuple):
        return [_json_value(v) for v in value]
    return value
