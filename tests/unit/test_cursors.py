"""List cursors: what the service gave comes back; anything else is a 422, never a 500."""

import pytest

from casework import cursors
from casework.errors import ValidationFailed


def test_cursors_round_trip():
    assert cursors.offset(cursors.encode({"o": 150})) == 150
    assert cursors.before_id(cursors.encode({"b": 99})) == 99
    assert cursors.offset(None) == 0 and cursors.before_id("") is None
    rows = [{"id": 5}, {"id": 4}, {"id": 3}]
    assert cursors.id_page(rows, 2) == (rows[:2], cursors.encode({"b": 4}))
    assert cursors.id_page(rows, 3) == (rows, None)


@pytest.mark.parametrize("cursor", ["nope", "!!!", cursors.encode({"o": -1}),
                                    cursors.encode({"o": True}), cursors.encode({"b": 1}),
                                    cursors.encode({"o": "1"}), cursors.encode([1]),
                                    cursors.encode({"o": 2 ** 63})])
def test_foreign_or_forged_cursors_are_refused(cursor):
    with pytest.raises(ValidationFailed):
        cursors.offset(cursor)


def test_positions_beyond_a_bigint_are_refused_as_cursors_not_left_to_the_database():
    assert cursors.offset(cursors.encode({"o": cursors.LARGEST})) == cursors.LARGEST
    with pytest.raises(ValidationFailed):
        cursors.before_id(cursors.encode({"b": 2 ** 63}))


def test_moment_cursors_hold_only_what_the_page_showed():
    import uuid
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 11, 30, 9, 0, 0, 123456, tzinfo=UTC)
    rows = [{"at": start - timedelta(seconds=n), "id": uuid.uuid4()} for n in range(3)]
    items, cursor = cursors.moment_page(rows, 2, "at")
    assert items == rows[:2]
    assert cursors.before_moment(cursor) == (rows[1]["at"], rows[1]["id"])
    assert cursors.moment_page(rows, 3, "at") == (rows, None)
    assert cursors.before_moment(None) is None


@pytest.mark.parametrize("cursor", [
    cursors.encode({"b": 5}), cursors.encode({"t": 5}), cursors.encode({"t": ["x", "y"]}),
    cursors.encode({"t": ["2026-11-30T09:00:00", "6f1c1f0e-8d5a-4f4b-9a38-0f7b4f4f2b11"]}),
    cursors.encode({"t": ["2026-11-30T09:00:00+00:00", "not-a-uuid"]}),
    cursors.encode({"t": ["2026-11-30T09:00:00+00:00"]}), "nope"])
def test_forged_moment_cursors_are_refused(cursor):
    with pytest.raises(ValidationFailed):
        cursors.before_moment(cursor)


def test_newest_first_pages_below_the_position_newest_first_with_one_row_more():
    import uuid as uuid_
    from datetime import UTC, datetime

    from sqlalchemy import Column, DateTime, MetaData, Table, Uuid, select
    from sqlalchemy.dialects import postgresql

    rows = Table("rows", MetaData(), Column("at", DateTime(timezone=True)),
                 Column("public_id", Uuid))
    first = cursors.newest_first(select(rows), rows.c.at, rows.c.public_id, None, 50)
    sql = str(first.compile(dialect=postgresql.dialect()))
    assert "WHERE" not in sql
    assert "ORDER BY rows.at DESC, rows.public_id DESC" in sql and "LIMIT" in sql
    assert first.compile().params["param_1"] == 51
    moment, row_id = datetime(2026, 11, 30, tzinfo=UTC), uuid_.uuid4()
    below = cursors.newest_first(select(rows), rows.c.at, rows.c.public_id,
                                 (moment, row_id), 50)
    compiled = below.compile(dialect=postgresql.dialect())
    assert "WHERE (rows.at, rows.public_id) < (" in str(compiled)
    assert {moment, row_id} <= set(compiled.params.values())
