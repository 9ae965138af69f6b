"""Keyset cursors: opaque strings that encode the last id seen."""

import base64

from api.errors import ApiError


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        kind, value = base64.urlsafe_b64decode(padded.encode()).decode().split(":", 1)
        if kind != "id":
            raise ValueError(kind)
        return int(value)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "invalid cursor: pass back the next_cursor of a previous page") from exc


def page_of(rows: list, limit: int, key=lambda row: row.id) -> tuple[list, str | None]:
    """Rows were fetched with limit + 1; the extra one tells whether there is a next page."""
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor(key(rows[-1]))
    return rows, None
