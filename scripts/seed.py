"""Seed demo data: `python -m scripts.seed [--customers N] [--if-empty]`."""

import argparse
import sys
import time

from sqlalchemy import func, select

from core.config import get_settings
from core.db import make_engine
from core.demo_data import seed_demo_data
from core.models import Customer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=get_settings().seed_demo_customers)
    parser.add_argument("--if-empty", action="store_true", help="only when there are no customers")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    engine = make_engine(args.database_url or get_settings().database_url)
    with engine.connect() as conn:
        existing = conn.execute(select(func.count(Customer.id))).scalar_one()
    if args.if_empty and existing:
        print(f"demo data: {existing:,} customers already there, nothing to do")
        return
    started = time.perf_counter()
    counts = seed_demo_data(
        engine,
        args.customers,
        seed=args.seed,
        progress=lambda msg: print(f"  {msg}", file=sys.stderr, flush=True),
    )
    took = time.perf_counter() - started
    print(f"demo data: {counts} in {took:.1f}s")


if __name__ == "__main__":
    main()
