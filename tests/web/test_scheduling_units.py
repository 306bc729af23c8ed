"""The scheduling pages' helpers that need no browser: the weekly availability form read back
(blank rows skipped, an inverted or overlapping time marked on its row, midnight as 24:00),
amounts typed in minor units, and free windows offered as start times in the agency's zone."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import Babel


@pytest.fixture
def request_context():
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context("/staff/"):
        yield


def test_the_week_form_sends_the_filled_rows_and_marks_the_wrong_ones(request_context):
    from web.staff_scheduling import read_week, week_errors

    rows, weekly, origin = read_week({
        "monday-count": "3", "monday-0-start": "09:00", "monday-0-end": "12:00",
        "monday-1-start": "", "monday-1-end": "", "monday-2-start": "13:00",
        "monday-2-end": "00:00",
        "tuesday-count": "2", "tuesday-0-start": "12:00", "tuesday-0-end": "09:00",
        "tuesday-1-start": "9:00", "tuesday-1-end": "",
        "friday-count": "2", "friday-0-start": "09:00", "friday-0-end": "11:00",
        "friday-1-start": "10:00", "friday-1-end": "12:00"})
    assert weekly["monday"] == [{"start": "09:00", "end": "12:00"},
                                {"start": "13:00", "end": "24:00"}]
    assert origin["monday"] == [0, 2]
    assert rows["tuesday"][0]["error"] == "The end time must be after the start time"
    assert rows["tuesday"][1]["error"].startswith("Enter a start and an end time")
    assert rows["friday"][1]["error"] == "This time overlaps 09:00 to 11:00"
    assert [target for target, _ in week_errors(rows)] == [
        "tuesday-0-start", "tuesday-1-start", "friday-1-start"]
    assert weekly["sunday"] == []


@pytest.mark.parametrize("typed,currency,minor", [
    ("25.50", "EUR", 2550), ("1,200", "GBP", 120000), ("£3", "GBP", 300),
    ("1000", "JPY", 1000), ("10.5", "JPY", None), ("0", "GBP", None), ("-5", "GBP", None),
    ("1.234", "GBP", None), ("NaN", "GBP", None), ("sNaN", "GBP", None), ("1e3", "GBP", None),
    ("", "GBP", None),
])
def test_amounts_typed_become_minor_units(typed, currency, minor):
    from web.staff_scheduling import parse_amount

    assert parse_amount(typed, currency) == minor


def test_free_windows_are_offered_as_local_start_times(request_context):
    from web.staff_scheduling import slot_starts

    days = slot_starts([{"starts_at": "2026-12-08T09:00:00Z", "ends_at": "2026-12-08T11:00:00Z"}],
                       60, "Europe/Madrid")
    [day] = days
    assert day["name"] == "Tuesday 8 December 2026"
    assert [(s["starts"], s["ends"]) for s in day["slots"]] == [
        ("10:00", "11:00"), ("10:30", "11:30"), ("11:00", "12:00")]
    assert day["slots"][0]["starts_at"] == "2026-12-08T09:00:00Z"
