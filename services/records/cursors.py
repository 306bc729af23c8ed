"""Opaque list cursors (API.md "Lists"): base64 of a small JSON object the service wrote."""

from __future__ import annotations

import base64
import binascii
import json

from casework.errors import ValidationFailed


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


# positions are PostgreSQL bigints: a forged one beyond them is a bad cursor, not a database error
LARGEST = 2 ** 63 - 1


def offset(cursor: str | None) -> int:
    value = decode(cursor, expect="o")
    if value is None:
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= LARGEST:
        raise invalid()
    return value


def before_id(cursor: str | None) -> int | None:
    value = decode(cursor, expect="b")
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                              or not 0 <= value <= LARGEST):
        raise invalid()
    return value


def id_page(rows: list[dict], limit: int) -> tuple[list[dict], str | None]:
    """A page of rows ordered by descending id (``limit + 1`` fetched) and its next cursor."""
    items = rows[:limit]
    more = len(rows) > limit
    return items, encode({"b": items[-1]["id"]}) if more and items else None
