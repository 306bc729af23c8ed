"""The portal's scheduling end to end (issue 17, "Portal"): a client signed in to the portal, on
one of their agency records, reads and edits their weekly availability (SCH-1) and sees their
sessions, payments and practitioners, each within the features the agency gives its clients;
another client's record answers 404 like an unknown one (S1), a banned client 403 (REC-6)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.e2e.test_portal_invitations import (
    STAFF,
    accept,
    agency,
    client_session,
    invited_token,
    linked,
    record,
)
from tests.e2e.test_scheduling_support import book, known_user, member, weekly
from tests.fixtures import wait_for

PORTAL = "/api/v1/portal/records"


def at(delta: timedelta) -> str:
    moment = (datetime.now(UTC) + delta).replace(minute=0, second=0, microsecond=0)
    return moment.isoformat()


def portal_client(url: str, admin, made: dict):
    """The record's client signed in to the portal, once records has taken the link and
    scheduling knows the record."""
    client = client_session(accept(url, invited_token(url, admin, made)))
    assert wait_for(lambda: linked(url, client, made["id"]))
    assert wait_for(lambda: admin.get(
        f"{url}{STAFF}/records/{made['id']}/availability").status_code == 200)
    return client


def setup(url: str):
    admin = agency(url, features=["availability", "sessions"])
    known_user(admin, url, admin.user_id)
    practitioner = member(url, admin)
    mine, theirs = record(url, admin), record(url, admin)
    return (admin, practitioner, mine, theirs, portal_client(url, admin, mine),
            portal_client(url, admin, theirs))


def test_sch1_the_client_reads_and_edits_their_own_availability(portal_url):
    url = portal_url
    admin = agency(url, features=["availability"])
    known_user(admin, url, admin.user_id)
    mine = record(url, admin)
    client = portal_client(url, admin, mine)
    path = f"{url}{PORTAL}/{mine['id']}/availability"

    empty = client.get(path)
    assert empty.status_code == 200, empty.text
    assert empty.json()["owner_id"] == mine["id"] and empty.json()["owner_kind"] == "client"
    assert empty.json()["weekly"]["monday"] == [] and empty.json()["updated_at"] is None
    assert empty.json()["timezone"]

    put = client.put(path, json=weekly(("monday", "thursday"), ("09:00", "12:00"),
                                       ("14:00", "17:30")))
    assert put.status_code == 200, put.text
    assert put.json()["weekly"]["monday"] == [{"start": "09:00", "end": "12:00"},
                                              {"start": "14:00", "end": "17:30"}]
    assert put.json()["weekly"]["tuesday"] == [] and put.json()["updated_at"]
    assert client.get(path).json()["weekly"] == put.json()["weekly"]
    # the staff see the client's change: one availability, edited from both sides
    staff_view = admin.get(f"{url}{STAFF}/records/{mine['id']}/availability").json()
    assert staff_view["weekly"] == put.json()["weekly"]

    overlapping = client.put(path, json=weekly(("friday",), ("09:00", "12:00"),
                                               ("11:00", "13:00")))
    assert overlapping.status_code == 422, overlapping.text
    assert overlapping.json()["code"] == "validation_error"
    assert "friday" in overlapping.text
    inverted = client.put(path, json=weekly(("friday",), ("12:00", "09:00")))
    assert inverted.status_code == 422 and "friday" in inverted.text
    unknown_field = client.put(path, json={"weekly": {}, "owner_id": str(uuid.uuid4())})
    assert unknown_field.status_code == 422
    assert client.get(path).json()["weekly"] == put.json()["weekly"]  # refused: unchanged

    # the staff token is not a portal token
    assert admin.get(path).status_code == 401


def test_sch2_sch5_the_client_sees_their_sessions_payments_and_practitioners(portal_url):
    url = portal_url
    admin, practitioner, mine, theirs, client, _ = setup(url)
    upcoming = book(admin, url, [mine["id"], theirs["id"]], [practitioner.user_id],
                    at(timedelta(days=2)), at(timedelta(days=2, hours=1)), title="Group")
    assert upcoming.status_code == 201, upcoming.text
    later = book(admin, url, [mine["id"]], [admin.user_id], at(timedelta(days=9)),
                 at(timedelta(days=9, hours=1)))
    assert later.status_code == 201, later.text
    past = book(admin, url, [mine["id"]], [practitioner.user_id], at(timedelta(days=-3)),
                at(timedelta(days=-3, hours=1)), title="Earlier")
    assert past.status_code == 201, past.text
    cancelled = book(admin, url, [mine["id"]], [practitioner.user_id], at(timedelta(days=-7)),
                     at(timedelta(days=-7, hours=1)))
    assert admin.delete(f"{url}{STAFF}/sessions/{cancelled.json()['id']}").status_code == 204
    other = book(admin, url, [theirs["id"]], [admin.user_id], at(timedelta(days=3)),
                 at(timedelta(days=3, hours=1)))
    assert other.status_code == 201, other.text

    sessions = client.get(f"{url}{PORTAL}/{mine['id']}/sessions")
    assert sessions.status_code == 200, sessions.text
    items = sessions.json()["items"]
    assert [s["id"] for s in items] == [upcoming.json()["id"], later.json()["id"]]
    assert items[0]["title"] == "Group" and items[0]["status"] == "scheduled"
    assert items[0]["practitioners"] == [{"id": practitioner.user_id,
                                          "name": items[0]["practitioners"][0]["name"]}]
    assert items[0]["practitioners"][0]["name"].startswith("Sam Staff")
    assert theirs["id"] not in sessions.text  # never the other clients of a group session
    assert "client_ids" not in items[0]

    page = client.get(f"{url}{PORTAL}/{mine['id']}/sessions", params={"limit": 1})
    assert [s["id"] for s in page.json()["items"]] == [upcoming.json()["id"]]
    rest = client.get(f"{url}{PORTAL}/{mine['id']}/sessions",
                      params={"limit": 1, "cursor": page.json()["next_cursor"]})
    assert [s["id"] for s in rest.json()["items"]] == [later.json()["id"]]
    assert rest.json()["next_cursor"] is None

    earlier = client.get(f"{url}{PORTAL}/{mine['id']}/sessions", params={"when": "past"})
    assert earlier.status_code == 200, earlier.text
    assert [(s["id"], s["status"]) for s in earlier.json()["items"]] == [
        (past.json()["id"], "scheduled"), (cancelled.json()["id"], "cancelled")]
    assert earlier.json()["items"][1]["cancelled_at"]
    assert client.get(f"{url}{PORTAL}/{mine['id']}/sessions",
                      params={"when": "someday"}).status_code == 422

    paid = admin.post(f"{url}{STAFF}/payments", json={
        "client_id": mine["id"], "amount_minor": 4500, "currency": "GBP",
        "paid_on": "2026-01-05", "method": "card", "session_id": past.json()["id"]})
    assert paid.status_code == 201, paid.text
    newer = admin.post(f"{url}{STAFF}/payments", json={
        "client_id": mine["id"], "amount_minor": 1200, "currency": "EUR",
        "paid_on": "2026-02-01", "method": "cash"})
    assert newer.status_code == 201, newer.text
    removed = admin.post(f"{url}{STAFF}/payments", json={
        "client_id": mine["id"], "amount_minor": 99, "currency": "GBP",
        "paid_on": "2026-03-01", "method": "other"})
    assert admin.delete(f"{url}{STAFF}/payments/{removed.json()['id']}").status_code == 204
    theirs_paid = admin.post(f"{url}{STAFF}/payments", json={
        "client_id": theirs["id"], "amount_minor": 777, "currency": "GBP",
        "paid_on": "2026-02-02", "method": "cash"})
    assert theirs_paid.status_code == 201

    payments = client.get(f"{url}{PORTAL}/{mine['id']}/payments")
    assert payments.status_code == 200, payments.text
    assert payments.json()["items"] == [
        {"id": newer.json()["id"], "amount_minor": 1200, "currency": "EUR",
         "paid_on": "2026-02-01", "method": "cash", "session_id": None,
         "created_at": newer.json()["created_at"]},
        {"id": paid.json()["id"], "amount_minor": 4500, "currency": "GBP",
         "paid_on": "2026-01-05", "method": "card", "session_id": past.json()["id"],
         "created_at": paid.json()["created_at"]}]

    practitioners = client.get(f"{url}{PORTAL}/{mine['id']}/practitioners")
    assert practitioners.status_code == 200, practitioners.text
    found = {p["id"]: p for p in practitioners.json()["items"]}
    assert set(found) == {practitioner.user_id, admin.user_id}
    assert found[practitioner.user_id]["name"].startswith("Sam Staff")
    assert found[practitioner.user_id]["email"].endswith("@example.org")
    assert set(found[admin.user_id]) == {"id", "name", "email"}


def test_features_off_answer_403_and_another_clients_record_404(portal_url):
    url = portal_url
    admin, _, mine, theirs, client, other = setup(url)
    routes = ("availability", "sessions", "payments", "practitioners")

    for route in routes:
        foreign = client.get(f"{url}{PORTAL}/{theirs['id']}/{route}")
        unknown = client.get(f"{url}{PORTAL}/{uuid.uuid4()}/{route}")
        assert foreign.status_code == unknown.status_code == 404, (route, foreign.text)
        assert foreign.json()["code"] == unknown.json()["code"] == "not_found"
        assert foreign.json()["detail"] == unknown.json()["detail"]
        assert other.get(f"{url}{PORTAL}/{theirs['id']}/{route}").status_code == 200
    assert client.get(f"{url}{PORTAL}/not-an-id/sessions").status_code == 404
    refused = client.put(f"{url}{PORTAL}/{theirs['id']}/availability",
                         json=weekly(("monday",), ("09:00", "10:00")))
    assert refused.status_code == 404
    assert other.get(f"{url}{PORTAL}/{theirs['id']}/availability").json()["weekly"][
        "monday"] == []

    # the agency gives its clients their availability only: sessions and the rest are 403
    assert admin.patch(f"{url}{STAFF}/settings",
                       json={"portal_features": ["availability"]}).status_code == 200
    assert client.get(f"{url}{PORTAL}/{mine['id']}/availability").status_code == 200
    for route in ("sessions", "payments", "practitioners"):
        off = client.get(f"{url}{PORTAL}/{mine['id']}/{route}")
        assert (off.status_code, off.json()["code"]) == (403, "permission_denied"), route

    # neither: the week can be neither read nor changed
    assert admin.patch(f"{url}{STAFF}/settings",
                       json={"portal_features": ["sessions"]}).status_code == 200
    assert client.get(f"{url}{PORTAL}/{mine['id']}/availability").status_code == 403
    assert client.put(f"{url}{PORTAL}/{mine['id']}/availability",
                      json=weekly(("monday",), ("09:00", "10:00"))).status_code == 403
    assert admin.get(f"{url}{STAFF}/records/{mine['id']}/availability").json()["weekly"][
        "monday"] == []
    assert client.get(f"{url}{PORTAL}/{mine['id']}/sessions").status_code == 200

    # banned there: 403 on every route, as the portal record itself answers
    assert admin.put(f"{url}{STAFF}/records/{mine['id']}/portal-status",
                     json={"portal_status": "banned"}).status_code == 200
    for route in routes:
        banned = client.get(f"{url}{PORTAL}/{mine['id']}/{route}")
        assert (banned.status_code, banned.json()["code"]) == (403, "permission_denied"), route
