"""CSV import at scale: time and the API server's peak memory for 10,000 and 100,000 rows.

    .venv/bin/python -m bench.import_csv [--rows 100000]

Runs the real API (uvicorn in a subprocess, SQLite in a temp dir), streams a generated CSV to
`POST /api/customers/import` from disk, and reads the server's peak RSS (VmHWM) after each
import. A flat peak from 10k to 100k rows shows the import does not hold the file in memory.
Baseline in the same run: the same rows written by one raw `executemany` (no validation).
"""

import argparse
import csv
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

KEY = "nk_bench_" + "x" * 30
COUNTRIES = ["US", "GB", "FR", "DE", "JP", "BR", "IN", "CA"]
ZONES = ["America/New_York", "Europe/London", "Europe/Paris", "Europe/Berlin", "Asia/Tokyo"]


def write_csv(path: Path, rows: int, offset: int = 0, bad_every: int = 1000) -> None:
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "email",
                "first_name",
                "last_name",
                "country",
                "city",
                "timezone",
                "email_opt_in",
                "attributes.vip",
                "attributes.score",
            ]
        )
        for i in range(offset, offset + rows):
            email = f"user{i}@example.com" if i % bad_every else f"broken-{i}"
            out.writerow(
                [
                    email,
                    f"First{i}",
                    f"Last{i}",
                    COUNTRIES[i % 8],
                    f"City{i % 50}",
                    ZONES[i % 5],
                    "true" if i % 3 else "false",
                    str(i % 7 == 0).lower(),
                    i % 100,
                ]
            )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    work = Path(tempfile.mkdtemp(prefix="nudge-bench-import-"))
    db = work / "bench.db"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "NUDGE_API_KEY": KEY,
        "ENVIRONMENT": "test",
        "TEMPORAL_ADDRESS": "127.0.0.1:1",
    }
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [str(bin_dir / "alembic"), "upgrade", "head"],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [
            str(bin_dir / "uvicorn"),
            "--factory",
            "api.main:create_app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=root,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(f"{base}/healthz")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        print(f"idle server peak RSS: {peak_rss_mb(server.pid):.0f} MB")
        offset = 0
        for rows in (10_000, args.rows):
            path = work / f"customers-{rows}.csv"
            write_csv(path, rows, offset)
            offset += rows
            size_mb = path.stat().st_size / 2**20
            started = time.perf_counter()
            with path.open("rb") as handle:
                response = httpx.post(
                    f"{base}/api/customers/import",
                    content=handle,
                    headers={"Authorization": f"Bearer {KEY}", "content-type": "text/csv"},
                    timeout=600,
                )
            took = time.perf_counter() - started
            result = response.json()
            print(
                f"{rows:>7,} rows ({size_mb:.1f} MB): {took:.2f}s = {rows / took:,.0f} rows/s; "
                f"created {result['created']:,}, rejected {result['rejected']:,} "
                f"(first: row {result['rejects'][0]['row']}); "
                f"server peak RSS so far {peak_rss_mb(server.pid):.0f} MB"
            )
    finally:
        server.terminate()
        server.wait()

    # Baseline: the same number of rows with one raw executemany, no parsing or validation.
    raw = sqlite3.connect(work / "raw.db")
    raw.execute(
        "CREATE TABLE c (email TEXT UNIQUE, first TEXT, last TEXT, country TEXT, "
        "city TEXT, tz TEXT, attributes TEXT)"
    )
    started = time.perf_counter()
    raw.executemany(
        "INSERT INTO c VALUES (?,?,?,?,?,?,?)",
        ((f"u{i}@x.com", "F", "L", "US", "C", "UTC", "{}") for i in range(args.rows)),
    )
    raw.commit()
    took = time.perf_counter() - started
    print(
        f"baseline raw executemany of {args.rows:,} rows: {took:.2f}s = "
        f"{args.rows / took:,.0f} rows/s"
    )


if __name__ == "__main__":
    main()
