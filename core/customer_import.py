"""CSV import: streamed to a spooled temp file, then upserted by email in chunks.

Memory stays flat whatever the file size: the upload is spooled to disk, rows are read one at a
time and written 1,000 at a time. The caller's transaction holds the whole import, so a failure
half-way leaves nothing behind; bad rows are reported with their line number and skipped.
"""

import csv
import io
import tempfile
from collections.abc import AsyncIterator

import anyio
from pydantic import ValidationError
from sqlalchemy import func, insert, select, update
from sqlmodel import Session

from core.models import Customer, CustomerMetrics, CustomerPreferences
from core.schemas.customer import CustomerCreate, ImportReject, ImportResult
from core.sql import dialect_insert
from core.timeutil import utcnow

CHUNK_ROWS = 1000
MAX_LISTED_REJECTS = 1000
MAX_FILE_BYTES = 512 * 1024 * 1024
PROFILE_COLUMNS = {"email", "first_name", "last_name", "phone", "country", "city", "timezone"}
CONSENT_COLUMNS = {"email_opt_in", "push_opt_in"}
TRUE_WORDS = {"true", "1", "yes", "y", "t"}
FALSE_WORDS = {"false", "0", "no", "n", "f"}


class CsvImportError(ValueError):
    """The file as a whole cannot be imported (bad header, not UTF-8, too large)."""


async def import_customers_csv(session: Session, chunks: AsyncIterator[bytes]) -> ImportResult:
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as spool:
        size = 0
        async for chunk in chunks:
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                raise CsvImportError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MB")
            spool.write(chunk)
        spool.seek(0)
        return await anyio.to_thread.run_sync(_import_file, session, spool)


def _import_file(session: Session, raw) -> ImportResult:
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(text)
        try:
            header = next(reader)
        except StopIteration:
            raise CsvImportError("the file is empty: expected a header row with `email`") from None
        columns = _check_header(header)
        importer = _Importer(session, columns)
        batch: list[tuple[int, list[str]]] = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue  # blank lines are not errors
            batch.append((reader.line_num, row))
            if len(batch) >= CHUNK_ROWS:
                importer.write(batch)
                batch = []
        importer.write(batch)
    except UnicodeDecodeError as exc:
        raise CsvImportError(f"the file is not UTF-8 text ({exc.reason})") from exc
    except csv.Error as exc:
        raise CsvImportError(f"malformed CSV: {exc}") from exc
    finally:
        text.detach()
    return importer.result()


def _check_header(header: list[str]) -> list[str]:
    columns = [name.strip().lower() for name in header]
    if "email" not in columns:
        raise CsvImportError(f"the header must have an `email` column; found {', '.join(columns)}")
    seen = set()
    for name in columns:
        if name in seen:
            raise CsvImportError(f"column `{name}` appears twice in the header")
        seen.add(name)
        known = name in PROFILE_COLUMNS or name in CONSENT_COLUMNS
        if not known and not (name.startswith("attributes.") and len(name) > len("attributes.")):
            allowed = ", ".join(sorted(PROFILE_COLUMNS | CONSENT_COLUMNS))
            raise CsvImportError(f"unknown column `{name}`: use {allowed} or attributes.<key>")
    return columns


def _parse_bool(value: str, column: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"{column}: expected true or false, got {value!r}")


def _infer(value: str):
    """Attribute cells become booleans and numbers where they plainly are, so segments can
    compare them (`attributes.vip eq true`, `attributes.age gt 30`)."""
    word = value.lower()
    if word in ("true", "false"):
        return word == "true"
    try:
        return int(value)
    except ValueError:
        pass
    try:
        number = float(value)
    except ValueError:
        return value
    return number if number == number and abs(number) != float("inf") else value


class _Importer:
    def __init__(self, session: Session, columns: list[str]):
        self.session = session
        self.columns = columns
        self.created = 0
        self.updated = 0
        self.rejected = 0
        self.rejects: list[ImportReject] = []

    def reject(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.rejects) < MAX_LISTED_REJECTS:
            self.rejects.append(ImportReject(row=line, reason=reason))

    def parse(self, line: int, row: list[str]) -> dict | None:
        if len(row) != len(self.columns):
            self.reject(line, f"expected {len(self.columns)} columns, found {len(row)}")
            return None
        given = {c: v.strip() for c, v in zip(self.columns, row, strict=True) if v.strip() != ""}
        attributes = {
            c.split(".", 1)[1]: _infer(v) for c, v in given.items() if c.startswith("attributes.")
        }
        try:
            consent = {c: _parse_bool(given[c], c) for c in CONSENT_COLUMNS if c in given}
            profile = {c: given[c] for c in PROFILE_COLUMNS if c in given}
            checked = CustomerCreate.model_validate({**profile, "attributes": attributes})
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"]) or "row"
            self.reject(line, f"{where}: {error['msg']}")
            return None
        except ValueError as exc:
            self.reject(line, str(exc))
            return None
        values = checked.model_dump(include=set(profile))
        return {"values": values, "attributes": attributes, "consent": consent}

    def write(self, batch: list[tuple[int, list[str]]]) -> None:
        rows: dict[str, dict] = {}
        for line, raw in batch:
            parsed = self.parse(line, raw)
            if parsed is None:
                continue
            email = parsed["values"]["email"]
            if email in rows:  # the same email twice in a chunk: the later row wins
                self.updated += 1
                previous = rows[email]
                previous["values"].update(parsed["values"])
                previous["attributes"].update(parsed["attributes"])
                previous["consent"].update(parsed["consent"])
            else:
                rows[email] = parsed
        if not rows:
            return
        session = self.session
        existing = dict(
            session.execute(
                select(Customer.email, Customer.attributes).where(Customer.email.in_(list(rows)))
            ).all()
        )
        now = utcnow()
        new_rows = [
            {
                "first_name": "",
                "last_name": "",
                **r["values"],
                "attributes": r["attributes"],
                "created_at": now,
                "updated_at": now,
            }
            for email, r in rows.items()
            if email not in existing
        ]
        if new_rows:
            session.execute(insert(Customer), new_rows)
        for email, r in rows.items():
            if email not in existing:
                continue
            changes = {k: v for k, v in r["values"].items() if k != "email"}
            if r["attributes"]:
                changes["attributes"] = {**(existing[email] or {}), **r["attributes"]}
            if changes:
                changes["updated_at"] = now
                session.execute(update(Customer).where(Customer.email == email).values(**changes))
        self.created += len(new_rows)
        self.updated += len(rows) - len(new_rows)

        ids = dict(
            session.execute(
                select(Customer.email, Customer.id).where(Customer.email.in_(list(rows)))
            ).all()
        )
        # executemany with ON CONFLICT: compiled once, not one giant multi-VALUES statement.
        session.execute(
            dialect_insert(session, CustomerPreferences.__table__).on_conflict_do_nothing(
                index_elements=["customer_id"]
            ),
            [
                {
                    "customer_id": ids[e],
                    "email_opt_in": rows[e]["consent"].get("email_opt_in", True),
                    "push_opt_in": rows[e]["consent"].get("push_opt_in", True),
                    "source": "import",
                    "updated_at": now,
                }
                for e in rows
            ],
        )
        session.execute(
            dialect_insert(session, CustomerMetrics.__table__).on_conflict_do_nothing(
                index_elements=["customer_id"]
            ),
            [
                {
                    "customer_id": ids[e],
                    "total_spent": 0,
                    "avg_order_value": 0,
                    "order_count": 0,
                    "updated_at": now,
                }
                for e in rows
            ],
        )
        for email in existing.keys() & rows.keys():
            consent = rows[email]["consent"]
            if consent:
                session.execute(_consent_update(ids[email], consent, now))

    def result(self) -> ImportResult:
        return ImportResult(
            created=self.created,
            updated=self.updated,
            rejected=self.rejected,
            rejects=self.rejects,
            rejects_truncated=self.rejected > len(self.rejects),
        )


def _consent_update(customer_id: int, consent: dict[str, bool], now):
    table = CustomerPreferences
    values: dict = {"source": "import", "updated_at": now}
    for channel in ("email", "push"):
        key = f"{channel}_opt_in"
        if key in consent:
            values[key] = consent[key]
            # Keep the first unsubscribe time; clear it on opt-in.
            column = getattr(table, f"{channel}_unsubscribed_at")
            values[f"{channel}_unsubscribed_at"] = (
                None if consent[key] else func.coalesce(column, now)
            )
    return update(table).where(table.customer_id == customer_id).values(**values)
