"""Messaging throughput: the outbox (render + bulk write) and SMTP with connection reuse.

    .venv/bin/python -m bench.messaging [--customers 20000] [--smtp 3000] [--database-url URL]

Each figure is printed next to a baseline measured in the same run:
- outbox: the full `MessageSender.send_batch` path (finished-key check, customer load, consent,
  sandboxed render, link rewriting + signed tokens, one bulk INSERT ... ON CONFLICT per batch)
  vs. a bare loop (one sandboxed render per recipient + one raw `executemany` of the HTML);
- SMTP: `send_batch` through `SmtpEmail` (4 reused connections) to an aiosmtpd sink in another
  process vs. a raw aiosmtplib loop sending one prebuilt message over one reused connection, and
  vs. one new connection per message (what connection reuse saves).
"""

import argparse
import asyncio
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert
from sqlmodel import SQLModel

import core.models  # noqa: F401 - registers every table
from core.config import Settings
from core.db import make_engine
from core.messaging import MessageContent, MessageSender, Recipient
from core.messaging.smtp import SmtpEmail
from core.messaging.templates import HTML_ENV
from core.models import Customer, CustomerMetrics, CustomerPreferences
from core.timeutil import utcnow

HTML = """<!doctype html><html><head><meta charset="utf-8"><title>Spring sale</title>
<style>body{font-family:Helvetica,Arial,sans-serif;color:#222}.btn{background:#e4572e;color:#fff;
padding:12px 20px;border-radius:4px;text-decoration:none}</style></head><body>
<table width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
<table width="600" cellpadding="24"><tr><td>
<h1>Hi {{ customer.first_name }}, spring is here</h1>
<p>We picked a few things for you in {{ customer.city or "your city" }}.
{% if metrics.order_count %}Thanks for your {{ metrics.order_count }} orders so far
({{ metrics.total_spent }} spent).{% else %}Your first order ships free.{% endif %}</p>
{% if customer.attributes.vip %}<p><strong>VIP:</strong> an extra 10% off, just for you.</p>
{% endif %}<p><a class="btn"
href="https://shop.example.com/spring?utm_source=nudge&amp;utm_medium=email">Shop the sale</a></p>
<p>New arrivals: <a href="https://shop.example.com/new">see what's new</a> ·
<a href="https://shop.example.com/account">your account</a></p>
<hr><p style="font-size:12px;color:#888">You get this because you signed up at shop.example.com.
<a href="{{ view_in_browser_url }}">View in browser</a> ·
<a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
</td></tr></table></td></tr></table></body></html>"""

CONTENT = MessageContent(
    channel="email",
    subject="{{ customer.first_name }}, 20% off everything this week",
    preheader="Our spring sale starts now",
    html=HTML,
)
BATCH = 1000  # recipients per send_batch call, as a campaign's activity sends them


class Rate:
    """Messages per second of wall time, and per second of this process's CPU time (steadier
    on a shared machine: other people's work slows the wall clock, not our CPU seconds)."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def done(self, count: int) -> dict[str, float]:
        wall = time.perf_counter() - self.wall
        cpu = time.process_time() - self.cpu
        return {"wall": count / wall, "cpu": count / cpu if cpu else float("inf")}


def seed(engine, count: int) -> None:
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            insert(Customer),
            [
                {
                    "id": i,
                    "email": f"customer{i}@example.com",
                    "first_name": f"Name{i}",
                    "last_name": "Bench",
                    "city": "Paris" if i % 3 else None,
                    "attributes": {"vip": i % 7 == 0},
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(1, count + 1)
            ],
        )
        conn.execute(
            insert(CustomerPreferences),
            [
                {
                    "customer_id": i,
                    "email_opt_in": i % 50 != 0,  # 2% unsubscribed: skipped at send time
                    "push_opt_in": True,
                    "source": "bench",
                    "updated_at": now,
                }
                for i in range(1, count + 1)
            ],
        )
        conn.execute(
            insert(CustomerMetrics),
            [
                {
                    "customer_id": i,
                    "total_spent": (i % 40) * 12.5,
                    "order_count": i % 5,
                    "avg_order_value": 12.5,
                    "updated_at": now,
                }
                for i in range(1, count + 1)
            ],
        )


def recipients(tag: str, ids) -> list[Recipient]:
    return [Recipient(customer_id=i, idempotency_key=f"bench:{tag}:{i}") for i in ids]


async def bench_outbox(engine, settings, count: int) -> tuple[dict, dict]:
    sender = MessageSender(engine, settings)
    ids = list(range(1, count + 1))
    rate = Rate()
    sent = 0
    for at in range(0, count, BATCH):
        outcome = await sender.send_batch(CONTENT, recipients("outbox", ids[at : at + BATCH]))
        sent += outcome.sent + outcome.skipped
    full = rate.done(count)
    assert sent == count, sent

    # Baseline: one sandboxed render per recipient and a raw executemany of the result.
    template = HTML_ENV.from_string(HTML)
    raw = engine.raw_connection()
    cursor = raw.cursor()
    cursor.execute(
        "CREATE TABLE IF NOT EXISTS bench_outbox (k VARCHAR(200) PRIMARY KEY, c INT, h TEXT)"
    )
    raw.commit()
    rate = Rate()
    for at in range(0, count, BATCH):
        rows = []
        for i in ids[at : at + BATCH]:
            context = {
                "customer": {"first_name": f"Name{i}", "city": "Paris", "attributes": {}},
                "metrics": {"order_count": 1, "total_spent": 10},
                "unsubscribe_url": "u",
                "view_in_browser_url": "v",
            }
            rows.append((f"baseline:{i}", i, template.render(context)))
        marker = "%s" if engine.dialect.name == "postgresql" else "?"
        cursor.executemany(f"INSERT INTO bench_outbox VALUES ({marker}, {marker}, {marker})", rows)
        raw.commit()
    baseline = rate.done(count)
    raw.close()
    return full, baseline


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sink() -> tuple[subprocess.Popen, int]:
    """An aiosmtpd server that accepts and discards, in its own process (the other core)."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the aiosmtpd sink did not start")


async def bench_smtp(engine, settings, count: int, port: int, connections: int) -> dict:
    import aiosmtplib

    channel = SmtpEmail("127.0.0.1", port, settings.email_from, connections=connections)
    sender = MessageSender(engine, settings, email_channel=channel)
    ids = list(range(1, count + 1))
    rate = Rate()
    for at in range(0, count, BATCH):
        outcome = await sender.send_batch(CONTENT, recipients("smtp", ids[at : at + BATCH]))
        assert outcome.retry_later == 0 and outcome.failed == 0, outcome
    full = rate.done(count)
    await channel.aclose()

    body = (b"x" * 75 + b"\r\n") * 60  # a 4.6 KB body, about the size of the rendered email
    message = b"From: hello@nudge.local\r\nTo: x@example.com\r\nSubject: hi\r\n\r\n" + body
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
    await smtp.connect()
    rate = Rate()
    for _ in range(count):
        await smtp.sendmail("hello@nudge.local", ["x@example.com"], message)
    raw_reuse = rate.done(count)
    await smtp.quit()

    fresh_count = max(100, count // 10)
    rate = Rate()
    for _ in range(fresh_count):
        await aiosmtplib.send(
            message,
            sender="hello@nudge.local",
            recipients=["x@example.com"],
            hostname="127.0.0.1",
            port=port,
            start_tls=False,
        )
    fresh = rate.done(fresh_count)
    return {"full": full, "raw_reuse": raw_reuse, "new_connection_each": fresh}


def show(label: str, rate: dict[str, float]) -> None:
    print(f"{label:<52} {rate['wall']:>9,.0f} msg/s wall {rate['cpu']:>9,.0f} msg/CPU-s")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--smtp", type=int, default=3_000, help="messages sent over SMTP")
    parser.add_argument("--smtp-connections", type=int, default=4)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(url)
        SQLModel.metadata.drop_all(engine)
        SQLModel.metadata.create_all(engine)
        settings = Settings(_env_file=None, secret_key="bench-secret", environment="test")
        seed(engine, args.customers)
        print(f"database: {engine.dialect.name}; {args.customers} customers; batches of {BATCH}")

        full, baseline = await bench_outbox(engine, settings, args.customers)
        show("outbox: send_batch (render + bulk write)", full)
        show("outbox: baseline, bare render + raw executemany", baseline)
        print(
            f"outbox ratio full/baseline: wall {full['wall'] / baseline['wall']:.2f}, "
            f"cpu {full['cpu'] / baseline['cpu']:.2f}"
        )

        proc, port = start_sink()
        try:
            smtp = await bench_smtp(
                engine, settings, min(args.smtp, args.customers), port, args.smtp_connections
            )
        finally:
            proc.terminate()
            proc.wait()
        show(f"smtp: send_batch, {args.smtp_connections} reused connections", smtp["full"])
        show("smtp: baseline raw sendmail, 1 reused connection", smtp["raw_reuse"])
        show("smtp: baseline new connection per message", smtp["new_connection_each"])
        ratio = smtp["full"]["wall"] / smtp["raw_reuse"]["wall"]
        print(f"smtp ratio full/raw-reuse: wall {ratio:.2f}")
        engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
