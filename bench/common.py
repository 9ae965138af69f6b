"""Shared benchmark helpers: a seeded database that is reused between runs, and timing."""

import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Integer, MetaData, Table, func, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import core.models  # noqa: F401 - registers every table
from core.config import DATA_DIR
from core.db import make_engine
from core.demo_data import seed_demo_data
from core.models import Customer

BENCH_DIR = DATA_DIR / "bench"

# Records how and when a benchmark database was seeded, so re-runs can skip seeding and
# resolve relative dates against the same `now` the data were generated from.
_meta = MetaData()
bench_seed = Table(
    "bench_seed",
    _meta,
    Column("customers", Integer, nullable=False),
    Column("seeded_at", DateTime(timezone=True), nullable=False),
)


def default_sqlite_url(customers: int) -> str:
    return f"sqlite:///{BENCH_DIR / f'seed-{customers}.db'}"


def seeded_engine(database_url: str, customers: int) -> tuple[Engine, datetime]:
    """An engine on a database holding `customers` demo customers; seeds it the first time.

    Returns the engine and the time the data were generated at (use it as `as_of`).
    """
    engine = make_engine(database_url)
    SQLModel.metadata.create_all(engine)
    _create_missing_indexes(engine)
    _meta.create_all(engine)
    with engine.connect() as conn:
        row = conn.execute(select(bench_seed.c.customers, bench_seed.c.seeded_at)).first()
    if row is not None and row.customers == customers:
        seeded_at = row.seeded_at
        if seeded_at.tzinfo is None:
            seeded_at = seeded_at.replace(tzinfo=UTC)
        return engine, seeded_at
    with engine.connect() as conn:
        existing = conn.execute(select(func.count()).select_from(Customer)).scalar()
    if existing:
        raise SystemExit(
            f"{database_url} holds {existing} customers but no matching seed record: "
            "point --database-url at an empty database"
        )
    now = datetime.now(UTC)
    started = time.perf_counter()
    seed_demo_data(
        engine, customers, now=now, progress=lambda m: print(f"  seeding: {m}", file=sys.stderr)
    )
    print(f"  seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    with engine.begin() as conn:
        conn.execute(bench_seed.insert().values(customers=customers, seeded_at=now))
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return engine, now


def _create_missing_indexes(engine: Engine) -> None:
    """create_all skips existing tables; indexes added by later migrations are created here."""
    for table in SQLModel.metadata.sorted_tables:
        for index in table.indexes:
            index.create(engine, checkfirst=True)


def alternate(
    first: Callable[[], object], second: Callable[[], object], repeat: int = 5
) -> tuple[tuple[float, float, object], ...]:
    """Run two functions alternately `repeat` times (after a warm-up of each), so that noise
    from other processes hits both alike; returns (median wall seconds, median CPU seconds of
    this process, last result) for each. SQLite runs in-process, so its CPU time is the
    query's own cost whatever else the machine is doing."""
    results = [first(), second()]
    times: list[list[float]] = [[], []]
    cpu: list[list[float]] = [[], []]
    for _ in range(repeat):
        for index, fn in enumerate((first, second)):
            started, started_cpu = time.perf_counter(), time.process_time()
            results[index] = fn()
            times[index].append(time.perf_counter() - started)
            cpu[index].append(time.process_time() - started_cpu)
    return tuple(
        (statistics.median(times[i]), statistics.median(cpu[i]), results[i]) for i in (0, 1)
    )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_count() -> int:
    return os.cpu_count() or 1
