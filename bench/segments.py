"""Segment counts over a million customers: the compiler's SQL vs the same predicate by hand.

    .venv/bin/python -m bench.segments                      # SQLite, cached under .data/bench/
    .venv/bin/python -m bench.segments --database-url postgresql://postgres@127.0.0.1/bench

Seeds 1,000,000 demo customers with orders and events the first time (a few minutes; later
runs reuse the database), then for five representative criteria prints the median time of
`count_members` and of a hand-written SQL query for the same predicate, measured alternately
in the same run, their ratio and whether the counts agree. Finally snapshots an audience of
every customer (one INSERT ... SELECT, rolled back afterwards) and prints the process's peak
RSS before and after: flat memory means members never came into Python.
"""

import argparse
import re
import time
from datetime import datetime

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Engine
from sqlmodel import Session
from sqlmodel.sql.sqltypes import UTCDateTime

from bench.common import alternate, default_sqlite_url, peak_rss_mb, seeded_engine
from core.segments import count_members, resolve_window, snapshot_audience
from core.segments.criteria import RelativeWindow

DAYS = "days"

# name → (criteria, {dialect: hand-written SQL}); :cut_N are "as_of minus N days".
CASES: dict[str, tuple[dict, dict[str, str]]] = {
    "nested and/or": (
        {
            "match": "all",
            "conditions": [
                {"field": "total_spent", "op": "gt", "value": 500},
                {"field": "email_opt_in", "op": "eq", "value": True},
                {
                    "match": "any",
                    "conditions": [
                        {"field": "country", "op": "in", "value": ["US", "GB"]},
                        {"field": "attributes.vip", "op": "eq", "value": True},
                    ],
                },
            ],
        },
        {
            "sqlite": """
                SELECT count(*) FROM customer c
                JOIN customer_metrics m ON m.customer_id = c.id
                JOIN customer_preferences p ON p.customer_id = c.id
                WHERE m.total_spent > 500 AND p.email_opt_in = 1
                  AND (c.country IN ('US', 'GB') OR json_extract(c.attributes, '$.vip') IS 1)""",
            "postgresql": """
                SELECT count(*) FROM customer c
                JOIN customer_metrics m ON m.customer_id = c.id
                JOIN customer_preferences p ON p.customer_id = c.id
                WHERE m.total_spent > 500 AND p.email_opt_in
                  AND (c.country IN ('US', 'GB') OR c.attributes ->> 'vip' = 'true')""",
        },
    ),
    "relative dates": (
        {
            "match": "all",
            "conditions": [
                {
                    "field": "last_order_at",
                    "op": "within_last",
                    "value": {"amount": 90, "unit": DAYS},
                },
                {
                    "field": "created_at",
                    "op": "more_than_ago",
                    "value": {"amount": 365, "unit": DAYS},
                },
            ],
        },
        {
            "any": """
                SELECT count(*) FROM customer c
                JOIN customer_metrics m ON m.customer_id = c.id
                WHERE m.last_order_at >= :cut_90 AND m.last_order_at <= :as_of
                  AND c.created_at < :cut_365""",
        },
    ),
    "event count": (
        {
            "match": "all",
            "conditions": [
                {
                    "event": "viewed_product",
                    "op": "count_gte",
                    "value": 3,
                    "within_last": {"amount": 30, "unit": DAYS},
                }
            ],
        },
        {
            "any": """
                SELECT count(*) FROM (
                  SELECT customer_id FROM event
                  WHERE name = 'viewed_product' AND occurred_at >= :cut_30
                    AND occurred_at <= :as_of
                  GROUP BY customer_id HAVING count(*) >= 3) t""",
        },
    ),
    "product purchase": (
        {
            "match": "all",
            "conditions": [
                {
                    "product": {"category": "shoes"},
                    "op": "purchased",
                    "within_last": {"amount": 180, "unit": DAYS},
                }
            ],
        },
        {
            "any": """
                SELECT count(DISTINCT customer_id) FROM order_item
                WHERE category = 'shoes' AND placed_at >= :cut_180 AND placed_at <= :as_of""",
        },
    ),
    "everything (ARCHITECTURE.md example)": (
        {
            "match": "all",
            "conditions": [
                {"field": "total_spent", "op": "gt", "value": 500},
                {
                    "field": "last_order_at",
                    "op": "within_last",
                    "value": {"amount": 90, "unit": DAYS},
                },
                {
                    "match": "any",
                    "conditions": [
                        {"field": "country", "op": "in", "value": ["US", "GB"]},
                        {"field": "attributes.vip", "op": "eq", "value": True},
                    ],
                },
                {
                    "event": "viewed_product",
                    "op": "count_gte",
                    "value": 3,
                    "within_last": {"amount": 7, "unit": DAYS},
                },
                {
                    "product": {"category": "shoes"},
                    "op": "purchased",
                    "within_last": {"amount": 365, "unit": DAYS},
                },
            ],
        },
        {
            "sqlite": """
                SELECT count(*) FROM customer c
                JOIN customer_metrics m ON m.customer_id = c.id
                WHERE m.total_spent > 500
                  AND m.last_order_at >= :cut_90 AND m.last_order_at <= :as_of
                  AND (c.country IN ('US', 'GB') OR json_extract(c.attributes, '$.vip') IS 1)
                  AND c.id IN (SELECT customer_id FROM event
                               WHERE name = 'viewed_product' AND occurred_at >= :cut_7
                                 AND occurred_at <= :as_of
                               GROUP BY customer_id HAVING count(*) >= 3)
                  AND c.id IN (SELECT customer_id FROM order_item
                               WHERE category = 'shoes' AND placed_at >= :cut_365
                                 AND placed_at <= :as_of)""",
            "postgresql": """
                SELECT count(*) FROM customer c
                JOIN customer_metrics m ON m.customer_id = c.id
                WHERE m.total_spent > 500
                  AND m.last_order_at >= :cut_90 AND m.last_order_at <= :as_of
                  AND (c.country IN ('US', 'GB') OR c.attributes ->> 'vip' = 'true')
                  AND (SELECT count(*) FROM event e
                       WHERE e.customer_id = c.id AND e.name = 'viewed_product'
                         AND e.occurred_at >= :cut_7 AND e.occurred_at <= :as_of) >= 3
                  AND EXISTS (SELECT 1 FROM order_item i
                              WHERE i.customer_id = c.id AND i.category = 'shoes'
                                AND i.placed_at >= :cut_365 AND i.placed_at <= :as_of)""",
        },
    ),
}
EVERYONE = {"match": "all", "conditions": [{"field": "total_spent", "op": "gte", "value": 0}]}


def raw_query(sql: str, as_of: datetime):
    params = {}
    for name in set(re.findall(r":(\w+)", sql)):
        if name == "as_of":
            params[name] = as_of
        elif name.startswith("cut_"):
            window = RelativeWindow(amount=int(name[4:]), unit="days")
            params[name] = resolve_window(as_of, window)
    stmt = text(sql).bindparams(*[bindparam(n, type_=UTCDateTime()) for n in params])
    return stmt, params


def run(engine: Engine, as_of: datetime, repeat: int) -> None:
    dialect = engine.dialect.name
    in_process = dialect == "sqlite"
    header = f"{'criteria':38} {'count':>9} {'compiled':>9} {'raw SQL':>9} {'ratio':>6}"
    if in_process:
        header += f" {'cpu comp':>8} {'cpu raw':>8} {'ratio':>6}"
    print(header + "   (median seconds)")
    with engine.connect() as conn:
        for name, (criteria, sql) in CASES.items():
            stmt, params = raw_query(sql.get(dialect) or sql["any"], as_of)
            (compiled_s, compiled_cpu, count), (raw_s, raw_cpu, raw_count) = alternate(
                lambda c=criteria: count_members(conn, c, as_of),
                lambda s=stmt, p=params: conn.execute(s, p).scalar(),
                repeat,
            )
            agree = "" if count == raw_count else f"  MISMATCH raw={raw_count}"
            ratio = compiled_s / raw_s if raw_s else float("inf")
            cpu = ""
            if in_process:
                cpu = f" {compiled_cpu:>8.3f} {raw_cpu:>8.3f} {compiled_cpu / raw_cpu:>6.2f}"
            print(
                f"{name:38} {count:>9,} {compiled_s:>9.3f} {raw_s:>9.3f} {ratio:>6.2f}{cpu}{agree}"
            )

    before = peak_rss_mb()
    started = time.perf_counter()
    with Session(engine) as session:
        audience = snapshot_audience(session, EVERYONE, as_of)
        elapsed = time.perf_counter() - started
        session.rollback()
    after = peak_rss_mb()
    # Baseline: the same rows copied by a hand-written INSERT ... SELECT of every customer.
    with engine.connect() as conn:
        aid = conn.execute(
            text(
                "INSERT INTO audience (criteria, as_of, size, created_at) "
                "VALUES ('{}', :t, 0, :t) RETURNING id"
            ).bindparams(bindparam("t", type_=UTCDateTime())),
            {"t": as_of},
        ).scalar()
        started = time.perf_counter()
        conn.execute(
            text(
                "INSERT INTO audience_member (audience_id, customer_id) "
                "SELECT :aid, id FROM customer"
            ),
            {"aid": aid},
        )
        raw = time.perf_counter() - started
        conn.rollback()
    print(
        f"snapshot of {audience.size:,} members: {elapsed:.2f} s (raw INSERT ... SELECT "
        f"{raw:.2f} s, ratio {elapsed / raw:.2f}); peak RSS {before:.0f} MB before, "
        f"{after:.0f} MB after"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="default: a cached SQLite file in .data/bench/")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query (median)")
    args = parser.parse_args()
    url = args.database_url or default_sqlite_url(args.customers)
    engine, as_of = seeded_engine(url, args.customers)
    print(f"{engine.dialect.name}, {args.customers:,} customers, as_of {as_of:%Y-%m-%d %H:%M}Z")
    run(engine, as_of, args.repeat)


if __name__ == "__main__":
    main()
