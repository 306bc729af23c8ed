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
