"""Opaque list cursors (API.md "Lists"), the one codec of every service: URL-safe base64 of a
small JSON object the service wrote. A cursor the service did not give (not base64, not JSON,
another kind of position, a number outside PostgreSQL's bigint or a boolean) is a 422
``validation_error`` on ``cursor``, never a database error or an empty page."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime

from sqlalchemy import literal, tuple_

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
    """The id a keyset cursor continues below (None for the first page). Only for ids that
    count nothing across agencies: a cursor holding a platform-wide sequence tells an agency how
    many rows the others wrote in between (issue 19); those lists page by ``before_moment``."""
    value = decode(cursor, expect="b")
    return None if value is None else _position(value)


def id_page(rows: list[dict], limit: int) -> tuple[list[dict], str | None]:
    """A page of rows ordered by descending id (``limit + 1`` fetched) and its next cursor."""
    items = rows[:limit]
    more = len(rows) > limit
    return items, encode({"b": items[-1]["id"]}) if more and items else None


def before_moment(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    """The (time, random id) a keyset cursor continues below (None for the first page): a
    position made of what the client already saw on the page (its last item's time and id),
    so it reveals nothing else, least of all a count shared with other agencies."""
    value = decode(cursor, expect="t")
    if value is None:
        return None
    try:
        moment, row_id = value
        moment = datetime.fromisoformat(moment)
        if moment.tzinfo is None:
            raise ValueError(moment)
        return moment, uuid.UUID(row_id)
    except (TypeError, ValueError, AttributeError):
        raise invalid() from None


def moment_page(rows: list[dict], limit: int, moment: str,
                row_id: str = "id") -> tuple[list[dict], str | None]:
    """A page of rows ordered by descending (``moment``, ``row_id``) (``limit + 1`` fetched) and
    its next cursor."""
    items = rows[:limit]
    if len(rows) <= limit or not items:
        return items, None
    last = items[-1]
    return items, encode({"t": [last[moment].isoformat(), str(last[row_id])]})


def newest_first(statement, moment, row_id, before: tuple[datetime, uuid.UUID] | None,
                 limit: int):
    """``statement`` (SQLAlchemy Core) as one keyset page, newest first by (``moment``,
    ``row_id``): below ``before`` (``before_moment``'s answer, None for the first page), one row
    more than ``limit`` so that ``moment_page`` sees whether another page follows. An index on
    (its filter columns, ``moment``, ``row_id``) reads the page and nothing before it."""
    if before is not None:
        statement = statement.where(tuple_(moment, row_id) < tuple_(
            literal(before[0], moment.type), literal(before[1], row_id.type)))
    return statement.order_by(moment.desc(), row_id.desc()).limit(limit + 1)
