"""What the scheduling end-to-end tests share (no tests here): agencies in a time zone, clients
and practitioners that scheduling has learnt from the bus, availability and bookings."""

from __future__ import annotations

from tests.e2e.test_records_support import API, create_record
from tests.fixtures import add_staff_member, login_staff, wait_for

ALL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def agency_admin(base: str, operator, timezone: str = "UTC"):
    """A new agency in ``timezone`` and its administrator, once scheduling knows the zone."""
    agency = operator.create_agency(timezone=timezone)
    admin = login_staff(base, agency["slug"], agency["admin_email"], agency["admin_password"])
    known_user(admin, base, admin.user_id)
    assert wait_for(lambda: admin.get(
        f"{base}{API}/users/{admin.user_id}/availability").json()["timezone"] == timezone)
    return admin


def member(base: str, admin, permissions=()):
    """A staff member of ``admin``'s agency with exactly ``permissions``, known to scheduling."""
    person = add_staff_member(base, admin, permissions)
    known_user(admin, base, person.user_id)
    return person


def known_user(session, base: str, user_id: str) -> None:
    assert wait_for(lambda: session.get(
        f"{base}{API}/users/{user_id}/availability").status_code == 200), (
        f"scheduling never learnt staff user {user_id}")


def client(session, base: str, **fields) -> dict:
    """A client record, once scheduling knows it."""
    record = create_record(session, base, **fields)
    assert wait_for(lambda: session.get(
        f"{base}{API}/records/{record['id']}/availability").status_code == 200), (
        f"scheduling never learnt record {record['id']}")
    return record


def weekly(days=ALL_DAYS, *intervals) -> dict:
    return {"weekly": {day: [{"start": s, "end": e} for s, e in intervals] for day in days}}


def set_availability(session, base: str, path: str, body: dict) -> dict:
    answer = session.put(f"{base}{API}/{path}/availability", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def book(session, base: str, client_ids, practitioner_ids, starts_at, ends_at, **extra):
    return session.post(f"{base}{API}/sessions", json={
        "client_ids": list(client_ids), "practitioner_ids": list(practitioner_ids),
        "starts_at": starts_at, "ends_at": ends_at, **extra})


def set_status(session, base: str, record_id: str, status: str) -> None:
    answer = session.put(f"{base}{API}/records/{record_id}/status", json={"status": status})
    assert answer.status_code == 200, answer.text
