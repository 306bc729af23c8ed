"""SCH-1: weekly availability of clients and practitioners in the agency's time zone, with
daylight-saving changes handled; blank days unavailable; inverted or overlapping intervals
refused saying which."""

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.e2e.test_records_support import API
from tests.e2e.test_scheduling_support import (
    agency_admin,
    client,
    member,
    set_availability,
    weekly,
)
from tests.fixtures import wait_for

LONDON = ZoneInfo("Europe/London")


def test_sch1_staff_edit_weekly_availability_and_blank_days_are_unavailable(
        gateway_url, operator):
    base = gateway_url
    admin = agency_admin(base, operator)
    record = client(admin, base)
    url = f"{base}{API}/records/{record['id']}/availability"
    empty = admin.get(url).json()
    assert empty["weekly"]["monday"] == [] and empty["updated_at"] is None
    assert empty["owner_kind"] == "client" and empty["timezone"] == "UTC"
    saved = set_availability(admin, base, f"records/{record['id']}", {"weekly": {
        "monday": [{"start": "13:00", "end": "17:00"}, {"start": "09:00", "end": "12:00"}],
        "friday": [{"start": "22:00", "end": "24:00"}]}})
    assert saved["weekly"]["monday"] == [{"start": "09:00", "end": "12:00"},
                                         {"start": "13:00", "end": "17:00"}]
    assert saved["weekly"]["friday"] == [{"start": "22:00", "end": "24:00"}]
    assert all(saved["weekly"][d] == [] for d in ("tuesday", "wednesday", "sunday"))
    assert admin.get(url).json()["weekly"] == saved["weekly"]
    # a PUT replaces the whole week
    set_availability(admin, base, f"records/{record['id']}", weekly(("tuesday",),
                                                                  ("10:00", "11:00")))
    assert admin.get(url).json()["weekly"]["monday"] == []


def test_sch1_inverted_or_overlapping_intervals_are_refused_saying_which(gateway_url,
                                                                         operator):
    base = gateway_url
    admin = agency_admin(base, operator)
    url = f"{base}{API}/users/{admin.user_id}/availability"
    overlapping = admin.put(url, json={"weekly": {"wednesday": [
        {"start": "09:00", "end": "12:00"}, {"start": "11:30", "end": "13:00"}]}})
    assert overlapping.status_code == 422
    assert overlapping.json()["code"] == "validation_error"
    assert overlapping.json()["errors"] == {"weekly": {"wednesday": {"1": [
        "11:30-13:00 overlaps 09:00-12:00 (interval 0)"]}}}
    inverted = admin.put(url, json={"weekly": {"monday": [{"start": "17:00", "end": "09:00"}]}})
    assert inverted.status_code == 422
    assert "inverted" in inverted.json()["errors"]["weekly"]["monday"]["0"][0]
    malformed = admin.put(url, json={"weekly": {"monday": [{"start": "9am", "end": "10:00"}]}})
    assert malformed.status_code == 422
    assert admin.put(url, json={"weekly": {"someday": []}}).status_code == 422
    assert admin.get(url).json()["updated_at"] is None  # nothing was stored


def test_sch1_a_practitioner_edits_their_own_and_others_need_schedule_any_client(
        gateway_url, operator):
    base = gateway_url
    admin = agency_admin(base, operator)
    plain = member(base, admin)
    scheduler = member(base, admin, ("schedule_any_client",))
    body = weekly(("monday",), ("09:00", "17:00"))
    own = plain.put(f"{base}{API}/users/{plain.user_id}/availability", json=body)
    assert own.status_code == 200 and own.json()["owner_kind"] == "practitioner"
    refused = plain.put(f"{base}{API}/users/{scheduler.user_id}/availability", json=body)
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert scheduler.put(f"{base}{API}/users/{plain.user_id}/availability",
                         json=body).status_code == 200
    # any staff member reads it; another agency's ids are unknown
    assert plain.get(f"{base}{API}/users/{scheduler.user_id}/availability").status_code == 200
    other = agency_admin(base, operator)
    assert other.get(f"{base}{API}/users/{plain.user_id}/availability").status_code == 404
    assert other.put(f"{base}{API}/users/{plain.user_id}/availability",
                     json=body).status_code == 404


def test_sch1_a_weekly_0900_stays_0900_local_across_the_march_and_october_changes(
        gateway_url, operator):
    """Europe/London: the last Sunday of March 2031 (30th) and of October 2031 (26th). Two
    weeks around each change: every day's 09:00-10:00 is 09:00 local, 09:00 UTC in winter and
    08:00 UTC in summer."""
    base = gateway_url
    admin = agency_admin(base, operator, "Europe/London")
    record = client(admin, base)
    body = weekly(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                   "sunday"), ("09:00", "10:00"))
    set_availability(admin, base, f"records/{record['id']}", body)
    set_availability(admin, base, f"users/{admin.user_id}", body)
    for first, last, change in (("2031-03-24", "2031-04-06", "2031-03-30"),
                                ("2031-10-20", "2031-11-02", "2031-10-26")):
        answer = admin.get(f"{base}{API}/scheduling/slots", params={
            "client_id": record["id"], "practitioner_id": admin.user_id, "from": first,
            "to": last, "duration_minutes": 60})
        assert answer.status_code == 200, answer.text
        assert answer.json()["timezone"] == "Europe/London"
        slots = answer.json()["items"]
        assert len(slots) == 14
        utc_hours = {}
        for slot in slots:
            starts = datetime.fromisoformat(slot["starts_at"].replace("Z", "+00:00"))
            local = starts.astimezone(LONDON)
            assert (local.hour, local.minute) == (9, 0), slot
            utc_hours[local.date().isoformat()] = starts.hour
        summer, winter = 8, 9
        before, after = (winter, summer) if change.endswith("03-30") else (summer, winter)
        assert {h for d, h in utc_hours.items() if d < change} == {before}
        assert {h for d, h in utc_hours.items() if d >= change} == {after}


def test_sch1_a_change_of_the_agencys_time_zone_moves_availability_with_it(gateway_url,
                                                                          operator):
    base = gateway_url
    admin = agency_admin(base, operator, "UTC")
    record = client(admin, base)
    set_availability(admin, base, f"records/{record['id']}",
                     weekly(("monday",), ("09:00", "10:00")))
    set_availability(admin, base, f"users/{admin.user_id}", weekly(("monday",),
                                                                  ("00:00", "24:00")))
    query = {"client_id": record["id"], "practitioner_id": admin.user_id,
             "from": "2031-07-07", "to": "2031-07-07"}
    slots = admin.get(f"{base}{API}/scheduling/slots", params=query).json()["items"]
    assert slots == [{"starts_at": "2031-07-07T09:00:00.000Z",
                      "ends_at": "2031-07-07T10:00:00.000Z"}]
    changed = admin.patch(f"{base}{API}/settings", json={"timezone": "America/New_York"})
    assert changed.status_code == 200, changed.text
    assert wait_for(lambda: admin.get(f"{base}{API}/scheduling/slots", params=query)
                    .json()["timezone"] == "America/New_York")
    slots = admin.get(f"{base}{API}/scheduling/slots", params=query).json()["items"]
    assert slots == [{"starts_at": "2031-07-07T13:00:00.000Z",
                      "ends_at": "2031-07-07T14:00:00.000Z"}]
