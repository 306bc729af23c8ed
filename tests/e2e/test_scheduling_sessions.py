"""SCH-2 and SCH-4: sessions with clients, practitioners, a start and an end, optionally weekly;
their practitioners become navigators of their clients (records applies scheduling's event
once); staff without schedule_any_client book only their own clients; inactive clients and busy
practitioners are refused; cancelling keeps the session in the history."""

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.e2e.test_records_navigators import assign_when_known
from tests.e2e.test_records_support import API, sql
from tests.e2e.test_scheduling_support import (
    agency_admin,
    book,
    client,
    member,
    set_status,
)
from tests.fixtures import wait_for

LONDON = ZoneInfo("Europe/London")


def navigators_of(session, base, record_id) -> set[str]:
    return {n["user_id"] for n in session.get(f"{base}{API}/records/{record_id}")
            .json()["navigators"]}


def test_sch2_a_session_assigns_its_practitioners_to_its_clients_once(gateway_url, operator,
                                                                       engine):
    base = gateway_url
    admin = agency_admin(base, operator)
    nina, omar = member(base, admin), member(base, admin)
    ada, bea = client(admin, base), client(admin, base, first_name="Bea")
    made = book(admin, base, [ada["id"], bea["id"]], [nina.user_id, omar.user_id],
                "2031-05-05T09:00:00Z", "2031-05-05T10:00:00Z", title="Intake")
    assert made.status_code == 201, made.text
    session = made.json()
    assert sorted(session["client_ids"]) == sorted([ada["id"], bea["id"]])
    assert session["status"] == "scheduled" and session["title"] == "Intake"
    assert session["starts_at"] == "2031-05-05T09:00:00.000Z"
    assert [o["id"] for o in session["occurrences"]] == [session["id"]]
    for record in (ada, bea):
        assert wait_for(lambda r=record: navigators_of(admin, base, r["id"]) == {
            nina.user_id, omar.user_id}), navigators_of(admin, base, record["id"])
    # audited, with the booking staff member as the actor, and published once per pair
    auditor = member(base, admin, ("view_audit",))
    trail = auditor.get(f"{base}{API}/records/{ada['id']}/audit").json()["items"]
    assigned = [e for e in trail if e["action"] == "navigator_assigned"]
    assert len(assigned) == 2 and {e["actor_id"] for e in assigned} == {admin.user_id}
    events = sql(engine, "SELECT count(*) FROM records.outbox WHERE routing_key ="
                 " 'navigator_assigned' AND payload->'data'->>'record_id' = :r", r=ada["id"])
    assert events == [(2,)]
    # a second session with the same people assigns nobody again
    again = book(admin, base, [ada["id"]], [nina.user_id], "2031-05-06T09:00:00Z",
                 "2031-05-06T10:00:00Z")
    assert again.status_code == 201
    handled = ("SELECT count(*) FROM records.inbox WHERE handler = 'on_session_created'"
               " AND event_id = CAST(:e AS uuid)")
    event_id = sql(engine, "SELECT event_id::text FROM scheduling.outbox WHERE routing_key ="
                   " 'session_created' AND payload->'data'->>'session_id' = :s",
                   s=again.json()["id"])[0][0]
    assert wait_for(lambda: sql(engine, handled, e=event_id) == [(1,)])
    assert sql(engine, "SELECT count(*) FROM records.outbox WHERE routing_key ="
               " 'navigator_assigned' AND payload->'data'->>'record_id' = :r",
               r=ada["id"]) == [(2,)]


def test_sch2_staff_without_schedule_any_client_book_only_clients_assigned_to_them(
        gateway_url, operator):
    base = gateway_url
    admin = agency_admin(base, operator)
    plain = member(base, admin)
    scheduler = member(base, admin, ("schedule_any_client",))
    record = client(admin, base)
    times = ("2031-05-05T09:00:00Z", "2031-05-05T10:00:00Z")
    refused = book(plain, base, [record["id"]], [plain.user_id], *times)
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert "assigned to you" in refused.json()["detail"]
    assign_when_known(admin, base, record["id"], plain.user_id)
    booked = wait_for(lambda: (lambda a: a if a.status_code == 201 else None)(
        book(plain, base, [record["id"]], [plain.user_id], *times)))
    assert booked, "scheduling never learnt the navigator"
    other = client(admin, base, first_name="Other")
    made = book(scheduler, base, [other["id"]], [scheduler.user_id], "2031-05-05T11:00:00Z",
                "2031-05-05T12:00:00Z")
    assert made.status_code == 201, made.text
    # nor may they change or cancel sessions of clients that are not theirs
    url = f"{base}{API}/sessions/{made.json()['id']}"
    assert plain.patch(url, json={"title": "mine now"}).status_code == 403
    assert plain.delete(url).status_code == 403


def test_sch2_a_busy_practitioner_is_refused_unless_forced(gateway_url, operator):
    base = gateway_url
    admin = agency_admin(base, operator)
    nina = member(base, admin)
    ada, bea = client(admin, base), client(admin, base, first_name="Bea")
    first = book(admin, base, [ada["id"]], [nina.user_id], "2031-05-05T09:00:00Z",
                 "2031-05-05T10:00:00Z")
    assert first.status_code == 201
    busy = book(admin, base, [bea["id"]], [nina.user_id], "2031-05-05T09:30:00Z",
                "2031-05-05T10:30:00Z")
    assert busy.status_code == 409 and busy.json()["code"] == "practitioner_busy"
    assert busy.json()["conflicts"] == [{
        "practitioner_id": nina.user_id, "session_id": first.json()["id"],
        "starts_at": "2031-05-05T09:00:00Z", "ends_at": "2031-05-05T10:00:00Z"}]
    # back to back is not a clash; forced is booked anyway
    assert book(admin, base, [bea["id"]], [nina.user_id], "2031-05-05T10:00:00Z",
                "2031-05-05T11:00:00Z").status_code == 201
    forced = book(admin, base, [bea["id"]], [nina.user_id], "2031-05-05T09:30:00Z",
                  "2031-05-05T10:30:00Z", force=True)
    assert forced.status_code == 201
    # a repeat is refused when any of its weeks clashes
    weekly = book(admin, base, [bea["id"]], [nina.user_id], "2031-04-28T09:15:00Z",
                  "2031-04-28T09:45:00Z", repeat_weeks=3)
    assert weekly.status_code == 409 and weekly.json()["code"] == "practitioner_busy"
    # moving a session onto a busy time is refused too
    moved = admin.patch(f"{base}{API}/sessions/{forced.json()['id']}",
                        json={"starts_at": "2031-05-05T10:30:00Z",
                              "ends_at": "2031-05-05T11:30:00Z"})
    assert moved.status_code == 409 and moved.json()["code"] == "practitioner_busy"


def test_sch2_422_for_inverted_times_and_ids_that_are_not_the_agencys(gateway_url, operator):
    base = gateway_url
    admin = agency_admin(base, operator)
    other = agency_admin(base, operator)
    record = client(admin, base)
    inverted = book(admin, base, [record["id"]], [admin.user_id], "2031-05-05T10:00:00Z",
                    "2031-05-05T09:00:00Z")
    assert inverted.status_code == 422 and "ends_at" in inverted.json()["errors"]
    theirs = client(other, base)
    foreign = book(admin, base, [theirs["id"]], [admin.user_id], "2031-05-05T09:00:00Z",
                   "2031-05-05T10:00:00Z")
    assert foreign.status_code == 422 and "client_ids" in foreign.json()["errors"]
    stranger = book(admin, base, [record["id"]], [other.user_id], "2031-05-05T09:00:00Z",
                    "2031-05-05T10:00:00Z")
    assert stranger.status_code == 422 and "practitioner_ids" in stranger.json()["errors"]
    employee = client(admin, base, kind="employee")
    assert book(admin, base, [employee["id"]], [admin.user_id], "2031-05-05T09:00:00Z",
                "2031-05-05T10:00:00Z").status_code == 422


def test_sch4_inactive_clients_cannot_be_booked_or_pay(gateway_url, operator):
    base = gateway_url
    admin = agency_admin(base, operator)
    record = client(admin, base)
    set_status(admin, base, record["id"], "inactive")

    def attempt():
        return book(admin, base, [record["id"]], [admin.user_id], "2031-05-05T09:00:00Z",
                    "2031-05-05T10:00:00Z")

    def suggested():  # a read: waiting with it books nothing by accident
        return admin.get(f"{base}{API}/scheduling/slots", params={
            "client_id": record["id"], "practitioner_id": admin.user_id, "from": "2031-05-05",
            "to": "2031-05-05"}).status_code

    assert wait_for(lambda: suggested() == 409), "scheduling never learnt the status"
    answer = attempt()
    assert answer.status_code == 409 and answer.json()["code"] == "client_inactive"
    assert record["id"] in answer.json()["detail"]
    payment = admin.post(f"{base}{API}/payments", json={
        "client_id": record["id"], "amount_minor": 2500, "currency": "GBP",
        "paid_on": "2031-05-05", "method": "cash"})
    assert payment.status_code == 409 and payment.json()["code"] == "client_inactive"
    set_status(admin, base, record["id"], "active")
    assert wait_for(lambda: suggested() == 200)
    assert attempt().status_code == 201


def test_sch2_weekly_repeats_stay_at_the_local_time_and_cancelling_keeps_history(
        gateway_url, operator):
    base = gateway_url
    admin = agency_admin(base, operator, "Europe/London")
    record = client(admin, base)
    # Mondays at 09:00 London from 24 March 2031, across the change of 30 March
    made = book(admin, base, [record["id"]], [admin.user_id], "2031-03-24T09:00:00Z",
                "2031-03-24T10:00:00Z", repeat_weeks=3)
    assert made.status_code == 201, made.text
    occurrences = made.json()["occurrences"]
    assert [o["starts_at"] for o in occurrences] == [
        "2031-03-24T09:00:00.000Z", "2031-03-31T08:00:00.000Z", "2031-04-07T08:00:00.000Z"]
    for o in occurrences:
        local = datetime.fromisoformat(o["starts_at"].replace("Z", "+00:00")).astimezone(LONDON)
        assert local.hour == 9 and o["series_id"] == occurrences[0]["id"]
    second = f"{base}{API}/sessions/{occurrences[1]['id']}"
    assert admin.delete(second).status_code == 204
    assert admin.delete(second).status_code == 204
    kept = admin.get(second).json()
    assert kept["status"] == "cancelled" and kept["cancelled_by"] == admin.user_id
    listed = admin.get(f"{base}{API}/sessions", params={"client_id": record["id"]}).json()
    assert [s["status"] for s in listed["items"]] == ["scheduled", "cancelled", "scheduled"]
    only = admin.get(f"{base}{API}/sessions", params={
        "client_id": record["id"], "status": "scheduled", "from": "2031-03-30T00:00:00Z",
        "limit": 1}).json()
    assert [s["id"] for s in only["items"]] == [occurrences[2]["id"]]
    assert only["next_cursor"] is None
    assert admin.patch(second, json={"title": "x"}).status_code == 409
    # the cancelled time is free again
    assert book(admin, base, [record["id"]], [admin.user_id], "2031-03-31T08:00:00Z",
                "2031-03-31T09:00:00Z").status_code == 201


def test_sch2_a_practitioner_added_to_a_session_is_assigned_too(gateway_url, operator):
    base = gateway_url
    admin = agency_admin(base, operator)
    nina, omar = member(base, admin), member(base, admin)
    ada = client(admin, base)
    made = book(admin, base, [ada["id"]], [nina.user_id], "2031-05-05T09:00:00Z",
                "2031-05-05T10:00:00Z").json()
    url = f"{base}{API}/sessions/{made['id']}"
    changed = admin.patch(url, json={"practitioner_ids": [nina.user_id, omar.user_id],
                                     "starts_at": "2031-05-05T11:00:00Z",
                                     "ends_at": "2031-05-05T12:00:00Z", "title": "Moved"})
    assert changed.status_code == 200, changed.text
    assert sorted(changed.json()["practitioner_ids"]) == sorted([nina.user_id, omar.user_id])
    assert changed.json()["starts_at"] == "2031-05-05T11:00:00.000Z"
    assert admin.get(url).json()["title"] == "Moved"
    assert wait_for(lambda: navigators_of(admin, base, ada["id"]) == {nina.user_id,
                                                                       omar.user_id})
    # the old time is free for Nina again, the new one is not
    bea = client(admin, base, first_name="Bea")
    assert book(admin, base, [bea["id"]], [nina.user_id], "2031-05-05T09:00:00Z",
                "2031-05-05T10:00:00Z").status_code == 201
    busy = book(admin, base, [bea["id"]], [omar.user_id], "2031-05-05T11:30:00Z",
                "2031-05-05T12:30:00Z")
    assert busy.status_code == 409 and busy.json()["code"] == "practitioner_busy"
