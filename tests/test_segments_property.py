"""Property tests: on random small datasets and random criteria, the compiled SQL selects
exactly the customers the plain-Python reference evaluator (test_segments_support) selects,
on SQLite and on PostgreSQL; and one customer's check agrees with the whole-base query."""

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from core.segments import count_members, customer_matches, members_select, parse_criteria
from core.segments.fields import FIELDS, TYPE_OPERATORS
from tests.conftest import BACKENDS, make_test_engine
from tests.test_segments_support import (
    AS_OF,
    Person,
    clear_people,
    insert_people,
    matches,
)

# Small pools so that random criteria and random people often meet.
DAY_OFFSETS = [-1, 0, 0.5, 1, 6, 8, 29, 31, 89, 91, 200, 400, 800]
TEXTS = ["US", "GB", "ada", "Ada", "ADA", "bob", "Bo", "", "Ärzte", "äR", "%", "_a", "Paris"]
NUMBERS = [0, 1, 2, 2.5, 10, 50.5, 100, 500, -1]
ATTR_KEYS = ["vip", "tier", "score"]
ATTR_VALUES = [True, False, 0, 1, 2.5, 100, "gold", "Gold", "", None]
EVENTS = ["viewed", "carted"]
WINDOWS = [(1, "hours"), (36, "hours"), (1, "days"), (7, "days"), (30, "days"), (90, "days"),
           (2, "weeks"), (1, "months"), (3, "months"), (1, "years")]  # fmt: skip

when = st.sampled_from(DAY_OFFSETS).map(lambda d: AS_OF - timedelta(days=d))
maybe_when = st.none() | when
window = st.sampled_from(WINDOWS).map(lambda w: {"amount": w[0], "unit": w[1]})
text = st.sampled_from(TEXTS)
number = st.sampled_from(NUMBERS)


@st.composite
def people(draw) -> list[Person]:
    count = draw(st.integers(1, 7))
    out = []
    for index in range(count):
        first, last = draw(maybe_when), draw(maybe_when)
        metrics = None
        if draw(st.booleans()) or draw(st.booleans()):
            metrics = {
                "total_spent": Decimal(str(abs(draw(number)))),
                "order_count": draw(st.integers(0, 3)),
                "avg_order_value": Decimal(str(abs(draw(number)))),
                "first_order_at": first,
                "last_order_at": last,
            }
        prefs = None
        if draw(st.booleans()) or draw(st.booleans()):
            prefs = {"email_opt_in": draw(st.booleans()), "push_opt_in": draw(st.booleans())}
        attributes = {}
        for key in ATTR_KEYS:
            if draw(st.booleans()):
                attributes[key] = draw(st.sampled_from(ATTR_VALUES))
        events = draw(
            st.lists(
                st.tuples(
                    st.sampled_from(EVENTS),
                    st.fixed_dictionaries(
                        {}, optional={"category": text, "n": st.sampled_from([1, 2, True])}
                    ),
                    when,
                ),
                max_size=5,
            )
        )
        purchases = draw(st.lists(st.tuples(st.sampled_from([1, 2]), when), max_size=3))
        out.append(
            Person(
                email=f"p{index}@example.com",
                first_name=draw(text),
                last_name=draw(text),
                country=draw(st.none() | st.sampled_from(["US", "GB", "FR"])),
                city=draw(st.none() | text),
                created_at=draw(when),
                attributes=attributes,
                metrics=metrics,
                prefs=prefs,
                events=events,
                purchases=purchases,
            )
        )
    return out


def iso(value) -> str:
    return value.isoformat()


@st.composite
def field_condition(draw) -> dict:
    spec = draw(st.sampled_from(list(FIELDS.values())))
    op = draw(st.sampled_from(spec.operators))
    cond = {"field": spec.name, "op": op}
    if op in ("is_set", "is_not_set"):
        return cond
    if spec.type == "number":
        if op == "between":
            low, high = sorted([draw(number), draw(number)])
            cond["value"] = [low, high]
        else:
            cond["value"] = draw(number)
    elif spec.type == "boolean":
        cond["value"] = draw(st.booleans())
    elif spec.type == "text":
        pool = st.sampled_from(["US", "GB", "FR"]) if spec.name == "country" else text
        if spec.name == "timezone":
            pool = st.sampled_from(["Europe/Paris", "UTC"])
        if op in ("in", "not_in"):
            cond["value"] = draw(st.lists(pool, min_size=1, max_size=3))
        else:
            cond["value"] = draw(pool)
    elif op in ("within_last", "not_within_last", "more_than_ago"):
        cond["value"] = draw(window)
    elif op == "between":
        low, high = sorted([draw(when), draw(when)])
        cond["value"] = [iso(low), iso(high)]
    else:
        cond["value"] = iso(draw(when) + timedelta(hours=draw(st.sampled_from([-1, 0, 1]))))
    return cond


@st.composite
def attribute_condition(draw) -> dict:
    key = draw(st.sampled_from(ATTR_KEYS))
    kind = draw(st.sampled_from(["text", "number", "boolean", "presence"]))
    if kind == "presence":
        return {"field": f"attributes.{key}", "op": draw(st.sampled_from(["is_set", "is_not_set"]))}
    ops = [o for o in TYPE_OPERATORS[kind] if o not in ("is_set", "is_not_set")]
    op = draw(st.sampled_from(ops))
    if kind == "boolean":
        value = draw(st.booleans())
    elif kind == "number":
        value = sorted([draw(number), draw(number)]) if op == "between" else draw(number)
    else:
        pool = st.sampled_from(["gold", "Gold", "GOLD", "go", "", "old"])
        value = (
            draw(st.lists(pool, min_size=1, max_size=3)) if op in ("in", "not_in") else draw(pool)
        )
    return {"field": f"attributes.{key}", "op": op, "value": value}


@st.composite
def event_condition(draw) -> dict:
    op = draw(st.sampled_from(["count_gte", "count_lte", "count_eq", "never"]))
    cond = {"event": draw(st.sampled_from(EVENTS)), "op": op}
    if op != "never":
        cond["value"] = draw(st.integers(0, 3))
    if draw(st.booleans()):
        cond["within_last"] = draw(window)
    if draw(st.booleans()):
        cond["properties"] = draw(
            st.fixed_dictionaries(
                {}, optional={"category": text, "n": st.sampled_from([1, 2, True])}
            )
        )
    return cond


@st.composite
def product_condition(draw) -> dict:
    product = draw(
        st.sampled_from(
            [{"category": "shoes"}, {"category": "hats"}, {"product_id": 2}, {"sku": "SHO-1"}]
        )
    )
    cond = {"product": product, "op": draw(st.sampled_from(["purchased", "not_purchased"]))}
    if draw(st.booleans()):
        cond["within_last"] = draw(window)
    return cond


leaf = field_condition() | attribute_condition() | event_condition() | product_condition()


def groups(children):
    return st.fixed_dictionaries(
        {
            "match": st.sampled_from(["all", "any"]),
            "negate": st.booleans(),
            "conditions": st.lists(children, min_size=1, max_size=3),
        }
    )


criteria = groups(st.recursive(leaf, groups, max_leaves=6))


@pytest.fixture(scope="module", params=BACKENDS)
def prop_engine(request, tmp_path_factory):
    engine, cleanup = make_test_engine(request.param, tmp_path_factory.mktemp("prop"))
    yield engine
    cleanup()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(dataset=people(), cases=st.lists(criteria, min_size=1, max_size=6))
def test_sql_equals_reference(prop_engine, dataset, cases):
    clear_people(prop_engine)
    insert_people(prop_engine, dataset)
    with Session(prop_engine) as session:
        for case in cases:
            parse_criteria(case)  # the generator only makes valid criteria
            want = [p.id for p in dataset if matches(p, case)]
            assert list(session.exec(members_select(case, AS_OF))) == want, case
            assert count_members(session, case, AS_OF) == len(want)
            probe = dataset[0]
            assert customer_matches(session, case, probe.id, AS_OF) == (probe.id in want)
