"""The message sender: check consent, render, claim, deliver, record — in bulk.

Invariant 2: every message has a row (unique idempotency key) before it is sent. Per chunk of
recipients, `send_batch` finds which keys are already finished (one query), loads the rest with
their customer, metrics and preferences (one query), renders them, and claims them with one
`INSERT ... ON CONFLICT (idempotency_key) DO NOTHING RETURNING` carrying the rendered message —
only the rows this attempt inserted (or found still pending) are delivered. Outcomes are recorded
with one bulk UPDATE per chunk, guarded by `status = 'pending'`. Re-running a batch therefore
never sends twice (finished rows are skipped) and never loses a message (an unfinished row stays
pending and is sent by the next attempt). Through the outbox the insert *is* the delivery, so each
message is written once, already `sent`.
"""

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, bindparam, select, update
from sqlalchemy.engine import Connection, Engine

from core.config import Settings
from core.messaging.channel import (
    DeliveryResult,
    EmailChannel,
    EmailEnvelope,
    PushChannel,
    PushEnvelope,
)
from core.messaging.compose import EmailComposer
from core.messaging.templates import CompiledContent, TemplateInvalid, compile_content
from core.messaging.tokens import LinkSigner
from core.models import Customer, CustomerMetrics, CustomerPreferences, Message, PushDevice
from core.sql import dialect_insert
from core.timeutil import utcnow

M = Message.__table__
C = Customer.__table__
P = CustomerPreferences.__table__
X = CustomerMetrics.__table__
D = PushDevice.__table__

# A plain ASCII address without spaces, quotes or header-breaking characters.
_ADDRESS = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_IN_CHUNK = 1000  # values per IN (...) list
_MUTABLE = (
    "status",
    "attempts",
    "to_address",
    "subject",
    "html",
    "text",
    "payload",
    "links",
    "provider_message_id",
    "last_error",
    "skip_reason",
    "sent_at",
    "updated_at",
)


@dataclass
class MessageContent:
    """What to send; every text field is a Jinja2 template rendered per recipient."""

    channel: str  # "email" | "push"
    subject: str = ""
    preheader: str = ""
    html: str = ""
    text: str | None = None  # derived from the HTML when not given
    title: str = ""  # push
    body: str = ""  # push
    deep_link: str | None = None  # push


@dataclass
class Recipient:
    customer_id: int
    idempotency_key: str  # campaign:{campaign_id}:{customer_id}  or  flow:{run_id}:{step_key}
    campaign_id: int | None = None
    campaign_step_id: int | None = None
    flow_id: int | None = None
    flow_run_id: int | None = None
    step_key: str | None = None


@dataclass
class SendOutcome:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    already_done: int = 0  # rows a previous attempt had already finished
    retry_later: int = 0  # transient failures left pending (e.g. SMTP 4xx)
    # Why messages were skipped or failed, counted ({"no email consent": 3, ...}).
    reasons: dict[str, int] = field(default_factory=dict)

    def add(self, other: "SendOutcome") -> None:
        for name in ("sent", "failed", "skipped", "already_done", "retry_later"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for reason, count in other.reasons.items():
            self.reasons[reason] = self.reasons.get(reason, 0) + count


@dataclass(slots=True)
class _Work:
    """One recipient of a chunk: its full row, and what to deliver (None: decided already)."""

    row: dict[str, Any]
    existing: bool  # a pending row from an earlier attempt: update it, do not insert
    envelope: EmailEnvelope | PushEnvelope | None = None


class MessageSender:
    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        email_channel: EmailChannel | None = None,
        push_channel: PushChannel | None = None,
    ):
        from core.messaging.factory import build_email_channel, build_push_channel

        self.engine = engine
        self.settings = settings
        self.email_channel = email_channel or build_email_channel(settings)
        self.push_channel = push_channel or build_push_channel(settings)
        self.signer = LinkSigner(settings.secret_key)
        self.composer = EmailComposer(settings, self.signer)
        self._insert_sql: dict[str, tuple] = {}  # per dialect, built on first use
        self._update = (
            update(M)
            .where(M.c.idempotency_key == bindparam("b_key"), M.c.status == "pending")
            .values(
                {
                    name: bindparam(
                        name, type_=JSON if name in ("payload", "links") else M.c[name].type
                    )
                    for name in _MUTABLE
                }
            )
        )

    async def aclose(self) -> None:
        await self.email_channel.aclose()
        await self.push_channel.aclose()

    async def send_batch(
        self,
        content: MessageContent,
        recipients: list[Recipient],
        heartbeat: Callable[[int], None] | None = None,
    ) -> SendOutcome:
        """Send `content` to each recipient at most once; see the module docstring."""
        if content.channel not in ("email", "push"):
            raise ValueError(f"unknown channel {content.channel!r}: use 'email' or 'push'")
        outcome = SendOutcome()
        recipients = list({r.idempotency_key: r for r in recipients}.values())
        try:
            compiled: CompiledContent | str = compile_content(content)
        except TemplateInvalid as exc:
            compiled = f"template error: {exc}"  # every message fails with this reason
        channel = self.email_channel if content.channel == "email" else self.push_channel
        done = 0
        for start in range(0, len(recipients), channel.chunk_size):
            chunk = recipients[start : start + channel.chunk_size]
            if channel.name == "outbox":
                # Nothing external: prepare and write in one worker thread, one transaction.
                await asyncio.to_thread(self._outbox_chunk, content, compiled, chunk, outcome)
            else:
                await self._external_chunk(content, compiled, channel, chunk, outcome)
            done += len(chunk)
            if heartbeat is not None:
                heartbeat(done)
        return outcome

    # -- the two write paths ----------------------------------------------------------------

    def _outbox_chunk(self, content, compiled, chunk, outcome: SendOutcome) -> None:
        with self.engine.begin() as conn:
            works = self._prepare(conn, content, compiled, chunk, outcome)
            now = utcnow()
            for work in works:
                if work.envelope is not None:
                    work.row.update(status="sent", sent_at=now)
            inserted = self._insert_outbox(conn, [w.row for w in works if not w.existing])
            existing = [w.row for w in works if w.existing]
            if existing:
                conn.execute(self._update, [_update_params(row) for row in existing])
        for work in works:
            if work.existing or work.row["idempotency_key"] in inserted:
                _count(outcome, work.row)
            else:
                outcome.already_done += 1  # a concurrent attempt wrote it first

    async def _external_chunk(self, content, compiled, channel, chunk, outcome) -> None:
        works = await asyncio.to_thread(self._claim_external, content, compiled, chunk, outcome)
        deliver = [w for w in works if w.envelope is not None]
        results = await channel.deliver([w.envelope for w in deliver]) if deliver else []
        now = utcnow()
        for work, result in zip(deliver, results, strict=True):
            _apply(work.row, result, now)
        to_record = [w.row for w in works if w.existing or w.envelope is not None]
        if to_record:
            await asyncio.to_thread(self._record, to_record)
        for work in works:
            _count(outcome, work.row)

    def _claim_external(self, content, compiled, chunk, outcome: SendOutcome) -> list[_Work]:
        """Insert the chunk's rows (pending, or final when decided without delivery); return
        only the works this attempt owns: the rows it inserted and the ones still pending."""
        with self.engine.begin() as conn:
            works = self._prepare(conn, content, compiled, chunk, outcome)
            inserted = self._insert_rows(conn, [w.row for w in works if not w.existing])
        owned = []
        for work in works:
            if work.existing or work.row["idempotency_key"] in inserted:
                owned.append(work)
            else:
                outcome.already_done += 1
        return owned

    def _record(self, rows: list[dict]) -> None:
        with self.engine.begin() as conn:
            conn.execute(self._update, [_update_params(row) for row in rows])

    def _insert_outbox(self, conn: Connection, rows: list[dict]) -> set[str]:
        """Insert finished rows; the keys inserted. The hot path of the outbox, so: no RETURNING,
        and values converted with the columns' own bind processors but each distinct datetime
        once (a chunk shares one `now`), then one DBAPI executemany. When the row count shows a
        conflict (a concurrent attempt wrote some first), ours are the rows with our created_at.
        """
        if not rows:
            return set()
        sql, names, processors, positional = self._outbox_insert_sql(conn)
        converted: dict[int, Any] = {}  # id(datetime) -> bound value
        params = []
        for row in rows:
            values = []
            for name in names:
                value = row[name]
                proc = processors[name]
                if proc is not None and value is not None:
                    if name in _DATETIME_COLS:
                        bound = converted.get(id(value))
                        if bound is None:
                            bound = converted[id(value)] = proc(value)
                        value = bound
                    else:
                        value = proc(value)
                values.append(value)
            params.append(tuple(values) if positional else dict(zip(names, values, strict=True)))
        written = conn.exec_driver_sql(sql, params).rowcount
        keys = [row["idempotency_key"] for row in rows]
        if written == len(rows):
            return set(keys)
        now = rows[0]["created_at"]
        ours: set[str] = set()
        for start in range(0, len(keys), _IN_CHUNK):
            query = select(M.c.idempotency_key).where(
                M.c.idempotency_key.in_(keys[start : start + _IN_CHUNK]), M.c.created_at == now
            )
            ours.update(conn.execute(query).scalars())
        return ours

    def _outbox_insert_sql(self, conn: Connection):
        dialect = conn.dialect
        cached = self._insert_sql.get(dialect.name)
        if cached is None:
            stmt = dialect_insert(conn, M).on_conflict_do_nothing(
                index_elements=["idempotency_key"]
            )
            compiled = stmt.compile(dialect=dialect, column_keys=list(_ROW_TEMPLATE))
            names = list(compiled.positiontup) if compiled.positional else list(_ROW_TEMPLATE)
            processors = {
                name: M.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
            }
            cached = (compiled.string, names, processors, compiled.positional)
            self._insert_sql[dialect.name] = cached
        return cached

    def _insert_rows(self, conn: Connection, rows: list[dict]) -> set[str]:
        if not rows:
            return set()
        stmt = (
            dialect_insert(conn, M)
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(M.c.idempotency_key)
        )
        return set(conn.execute(stmt, rows).scalars())

    # -- preparing a chunk: finished keys, customers, consent, rendering ----------------------

    def _prepare(self, conn, content, compiled, chunk, outcome: SendOutcome) -> list[_Work]:
        existing: dict[str, tuple[str, int]] = {}
        keys = [r.idempotency_key for r in chunk]
        for start in range(0, len(keys), _IN_CHUNK):
            stmt = select(M.c.idempotency_key, M.c.status, M.c.attempts).where(
                M.c.idempotency_key.in_(keys[start : start + _IN_CHUNK])
            )
            for key, status, attempts in conn.execute(stmt):
                existing[key] = (status, attempts)
        todo = []
        for r in chunk:
            found = existing.get(r.idempotency_key)
            if found is not None and found[0] != "pending":
                outcome.already_done += 1
            else:
                todo.append((r, found))
        uses = compiled.uses if isinstance(compiled, CompiledContent) else {}
        people = self._load_people(conn, [r.customer_id for r, _ in todo], content.channel, uses)
        now = utcnow()
        expires = self.signer.expiry()
        is_email = content.channel == "email"
        works: list[_Work] = []
        for r, found in todo:
            person = people.get(r.customer_id)
            if person is None:  # deleted since the audience was built: there can be no row
                outcome.skipped += 1
                _reason(outcome, "customer deleted")
                continue
            row = _new_row(r, content.channel, now, found[1] if found else 0)
            work = _Work(row=row, existing=found is not None)
            if isinstance(compiled, str):
                _fail(row, compiled)
            elif is_email:
                self._prepare_email(work, compiled, person, expires)
            else:
                self._prepare_push(work, compiled, person, expires)
            works.append(work)
        return works

    def _load_people(
        self, conn, customer_ids: list[int], channel: str, uses: dict[str, frozenset[str]]
    ) -> dict[int, tuple]:
        """customer id -> (customer, metrics, preferences, device tokens), in one query that
        reads only the columns the templates use (plus id and email)."""
        customer_cols = [
            n for n in _CUSTOMER_COLS if n in ("id", "email") or n in uses.get("customer", ())
        ]
        metric_cols = [n for n in _METRIC_COLS if n in uses.get("metrics", ())]
        cols = [
            *[C.c[name] for name in customer_cols],
            *[X.c[name] for name in metric_cols],
            P.c.email_opt_in,
            P.c.push_opt_in,
        ]
        n_customer, n_metrics = len(customer_cols), len(metric_cols)
        ids = sorted(set(customer_ids))
        people: dict[int, tuple] = {}
        for start in range(0, len(ids), _IN_CHUNK):
            joined = C.outerjoin(P, P.c.customer_id == C.c.id)
            if metric_cols:
                joined = joined.outerjoin(X, X.c.customer_id == C.c.id)
            stmt = (
                select(*cols).select_from(joined).where(C.c.id.in_(ids[start : start + _IN_CHUNK]))
            )
            for values in conn.execute(stmt):
                customer = dict(zip(customer_cols, values[:n_customer], strict=True))
                metrics = dict(
                    zip(metric_cols, values[n_customer : n_customer + n_metrics], strict=True)
                )
                # No preferences row means no consent, never consent.
                prefs = {"email_opt_in": bool(values[-2]), "push_opt_in": bool(values[-1])}
                people[customer["id"]] = (customer, metrics, prefs, [])
        if channel == "push" and people:
            for start in range(0, len(ids), _IN_CHUNK):
                stmt = (
                    select(D.c.customer_id, D.c.token)
                    .where(D.c.customer_id.in_(ids[start : start + _IN_CHUNK]))
                    .order_by(D.c.id)
                )
                for customer_id, token in conn.execute(stmt):
                    if customer_id in people:
                        people[customer_id][3].append(token)
        return people

    def _prepare_email(self, work: _Work, compiled, person, expires: int) -> None:
        customer, metrics, prefs, _ = person
        row = work.row
        if not prefs["email_opt_in"]:
            row.update(status="skipped", skip_reason="no email consent")
            return
        address = customer["email"] or ""
        row["to_address"] = address[:320]
        if not _ADDRESS.match(address):
            _fail(row, f"invalid email address {address!r}")
            return
        try:
            email = self.composer.compose(
                compiled, row["idempotency_key"], customer, metrics, prefs, expires
            )
        except Exception as exc:  # noqa: BLE001 - a render failure fails this message only
            _fail(row, f"template error: {type(exc).__name__}: {exc}")
            return
        row.update(
            attempts=row["attempts"] + 1,
            subject=email.subject[:500],
            html=email.html,
            text=email.text,
            payload={"preheader": email.preheader, "headers": email.headers},
            links=email.links,
            provider_message_id=email.headers["Message-ID"],
        )
        work.envelope = EmailEnvelope(
            message_key=row["idempotency_key"],
            to_address=address,
            subject=email.subject,
            html=email.html,
            text=email.text,
            headers=email.headers,
        )

    def _prepare_push(self, work: _Work, compiled, person, expires: int) -> None:
        customer, metrics, prefs, devices = person
        row = work.row
        if not prefs["push_opt_in"]:
            row.update(status="skipped", skip_reason="no push consent")
            return
        if not devices:
            row.update(status="skipped", skip_reason="no push device")
            return
        key = row["idempotency_key"]
        context = {
            "customer": customer,
            "metrics": metrics,
            "preferences": prefs,
            "unsubscribe_url": self.composer.url("u", self.signer.sign("u", key, expires)),
            "view_in_browser_url": "",
        }
        try:
            parts = compiled.render(context)
        except Exception as exc:  # noqa: BLE001
            _fail(row, f"template error: {type(exc).__name__}: {exc}")
            return
        envelope = PushEnvelope(
            message_key=key,
            tokens=devices,
            title=" ".join(parts.get("title", "").split()),
            body=parts.get("body", ""),
            deep_link=parts.get("deep_link", "").strip() or None,
        )
        row.update(
            attempts=row["attempts"] + 1,
            subject=envelope.title[:500],
            text=envelope.body,
            payload={
                "title": envelope.title,
                "body": envelope.body,
                "deep_link": envelope.deep_link,
                "tokens": envelope.tokens,
            },
        )
        work.envelope = envelope


_ROW_TEMPLATE: dict[str, Any] = {
    "idempotency_key": None,
    "customer_id": None,
    "channel": None,
    "status": "pending",
    "campaign_id": None,
    "campaign_step_id": None,
    "flow_id": None,
    "flow_run_id": None,
    "step_key": None,
    "to_address": None,
    "subject": None,
    "html": None,
    "text": None,
    "payload": None,
    "links": None,
    "provider_message_id": None,
    "attempts": 0,
    "last_error": None,
    "skip_reason": None,
    "open_count": 0,
    "click_count": 0,
    "created_at": None,
    "sent_at": None,
    "updated_at": None,
}
_DATETIME_COLS = frozenset({"created_at", "sent_at", "updated_at"})


def _new_row(r: Recipient, channel: str, now, attempts: int) -> dict[str, Any]:
    row = _ROW_TEMPLATE.copy()
    row["idempotency_key"] = r.idempotency_key
    row["customer_id"] = r.customer_id
    row["channel"] = channel
    row["campaign_id"] = r.campaign_id
    row["campaign_step_id"] = r.campaign_step_id
    row["flow_id"] = r.flow_id
    row["flow_run_id"] = r.flow_run_id
    row["step_key"] = r.step_key
    row["attempts"] = attempts
    row["created_at"] = row["updated_at"] = now
    return row


def _update_params(row: dict) -> dict:
    params = {name: row[name] for name in _MUTABLE}
    params["b_key"] = row["idempotency_key"]
    return params


def _fail(row: dict, error: str) -> None:
    row.update(status="failed", attempts=row["attempts"] + 1, last_error=error[:1000])


def _apply(row: dict, result: DeliveryResult, now) -> None:
    if result.status == "sent":
        row.update(status="sent", sent_at=now, last_error=None)
        if result.provider_message_id:
            row["provider_message_id"] = result.provider_message_id[:300]
    elif result.status == "failed":
        row.update(status="failed", last_error=(result.error or "failed")[:1000])
    else:  # retry: stays pending for the next attempt, with the error that delayed it
        row.update(status="pending", last_error=(result.error or "transient failure")[:1000])


_CUSTOMER_COLS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "phone",
    "country",
    "city",
    "timezone",
    "attributes",
    "created_at",
)
_METRIC_COLS = ("total_spent", "order_count", "avg_order_value", "first_order_at", "last_order_at")


def _reason(outcome: SendOutcome, reason: str) -> None:
    outcome.reasons[reason] = outcome.reasons.get(reason, 0) + 1


def _count(outcome: SendOutcome, row: dict) -> None:
    status = row["status"]
    if status == "sent":
        outcome.sent += 1
    elif status == "failed":
        outcome.failed += 1
        _reason(outcome, _short(row["last_error"]))
    elif status == "skipped":
        outcome.skipped += 1
        _reason(outcome, row["skip_reason"])
    else:
        outcome.retry_later += 1


def _short(error: str | None) -> str:
    text = (error or "failed").split(":", 1)[0]
    return text[:60]
