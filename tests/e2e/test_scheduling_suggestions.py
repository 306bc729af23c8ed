"""SCH-6 and SCH-7: slot suggestions (the free times when the client and every practitioner
are available and none has a session), practitioners ranked by overlap, and coverage per hour
of the week."""

from tests.e2e.test_records_support import API
from tests.e2e.test_scheduling_support import (
    agency_admin,
    book,
    client,
    member,
    set_availability,
    set_status,
    weekly,
)
from tests.fixtures import wait_for

MONDAY = "2031-05-05"


def slots(session, base, **params):
    answer = session.get(f"{base}{API}/scheduling/slots", params=params)
    assert answer.status_code == 200, answer.text
    return [(s["starts_at"][11:16], s["ends_at"][11:16]) for s in answer.json()["items"]]


def test_sch6_slots_are_when_everyone_is_available_and_nobody_has_a_session(gateway_url,
                                                                            operator):
    base = gateway_url
    admin = agency_admin(base, operator)
    nina, omar = member(base, admin), member(base, admin)
    ada, bea = client(admin, base), client(admin, base, first_name="Bea")
    set_availability(admin, base, f"records/{ada['id']}", weekly(("monday",),
                                                                ("09:00", "17:00")))
    set_availability(admin, base, f"users/{nina.user_id}", weekly(("monday",),
                                                                 ("08:00", "12:00"),
                                                                 ("13:00", "18:00")))
    set_availability(admin, base, f"users/{omar.user_id}", weekly(("monday", "tuesday"),
                                                                 ("10:00", "16:00")))
    query = {"client_id": ada["id"], "from": MONDAY, "to": MONDAY}
    assert slots(admin, base, practitioner_id=nina.user_id, **query) == [
        ("09:00", "12:00"), ("13:00", "17:00")]
    both = f"{nina.user_id},{omar.user_id}"
    assert slots(admin, base, practitioner_id=both, **query) == [
        ("10:00", "12:00"), ("13:00", "16:00")]
    # Nina's session with another client, and Ada's with someone else, take their times
    assert book(admin, base, [bea["id"]], [nina.user_id], f"{MONDAY}T10:30:00Z",
                f"{MONDAY}T11:00:00Z").status_code == 201
    assert book(admin, base, [ada["id"]], [admin.user_id], f"{MONDAY}T14:00:00Z",
                f"{MONDAY}T15:00:00Z").status_code == 201
    assert slots(admin, base, practitioner_id=both, duration_minutes=30, **query) == [
        ("10:00", "10:30"), ("11:00", "12:00"), ("13:00", "14:00"), ("15:00", "16:00")]
    assert slots(admin, base, practitioner_id=both, duration_minutes=45, **query) == [
        ("11:00", "12:00"), ("13:00", "14:00"), ("15:00", "16:00")]
    # a week: Tuesday has no client availability (a blank day is unavailable)
    assert len(slots(admin, base, practitioner_id=both, client_id=ada["id"], **{
        "from": MONDAY, "to": "2031-05-11"})) == 3
    # errors: a range backwards or too long, a practitioner not of the agency
    for bad in ({"from": "2031-05-10", "to": MONDAY}, {"from": MONDAY, "to": "2031-12-31"}):
        answer = admin.get(f"{base}{API}/scheduling/slots", params={
            "client_id": ada["id"], "practitioner_id": both, **bad})
        assert answer.status_code == 422 and "to" in answer.json()["errors"]
    stranger = agency_admin(base, operator)
    answer = admin.get(f"{base}{API}/scheduling/slots",
                       params={"practitioner_id": stranger.user_id, **query})
    assert answer.status_code == 422 and "practitioner_id" in answer.json()["errors"]
    answer = admin.get(f"{base}{API}/scheduling/slots",
                       params={"practitioner_id": "not-an-id", **query})
    assert answer.status_code == 422


def test_sch6_practitioners_are_ranked_by_how_much_availability_overlaps(gateway_url,
                                                                        operator):
    base = gateway_url
    admin = agency_admin(base, operator)
    nina, omar, pia = member(base, admin), member(base, admin), member(base, admin)
    ada = client(admin, base)
    set_availability(admin, base, f"records/{ada['id']}", weekly(("monday",),
                                                                ("09:00", "17:00")))
    set_availability(admin, base, f"users/{nina.user_id}", weekly(("monday",),
                                                                 ("09:00", "11:00")))
    set_availability(admin, base, f"users/{omar.user_id}", weekly(("monday",),
                                                                 ("08:00", "18:00")))
    set_availability(admin, base, f"users/{pia.user_id}", weekly(("tuesday",),
                                                                ("09:00", "17:00")))
    answer = admin.get(f"{base}{API}/scheduling/matches", params={
        "client_id": ada["id"], "from": MONDAY, "to": "2031-05-11"})
    assert answer.status_code == 200, answer.text
    assert [(m["practitioner_id"], m["overlap_minutes"]) for m in answer.json()["items"]] == [
        (omar.user_id, 480), (nina.user_id, 120)]
    assert answer.json()["items"][0]["name"].startswith("Sam Staff")
    # sessions count against the client and the practitioner: Ada's session with Omar leaves
    # the first Monday 16:00-17:00 with him and nothing with Nina; the second Monday is free
    assert book(admin, base, [ada["id"]], [omar.user_id], f"{MONDAY}T09:00:00Z",
                f"{MONDAY}T16:00:00Z").status_code == 201
    answer = admin.get(f"{base}{API}/scheduling/matches", params={
        "client_id": ada["id"], "from": MONDAY, "to": "2031-05-12"}).json()
    assert [(m["practitioner_id"], m["overlap_minutes"]) for m in answer["items"]] == [
        (omar.user_id, 540), (nina.user_id, 120)]


def test_sch7_coverage_counts_clients_and_practitioners_per_hour_of_the_week(gateway_url,
                                                                            operator):
    base = gateway_url
    admin = agency_admin(base, operator, "Europe/London")
    nina = member(base, admin)
    ada, bea = client(admin, base), client(admin, base, first_name="Bea")
    set_availability(admin, base, f"records/{ada['id']}", weekly(("monday",),
                                                                ("09:00", "11:00")))
    set_availability(admin, base, f"records/{bea['id']}", weekly(("monday",),
                                                                ("10:30", "12:00")))
    set_availability(admin, base, f"users/{nina.user_id}", weekly(("monday", "friday"),
                                                                 ("09:00", "10:00")))

    def hours():
        answer = admin.get(f"{base}{API}/scheduling/coverage")
        assert answer.status_code == 200, answer.text
        assert answer.json()["timezone"] == "Europe/London"
        return {(i["weekday"], i["hour"]): (i["clients"], i["practitioners"])
                for i in answer.json()["items"]}

    found = hours()
    assert len(found) == 168
    assert found[("monday", 8)] == (0, 0) and found[("monday", 9)] == (1, 1)
    assert found[("monday", 10)] == (2, 0) and found[("monday", 11)] == (1, 0)
    assert found[("friday", 9)] == (0, 1) and found[("sunday", 9)] == (0, 0)
    # an inactive client is not bookable, so does not count
    set_status(admin, base, bea["id"], "inactive")
    assert wait_for(lambda: hours()[("monday", 10)] == (1, 0))
