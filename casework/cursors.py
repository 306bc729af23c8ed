"""Opaque list cursors (API.md "Lists"), the one codec of every service: URL-safe base64 of a
small JSON object the service wrote. A cursor the service did not give (not base64, not JSON,
another kind of position, a number outside PostgreSQL's bigint or a boolean) is a 422
``validation_error`` on ``cursor``, never a database error or an empty page."""

from __future__ import annotations

import base64
import binascii
import json

from casework.errors import ValidationFailed

# positions are PostgreSQL bigints: a forged one beyond them is a bad cursor, not a database error
LARGEST = 2 ** 63 - 1


def encode(position: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode()


def invalid() -> ValidationFailed:
    return ValidationFailed("the cursor is invalid", {"cursor": ["not a cursor we gave"]})


def decode(cursor: str | None, *, expect: str) -> object | None:
    """The value stored under ``expect`` in a cursor we gave, or a 422 for anything else."""
    if not cursor:
        return None
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        value = position[expect]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError):
        raise invalid() from None
    return value


def _position(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= LARGEST:
        raise invalid()
    return value


def offset(cursor: str | None) -> int:
    """The offset an offset cursor stands for (0 for the first page)."""
    value = decode(cursor, expect="o")
    return 0 if value is None else _position(value)


def offset_page(rows: list, offset_: int, limit: int) -> tuple[list, str | None]:
    """A page of rows read at ``offset_`` (``limit + 1`` fetched) and its next cursor."""
    more = len(rows) > limit
    return rows[:limit], encode({"o": offset_ + limit}) if more else None


def before_id(cursor: str | None) -> int | None:
    """The id a keyset cursor continues below (None for the first page)."""
    value = decode(cursor, expect="b")
    return None if value is None else _position(value)


def id_page(rows: list[dict], limit: int) -> tuple[list[dict], str | None]:
    """A page of rows ordered by descending id (``limit + 1`` fetched) and its next cursor."""
    items = rows[:limit]
    more = len(rows) > limit
    return items, encode({"b": items[-1]["id"]}) if more and items else None
