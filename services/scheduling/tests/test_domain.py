"""Scheduling's rules without I/O: interval arithmetic, weekly availability across
daylight-saving changes, slots, matches, coverage, repeats and the booking checks."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from casework.errors import ClientInactive, PermissionDenied, PractitionerBusy, ValidationFailed
from services.scheduling import domain

LONDON = ZoneInfo("Europe/London")


def at(day, hour, minute=0):
    return datetime(2031, 3, day, hour, minute, tzinfo=UTC)


def test_merge_intersect_subtract():
    a = domain.merge([(at(3, 9), at(3, 12)), (at(3, 11), at(3, 13)), (at(3, 13), at(3, 14))])
    assert a == [(at(3, 9), at(3, 14))]
    b = [(at(3, 8), at(3, 10)), (at(3, 11), at(3, 12)), (at(3, 13), at(3, 20))]
    assert domain.intersect(a, b) == [(at(3, 9), at(3, 10)), (at(3, 11), at(3, 12)),
                                      (at(3, 13), at(3, 14))]
    assert domain.subtract(a, b) == [(at(3, 10), at(3, 11)), (at(3, 12), at(3, 13))]
    assert domain.subtract(a, []) == a
    assert domain.subtract(a, [(at(3, 0), at(3, 23))]) == []
    # a busy stretch spanning two available intervals cuts both
    two = [(at(3, 9), at(3, 10)), (at(3, 11), at(3, 12))]
    assert domain.subtract(two, [(at(3, 9, 30), at(3, 11, 30))]) == [
        (at(3, 9), at(3, 9, 30)), (at(3, 11, 30), at(3, 12))]


def test_weekly_intervals_are_checked_and_joined():
    weekly = domain.weekly_minutes({"monday": [{"start": "13:00", "end": "17:00"},
                                               {"start": "09:00", "end": "13:00"}],
                                    "tuesday": [], "sunday": [{"start": "22:00",
                                                               "end": "24:00"}]})
    assert weekly == {"monday": [(540, 1020)], "sunday": [(1320, 1440)]}
    with pytest.raises(ValidationFailed) as inverted:
        domain.weekly_minutes({"friday": [{"start": "12:00", "end": "09:00"}]})
    assert "inverted" in inverted.value.errors["weekly"]["friday"]["0"][0]
    with pytest.raises(ValidationFailed) as overlapping:
        domain.weekly_minutes({"monday": [{"start": "09:00", "end": "12:00"},
                                          {"start": "11:00", "end": "14:00"}]})
    assert overlapping.value.errors == {"weekly": {"monday": {"1": [
        "11:00-14:00 overlaps 09:00-12:00 (interval 0)"]}}}
    view = domain.weekly_view({"monday": [[540, 720]]})
    assert view["monday"] == [{"start": "09:00", "end": "12:00"}] and view["sunday"] == []


@pytest.mark.parametrize("first, changed", [(date(2031, 3, 24), date(2031, 3, 30)),
                                            (date(2031, 10, 20), date(2031, 10, 26))])
def test_a_weekly_0900_stays_0900_local_across_a_daylight_saving_change(first, changed):
    """Europe/London changes on the last Sunday of March and October: a week either side of
    it, 09:00-10:00 every day is 09:00 local on each, so its UTC instant moves by an hour."""
    weekly = {day: [(540, 600)] for day in domain.WEEKDAYS}
    start, end = domain.local_range(first, first + timedelta(days=13), LONDON)
    expanded = domain.expand(weekly, LONDON, start, end)
    assert len(expanded) == 14
    for s, e in expanded:
        local = s.astimezone(LONDON)
        assert (local.hour, local.minute) == (9, 0) and e - s == timedelta(hours=1)
    offsets = {s.astimezone(LONDON).date(): s.hour for s, _ in expanded}
    before, after = offsets[changed - timedelta(days=1)], offsets[changed + timedelta(days=1)]
    assert {before, after} == {8, 9} and before != after


def test_a_time_the_spring_change_skips_is_read_before_it():
    # 01:30 on 30 March 2031 does not exist in London: it is read as 01:30 GMT
    instant = domain.local_instant(date(2031, 3, 30), 90, LONDON)
    assert instant == datetime(2031, 3, 30, 1, 30, tzinfo=UTC)
    # the 23-hour day: local midnight to midnight is 23 hours
    start, end = domain.local_range(date(2031, 3, 30), date(2031, 3, 30), LONDON)
    assert end - start == timedelta(hours=23)


def test_free_slots_need_everyone_available_and_nobody_booked():
    client = [(at(3, 9), at(3, 17))]
    practitioner = [(at(3, 8), at(3, 12)), (at(3, 13), at(3, 18))]
    busy = [(at(3, 10), at(3, 11)), (at(3, 14), at(3, 14, 30))]
    free = domain.free_slots([client, practitioner], busy, timedelta(minutes=60))
    assert free == [(at(3, 9), at(3, 10)), (at(3, 11), at(3, 12)), (at(3, 13), at(3, 14)),
                    (at(3, 14, 30), at(3, 17))]
    free = domain.free_slots([client, practitioner], busy, timedelta(minutes=90))
    assert free == [(at(3, 14, 30), at(3, 17))]
    assert domain.free_slots([client, []], [], timedelta(minutes=5)) == []


def test_matches_rank_by_overlap_best_first():
    client = [(at(3, 9), at(3, 17))]
    ranked = domain.ranked_matches(client, [], {
        "b": ([(at(3, 9), at(3, 11))], []),
        "a": ([(at(3, 8), at(3, 20))], [(at(3, 12), at(3, 13))]),
        "c": ([(at(3, 18), at(3, 19))], []),
        "d": ([(at(3, 9), at(3, 11))], []),
    }, timedelta(minutes=30))
    assert ranked == [{"practitioner_id": "a", "overlap_minutes": 420},
                      {"practitioner_id": "b", "overlap_minutes": 120},
                      {"practitioner_id": "d", "overlap_minutes": 120}]


def test_coverage_counts_each_person_once_per_hour_touched():
    items = domain.coverage([{"monday": [[540, 570], [585, 660]]}, {"monday": [[600, 720]]}],
                            [{"monday": [[0, 1440]]}])
    by = {(i["weekday"], i["hour"]): (i["clients"], i["practitioners"]) for i in items}
    assert len(items) == 7 * 24
    assert by[("monday", 8)] == (0, 1) and by[("monday", 9)] == (1, 1)
    assert by[("monday", 10)] == (2, 1) and by[("monday", 11)] == (1, 1)
    assert by[("monday", 12)] == (0, 1) and by[("tuesday", 9)] == (0, 0)


def test_weekly_repeats_keep_the_local_time_across_the_change():
    starts = datetime(2031, 3, 24, 9, 0, tzinfo=UTC)  # 09:00 GMT, a Monday
    repeats = domain.occurrences(starts, starts + timedelta(hours=1), 3, LONDON)
    assert [s.astimezone(LONDON).hour for s, _ in repeats] == [9, 9, 9]
    assert [s.hour for s, _ in repeats] == [9, 8, 8]


def test_booking_checks():
    known = {"c1": {"kind": "client", "status": "active"},
             "c2": {"kind": "client", "status": "inactive"},
             "e1": {"kind": "employee", "status": "active"}}
    domain.check_clients(["c1"], known)
    with pytest.raises(ValidationFailed):
        domain.check_clients(["c1", "e1"], known)
    with pytest.raises(ValidationFailed):
        domain.check_clients(["zz"], known)
    with pytest.raises(ClientInactive):
        domain.check_clients(["c1", "c2"], known)
    domain.check_may_book(True, ["c1"], set())
    domain.check_may_book(False, ["c1"], {"c1"})
    with pytest.raises(PermissionDenied):
        domain.check_may_book(False, ["c1", "c2"], {"c1"})
    with pytest.raises(ValidationFailed):
        domain.check_session_times(at(3, 10), at(3, 9))
    booked = [{"session_id": "s", "practitioner_id": "p", "starts_at": at(3, 9),
               "ends_at": at(3, 10)}]
    assert domain.conflicts([(at(3, 10), at(3, 11))], booked) == []
    found = domain.conflicts([(at(3, 9, 30), at(3, 11))], booked)
    assert found == booked
    domain.refuse_if_busy(found, force=True)
    with pytest.raises(PractitionerBusy) as busy:
        domain.refuse_if_busy(found, force=False)
    assert busy.value.extra["conflicts"][0]["session_id"] == "s"


def test_a_range_is_inverted_or_too_long():
    domain.check_range(date(2031, 1, 1), date(2031, 1, 28), 60)
    with pytest.raises(ValidationFailed):
        domain.check_range(date(2031, 1, 2), date(2031, 1, 1), 60)
    with pytest.raises(ValidationFailed):
        domain.check_range(date(2031, 1, 1), date(2031, 6, 1), 60)
    with pytest.raises(ValidationFailed) as far:
        domain.check_range(date(9999, 12, 30), date(9999, 12, 31), 60)
    assert set(far.value.errors) == {"from", "to"}


def test_session_times_far_outside_the_calendar_are_refused_not_overflowing():
    start = datetime(9999, 12, 31, 22, tzinfo=UTC)
    with pytest.raises(ValidationFailed) as far:
        domain.check_session_times(start, start + timedelta(hours=1))
    assert set(far.value.errors) == {"starts_at", "ends_at"}
    early = datetime(1, 1, 1, 0, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    with pytest.raises(ValidationFailed):
        domain.check_session_times(early, early + timedelta(hours=1))


def test_weekly_availability_is_intersected_as_a_week_first():
    common = domain.common_weekly([
        {"monday": [[540, 1020]], "tuesday": [[540, 600]]},
        {"monday": [[480, 720], [780, 1080]], "tuesday": [[600, 660]]},
        {"monday": [[0, 1440]], "tuesday": [[0, 1440]], "friday": [[0, 1440]]}])
    assert common == {"monday": [(540, 720), (780, 1020)]}
    assert domain.common_weekly([{"monday": [[540, 600]]}, None]) == {}


def test_list_bounds_are_clamped_to_the_calendar():
    assert domain.clamped(None) is None
    early = datetime(1, 1, 1, 0, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert domain.clamped(early) == datetime(1970, 1, 1, tzinfo=UTC)
    assert domain.clamped(datetime(9999, 12, 31, tzinfo=UTC)).year == 2999
    moment = datetime(2031, 5, 5, 10, tzinfo=LONDON)
    assert domain.clamped(moment) == moment and domain.clamped(moment).tzinfo == UTC
