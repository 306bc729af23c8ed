"""Scheduling in the browser (SCH-1 to SCH-6): the seed workflow "a session booked from a slot
suggestion" end to end, a practitioner already booked (409 practitioner_busy, booked anyway),
moving and cancelling, an inactive client (409 client_inactive) in plain words, payments
recorded by staff and seen by the client in Spanish, a portal feature the agency does not
offer. Data set up and results checked through the gateway's API; axe on every page (the
flows in tests/web/flows_scheduling.py)."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from tests.e2e.test_portal_invitations import STAFF, record
from tests.fixtures import Operator, login_staff, wait_for
from tests.web.test_pages import PASSWORD, accepted_token

ZONE = "Europe/Madrid"  # UTC+1 in winter: local times differ from the API's UTC


def scheduling_agency(url: str, features=("availability", "sessions", "messages")):
    """A new agency in ZONE with its portal on, once scheduling knows its zone."""
    made = Operator(url).create_agency(timezone=ZONE)
    admin = login_staff(url, made["slug"], made["admin_email"], made["admin_password"])
    admin.login = {"slug": made["slug"], "email": made["admin_email"],
                   "password": made["admin_password"]}
    answer = admin.patch(f"{url}{STAFF}/settings", json={
        "portal_enabled": True, "portal_features": list(features)})
    assert answer.status_code == 200, answer.text
    assert wait_for(lambda: (admin.get(f"{url}{STAFF}/users/{admin.user_id}/availability")
                             .json().get("timezone")) == ZONE, timeout=20)
    return admin


def practitioner(url: str, admin, first_name: str, last_name: str) -> dict:
    """A staff member with no permissions, known to scheduling; their browser credentials."""
    role = admin.post(f"{url}{STAFF}/roles", json={"name": f"Role {uuid.uuid4().hex[:8]}",
                                                   "permissions": []})
    assert role.status_code == 201, role.text
    email, password = f"staff-{uuid.uuid4().hex[:10]}@example.org", secrets.token_urlsafe(16)
    user = admin.post(f"{url}{STAFF}/users", json={
        "email": email, "first_name": first_name, "last_name": last_name,
        "role_id": role.json()["id"], "password": password})
    assert user.status_code == 201, user.text
    user_id = user.json()["id"]
    assert wait_for(lambda: admin.get(f"{url}{STAFF}/users/{user_id}/availability")
                    .status_code == 200, timeout=20)
    return {"id": user_id, "name": f"{first_name} {last_name}",
            "login": {"slug": admin.login["slug"], "email": email, "password": password}}


def client(url: str, admin, *, portal: bool = True, **fields) -> dict:
    """A client record known to scheduling; with a portal account when ``portal``."""
    made = record(url, admin, **fields)
    assert wait_for(lambda: admin.get(f"{url}{STAFF}/records/{made['id']}/availability")
                    .status_code == 200, timeout=20)
    if portal:
        answer = admin.post(f"{url}{STAFF}/records/{made['id']}/invitation",
                            json={"confirm": True})
        assert answer.status_code == 201, answer.text
        accepted_token(url, made["email"])
        assert wait_for(lambda: admin.get(f"{url}{STAFF}/records/{made['id']}")
                        .json()["has_client_account"], timeout=20)
    made["login"] = {"username": made["email"], "password": PASSWORD}
    return made


def utc(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def next_monday():
    today = datetime.now(ZoneInfo(ZONE)).date()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=1)


def test_seed_workflow_a_session_booked_from_a_slot_suggestion(web_url, gateway_url, browser):
    url = gateway_url
    admin = scheduling_agency(url)
    suffix = uuid.uuid4().hex[:6]
    person = practitioner(url, admin, "Priya", f"Practitioner {suffix}")
    made = client(url, admin, first_name="Tomasz", last_name=f"Client {suffix}")
    monday = next_monday()

    result = browser(
        "scheduling_seed", web_url=web_url, practitioner=person["login"], admin=admin.login,
        client=made["login"], record_id=made["id"], practitioner_name=person["name"],
        client_name=made["name"], week=monday.isoformat(),
        week_label=format_date(monday, "EEEE d MMMM y", locale="en"))

    assert "Monday: The end time must be after the start time" in result["inverted"]
    assert result["added_row"]
    assert "09:00 to 12:00" in result["practitioner_week"]
    assert "14:00 to 17:00" in result["practitioner_week"]
    assert "10:00 to 16:00" in result["client_week"]
    assert result["before"] == "No upcoming sessions."
    assert person["name"] in result["matches"][0]
    assert result["slots"][0].startswith("Book") and "10:00 to 11:00" in result["slots"][0]
    assert "10:00 to 11:00" in result["keyboard_slot"]
    tuesday = monday + timedelta(days=1)
    assert f"Session booked on Tuesday {tuesday.day}" in result["booked"]
    assert person["name"] in result["booked"]
    assert "and weekly: 2 sessions in all." in result["booked"]
    first, second = result["upcoming"]
    assert "10:00 to 11:00" in first and person["name"] in first
    assert f"Tuesday {(tuesday + timedelta(weeks=1)).day}" in second
    assert result["calendar_title"].startswith("Week of Monday")
    [item] = result["calendar"]
    assert "10:00 to 11:00" in item and made["name"] in item
    assert "10:00 to 11:00" in result["portal_upcoming"]
    assert person["name"] in result["portal_upcoming"]

    # through the API: the weeks as set in the browser, and the session booked in UTC
    practitioner_week = admin.get(f"{url}{STAFF}/users/{person['id']}/availability").json()
    assert practitioner_week["weekly"]["tuesday"] == [
        {"start": "09:00", "end": "12:00"}, {"start": "14:00", "end": "17:00"}]
    assert practitioner_week["weekly"]["monday"] == []
    client_week = admin.get(f"{url}{STAFF}/records/{made['id']}/availability").json()
    assert client_week["weekly"]["tuesday"] == [{"start": "10:00", "end": "16:00"}]
    booked, following = sorted(admin.get(f"{url}{STAFF}/sessions", params={
        "client_id": made["id"]}).json()["items"], key=lambda s: s["starts_at"])
    assert booked["practitioner_ids"] == [person["id"]]
    assert utc(following["starts_at"]) == utc(booked["starts_at"]) + timedelta(weeks=1)
    assert following["series_id"] == booked["series_id"] is not None
    assert utc(booked["starts_at"]) == utc(f"{tuesday.isoformat()}T09:00Z")  # 10:00 in Madrid
    assert utc(booked["ends_at"]) == utc(f"{tuesday.isoformat()}T10:00Z")
    assert booked["status"] == "scheduled"


def test_a_taken_time_booked_anyway_moved_cancelled_and_an_inactive_client(
        web_url, gateway_url, browser):
    url = gateway_url
    admin = scheduling_agency(url)
    suffix = uuid.uuid4().hex[:6]
    person = practitioner(url, admin, "Omar", f"Busy {suffix}")
    week = {"tuesday": [{"start": "09:00", "end": "17:00"}]}
    assert admin.put(f"{url}{STAFF}/users/{person['id']}/availability",
                     json={"weekly": week}).status_code == 200
    made = client(url, admin, portal=False, first_name="Ines", last_name=f"Booked {suffix}")
    other = client(url, admin, portal=False, first_name="Otto", last_name=f"Other {suffix}")
    for someone in (made, other):
        assert admin.put(f"{url}{STAFF}/records/{someone['id']}/availability",
                         json={"weekly": week}).status_code == 200
    monday = next_monday()

    result = browser("scheduling_conflicts", web_url=web_url, admin=admin.login,
                     gateway_url=url, token=admin.token, record_id=made["id"],
                     other_id=other["id"], practitioner_id=person["id"],
                     week=monday.isoformat(), unknown_id=str(uuid.uuid4()))

    assert result["busy_title"] == f"{person['name']} already has a session then"
    assert "09:00 to 10:00" in result["busy_conflicts"]
    assert "Session booked on" in result["forced"]
    assert all(width <= 320 for width in result["widths"].values()), result["widths"]
    assert "Enter the new start time, like 14:30" in result["move_error"]
    assert "Session moved to" in result["moved"] and "11:00 to 12:00" in result["moved"]
    assert result["cancelled"].strip().endswith("Session cancelled.")
    assert "Cancelled" in result["after_cancel"][0]
    assert result["inactive_title"] == "This client's record is inactive"
    assert "Inactive clients cannot be added to sessions" in result["inactive_text"]
    assert "inactive clients cannot be booked" in result["inactive_search"]
    assert result["unknown"] == [404, "Page not found"]

    # through the API: both sessions at first at the same time (forced), then moved, cancelled
    tuesday = (monday + timedelta(days=1)).isoformat()
    mine = admin.get(f"{url}{STAFF}/sessions", params={"client_id": made["id"]}).json()["items"]
    [session] = mine
    assert utc(session["starts_at"]) == utc(f"{tuesday}T10:00Z")  # 11:00 in Madrid
    assert session["status"] == "cancelled"
    [theirs] = admin.get(f"{url}{STAFF}/sessions", params={"client_id": other["id"]}).json()[
        "items"]
    assert utc(theirs["starts_at"]) == utc(f"{tuesday}T08:00Z")
    assert theirs["status"] == "scheduled"


def test_a_payment_recorded_and_seen_in_the_portal_in_spanish(web_url, gateway_url, browser):
    url = gateway_url
    admin = scheduling_agency(url)
    suffix = uuid.uuid4().hex[:6]
    made = client(url, admin, first_name="Lucia", last_name=f"Pagos {suffix}")
    starts = datetime.now(ZoneInfo("UTC")).replace(microsecond=0) + timedelta(days=3)
    booked = admin.post(f"{url}{STAFF}/sessions", json={
        "client_ids": [made["id"]], "practitioner_ids": [admin.user_id],
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat()})
    assert booked.status_code == 201, booked.text

    result = browser("scheduling_payments", web_url=web_url, admin=admin.login,
                     client=made["login"], record_id=made["id"], gateway_url=url,
                     token=admin.token)

    assert result["empty_list"] == "No payments recorded."
    assert "Enter the amount as a number more than 0" in result["errors"]
    assert "Choose how the client paid" in result["errors"]
    assert "Payment of €25.50 recorded." in result["recorded"][0]
    assert len(result["listed"]) == 2
    assert "Payment deleted." in result["deleted"]
    [row] = result["after_delete"]
    assert "€25.50" in row and "Card" in row
    assert result["portal_title"] == "Sus pagos" and result["lang"] == "es"
    [portal_row] = result["portal_payments"]
    assert "25,50" in portal_row and "Tarjeta" in portal_row and "noviembre" in portal_row
    assert "Se ha guardado su disponibilidad." in result["portal_saved"]
    assert "10:00 a 11:30" in result["portal_week"]
    assert "La hora de fin debe ser posterior a la de inicio" in result["portal_error"]
    status, title, text = result["not_offered"]
    assert status == 403 and "no ofrece esto en el portal" in title
    assert "sus sesiones" in text

    # through the API: one payment left, on the session; the client's Friday as they set it
    [payment] = admin.get(f"{url}{STAFF}/payments", params={"client_id": made["id"]}).json()[
        "items"]
    assert (payment["amount_minor"], payment["currency"], payment["method"],
            payment["paid_on"]) == (2550, "EUR", "card", "2026-11-20")
    assert payment["session_id"] == booked.json()["id"]
    week = admin.get(f"{url}{STAFF}/records/{made['id']}/availability").json()["weekly"]
    assert week["friday"] == [{"start": "10:00", "end": "11:30"}] and week["saturday"] == []
