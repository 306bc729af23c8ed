"""Notifications: the copies of records, navigators, staff users and agency settings that the
delivery rules read (kept from records.events and identity.events through the real bus), and
the delivery rules themselves (NOT-1, NOT-2, NOT-4), through the gateway, the bus, the database
and a real SMTP server."""

from __future__ import annotations

import threading
import time
import uuid
from contextlib import contextmanager

from sqlalchemy.orm import Session

from services.notifications.queries import copies
from tests.e2e.test_records_navigators import assign_when_known
from tests.e2e.test_records_support import API, create_record, publish, sql, staff_user_event
from tests.fixtures import wait_for


def copy_of(engine, organization_id, record_id):
    with Session(engine) as session:
        return copies.record_of(session, organization_id, record_id)


def navigators(engine, organization_id, record_id):
    with Session(engine) as session:
        return copies.navigators_of(session, organization_id, record_id)


def handled(engine, *events) -> bool:
    ids = [e["event_id"] for e in events]
    found = sql(engine, "SELECT count(*) FROM notifications.inbox"
                " WHERE event_id::text = ANY(:ids)", ids=ids)
    return found == [(len(ids),)]


# --- the copies (BRIEF contract 4) -----------------------------------------------------------

def test_copies_follow_records_and_identity_events_through_the_bus(gateway_url, staff, engine):
    base = gateway_url
    admin = staff()
    org = admin.organization_id
    colleague = staff(permissions=(), organization_id=org)
    record = create_record(admin, base)

    made = wait_for(lambda: copy_of(engine, org, record["id"]))
    assert made["status"] == record["status"] and made["deleted"] is False
    assert made["kind"] == "client" and made["case_number"] == record["case_number"]

    assign_when_known(admin, base, record["id"], colleague.user_id)
    assert wait_for(lambda: navigators(engine, org, record["id"]) == [colleague.user_id])

    def team():
        with Session(engine) as session:
            return copies.care_team(session, org, record["id"])

    [member] = wait_for(team)
    assert member["user_id"] == colleague.user_id and member["active"] is True
    assert member["name"].startswith("Sam Staff")
    with Session(engine) as session:
        user = copies.staff_user(session, org, colleague.user_id)
        assert user["email"].startswith("staff-") and user["active"] is True
        assert copies.staff_user(session, str(uuid.uuid4()), colleague.user_id) is None
        assert copies.record_of(session, str(uuid.uuid4()), record["id"]) is None

    changed = admin.put(f"{base}{API}/records/{record['id']}/status", json={"status": "closed"})
    assert changed.status_code == 200, changed.text
    assert wait_for(lambda: copy_of(engine, org, record["id"])["status"] == "closed")

    assert admin.delete(f"{base}{API}/records/{record['id']}").status_code == 204
    assert wait_for(lambda: copy_of(engine, org, record["id"])["deleted"] is True)
    assert admin.post(f"{base}{API}/records/{record['id']}/restore").status_code == 200
    assert wait_for(lambda: copy_of(engine, org, record["id"])["deleted"] is False)

    removed = admin.delete(f"{base}{API}/records/{record['id']}/navigators/{colleague.user_id}")
    assert removed.status_code == 204
    assert wait_for(lambda: navigators(engine, org, record["id"]) == [])

    # NOT-2's setting comes with the agency's mail settings event
    def suppressed():
        return sql(engine, "SELECT suppress_closed_records FROM notifications.organizations"
                   " WHERE id = :o", o=org)

    assert suppressed() == [(False,)]
    answer = admin.patch(f"{base}{API}/settings",
                         json={"disable_notifications_for_closed_records": True})
    assert answer.status_code == 200, answer.text
    assert wait_for(lambda: suppressed() == [(True,)])
    # a mail settings change keeps it
    admin.patch(f"{base}{API}/settings", json={"sender_name": "Hope"})
    assert wait_for(lambda: sql(engine, "SELECT sender_name, suppress_closed_records FROM"
                                " notifications.organizations WHERE id = :o", o=org)
                    == [("Hope", True)])


def test_an_older_event_never_overwrites_a_newer_copy(gateway_url, staff, platform_config,
                                                      engine):
    amqp = platform_config["AMQP_URI"]
    admin, other = staff(), staff()
    org = admin.organization_id
    record_id, user = str(uuid.uuid4()), staff_user_event(first_name="Old")

    newer = [
        publish(amqp, "records", "record_status_changed",
                {"record_id": record_id, "kind": "client", "old": "active", "new": "closed"},
                org, occurred_at="2030-01-03T00:00:00Z"),
        publish(amqp, "records", "navigator_unassigned",
                {"record_id": record_id, "user_id": user["user_id"]}, org,
                occurred_at="2030-01-03T00:00:00Z"),
        publish(amqp, "identity", "staff_user_updated",
                {**user, "name": "New Name", "active": False}, org,
                occurred_at="2030-01-03T00:00:00Z"),
        publish(amqp, "records", "record_deleted", {"record_id": record_id, "kind": "client"},
                org, occurred_at="2030-01-03T00:00:00Z"),
    ]
    assert wait_for(lambda: handled(engine, *newer))
    older = [
        publish(amqp, "records", "record_created",
                {"record_id": record_id, "kind": "client", "status": "active",
                 "case_number": "C-1"}, org, occurred_at="2030-01-01T00:00:00Z"),
        publish(amqp, "records", "navigator_assigned",
                {"record_id": record_id, "user_id": user["user_id"]}, org,
                occurred_at="2030-01-01T00:00:00Z"),
        publish(amqp, "identity", "staff_user_created", user, org,
                occurred_at="2030-01-01T00:00:00Z"),
        publish(amqp, "records", "record_restored", {"record_id": record_id, "kind": "client"},
                org, occurred_at="2030-01-02T00:00:00Z"),
        # the same record id in another agency changes nothing here
        publish(amqp, "records", "record_status_changed",
                {"record_id": record_id, "kind": "client", "old": "closed", "new": "active"},
                other.organization_id, occurred_at="2030-01-09T00:00:00Z"),
    ]
    assert wait_for(lambda: handled(engine, *older))
    copy = copy_of(engine, org, record_id)
    assert (copy["status"], copy["deleted"], copy["case_number"]) == ("closed", True, "C-1")
    assert navigators(engine, org, record_id) == []
    with Session(engine) as session:
        kept = copies.staff_user(session, org, user["user_id"])
    assert (kept["name"], kept["active"]) == ("New Name", False)

    # a redelivered event (same event_id) applies once: the inbox
    again = publish(amqp, "records", "record_status_changed",
                    {"record_id": record_id, "kind": "client", "old": "closed", "new": "active"},
                    org, event_id=newer[0]["event_id"], occurred_at="2030-01-05T00:00:00Z")
    later = publish(amqp, "records", "portal_status_changed",
                    {"record_id": record_id, "old": None, "new": "active"}, org,
                    occurred_at="2030-01-04T00:00:00Z")
    assert wait_for(lambda: copy_of(engine, org, record_id)["portal_status"] == "active")
    assert copy_of(engine, org, record_id)["status"] == "closed"
    assert again["event_id"] == newer[0]["event_id"]
    assert later

    # an event that names no agency is dead-lettered with its reason, never applied silently
    orphan = publish(amqp, "records", "navigator_assigned",
                     {"record_id": record_id, "user_id": user["user_id"]}, None)
    reasons = wait_for(lambda: sql(engine, "SELECT reason FROM notifications.dead_letters"
                                   " WHERE event_id = :e", e=orphan["event_id"]))
    assert reasons and "organization_id" in reasons[0][0]


# --- the delivery rules (NOT-1, NOT-2, NOT-4) -------------------------------------------------

def items(session, base, **params):
    answer = session.get(f"{base}{API}/notifications", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def mails_to(mail_server, address, subject_part=""):
    return [m for m in mail_server.received
            if address in m.rcpt_tos and subject_part in str(m.message["Subject"])]


def me(session, base) -> dict:
    return session.get(f"{base}{API}/me").json()


def known_to_notifications(engine, org, user_id):
    assert wait_for(lambda: sql(engine, "SELECT 1 FROM notifications.staff_users"
                                " WHERE id = :u AND organization_id = :o", u=user_id, o=org))


def test_not1_only_a_records_navigators_are_notified_by_their_preference(
        gateway_url, staff, engine, mail_server):
    base = gateway_url
    admin = staff()
    org = admin.organization_id
    nina = staff(permissions=(), organization_id=org)
    omar = staff(permissions=(), organization_id=org)
    nina_email, omar_email = me(nina, base)["email"], me(omar, base)["email"]
    record = create_record(admin, base)
    known_to_notifications(engine, org, nina.user_id)
    assign_when_known(admin, base, record["id"], nina.user_id)

    [assigned] = wait_for(lambda: items(nina, base))
    assert assigned["kind"] == "record_assigned" and assigned["record_id"] == record["id"]
    assert assigned["title"] == f"Record {record['case_number']} is assigned to you"
    assert assigned["read"] is False

    changed = admin.put(f"{base}{API}/records/{record['id']}/status", json={"status": "inactive"})
    assert changed.status_code == 200, changed.text
    latest = wait_for(lambda: [n for n in items(nina, base)
                               if n["kind"] == "record_status_changed"])
    assert latest[0]["title"] == f"Record {record['case_number']}: status changed to inactive"
    # e-mailed at once (the default of action kinds), with a link to the console, no name
    mail = wait_for(lambda: mails_to(mail_server, nina_email, "status changed"), timeout=20)
    assert mail and f"/records/{record['id']}" in mail[0].text
    assert "Ada" not in mail[0].text and "Lovelace" not in mail[0].text
    # NOT-1: nobody else is told, in the app or by e-mail
    assert items(omar, base) == [] and items(admin, base) == []
    assert mails_to(mail_server, omar_email, "Record") == []  # (only their welcome)

    # preferences: every kind with its default; the caller's choice wins
    prefs = nina.get(f"{base}{API}/notification-preferences").json()["items"]
    assert {p["kind"]: p["delivery"] for p in prefs} == {
        "record_assigned": "email", "record_status_changed": "email",
        "client_message": "email", "request_fulfilled": "email", "session_booked": "digest"}
    chosen = nina.put(f"{base}{API}/notification-preferences",
                      json={"items": [{"kind": "record_status_changed", "delivery": "in_app"}]})
    assert chosen.status_code == 200, chosen.text
    assert {p["kind"]: (p["delivery"], p["default"]) for p in chosen.json()["items"]}[
        "record_status_changed"] == ("in_app", "email")
    before = len(mails_to(mail_server, nina_email, "status changed"))
    admin.put(f"{base}{API}/records/{record['id']}/status", json={"status": "active"})
    assert wait_for(lambda: len([n for n in items(nina, base)
                                 if n["kind"] == "record_status_changed"]) == 2)
    time.sleep(1.5)  # a sender sweep or more
    assert len(mails_to(mail_server, nina_email, "status changed")) == before
    for bad in ({"items": [{"kind": "nope", "delivery": "email"}]},
                {"items": [{"kind": "client_message", "delivery": "sms"}]},
                {"items": [{"kind": "client_message", "delivery": "email"}] * 2},
                {"items": []}, {}):
        refused = nina.put(f"{base}{API}/notification-preferences", json=bad)
        assert refused.status_code == 422 and refused.json()["code"] == "validation_error", bad

    # read: once, again harmlessly; someone else's or an unknown id is 404
    first = items(nina, base)[-1]
    url = f"{base}{API}/notifications/{first['id']}/read"
    assert nina.post(url).json()["read"] is True
    assert nina.post(url).status_code == 200
    assert omar.post(url).status_code == 404
    assert nina.post(f"{base}{API}/notifications/{uuid.uuid4()}/read").status_code == 404
    assert nina.post(f"{base}{API}/notifications/not-an-id/read").status_code == 404
    unread = items(nina, base, unread="true")
    assert first["id"] not in [n["id"] for n in unread] and len(unread) == 2
    # keyset pages, newest first, each once
    page = nina.get(f"{base}{API}/notifications", params={"limit": 1}).json()
    seen = [n["id"] for n in page["items"]]
    while page["next_cursor"]:
        page = nina.get(f"{base}{API}/notifications",
                        params={"limit": 1, "cursor": page["next_cursor"]}).json()
        seen += [n["id"] for n in page["items"]]
    assert seen == [n["id"] for n in items(nina, base)] and len(seen) == 3
    bad_cursor = nina.get(f"{base}{API}/notifications", params={"cursor": "AAAA"})
    assert bad_cursor.status_code == 422


def test_not2_no_notifications_for_closed_and_inactive_records_when_the_agency_says_so(
        gateway_url, staff, engine, mail_server):
    base = gateway_url
    admin = staff()
    org = admin.organization_id
    nina = staff(permissions=(), organization_id=org)
    known_to_notifications(engine, org, nina.user_id)
    quiet, busy = create_record(admin, base), create_record(admin, base, first_name="Bea")
    for record in (quiet, busy):
        assign_when_known(admin, base, record["id"], nina.user_id)
    assert wait_for(lambda: len(items(nina, base)) == 2)
    assert admin.patch(f"{base}{API}/settings", json={
        "disable_notifications_for_closed_records": True}).status_code == 200
    assert wait_for(lambda: sql(engine, "SELECT suppress_closed_records FROM"
                                " notifications.organizations WHERE id = :o", o=org)
                    == [(True,)])
    for status in ("closed", "inactive"):
        admin.put(f"{base}{API}/records/{quiet['id']}/status", json={"status": status})
    admin.put(f"{base}{API}/records/{busy['id']}/status", json={"status": "prospect"})
    assert wait_for(lambda: [n for n in items(nina, base)
                             if n["kind"] == "record_status_changed"])
    changed = [n for n in items(nina, base) if n["kind"] == "record_status_changed"]
    assert [n["record_id"] for n in changed] == [busy["id"]]
    handled = sql(engine, "SELECT count(*) FROM notifications.inbox"
                  " WHERE handler = 'on_record_status_changed'")
    assert handled[0][0] >= 3  # the suppressed ones were handled, not lost
    # a closed record's new navigator is not told either
    omar = staff(permissions=(), organization_id=org)
    known_to_notifications(engine, org, omar.user_id)
    assign_when_known(admin, base, quiet["id"], omar.user_id)
    assign_when_known(admin, base, busy["id"], omar.user_id)
    assert wait_for(lambda: [n["record_id"] for n in items(omar, base)] == [busy["id"]])
    # the setting off again: notified again
    admin.patch(f"{base}{API}/settings", json={"disable_notifications_for_closed_records": False})
    assert wait_for(lambda: sql(engine, "SELECT suppress_closed_records FROM"
                                " notifications.organizations WHERE id = :o", o=org)
                    == [(False,)])
    admin.put(f"{base}{API}/records/{quiet['id']}/status", json={"status": "closed"})
    admin.put(f"{base}{API}/records/{quiet['id']}/status", json={"status": "active"})
    assert wait_for(lambda: quiet["id"] in [n["record_id"] for n in items(omar, base)])


def test_a_record_without_navigator_keeps_its_notifications_for_the_administrators(
        gateway_url, staff, engine, mail_server):
    base = gateway_url
    admin = staff()
    org = admin.organization_id
    nina = staff(permissions=(), organization_id=org)
    known_to_notifications(engine, org, nina.user_id)
    lonely, other = create_record(admin, base), create_record(admin, base, first_name="Bea")
    for status in ("inactive", "active"):
        admin.put(f"{base}{API}/records/{lonely['id']}/status", json={"status": status})
    admin.put(f"{base}{API}/records/{other['id']}/status", json={"status": "inactive"})
    url = f"{base}{API}/notifications/unassigned"

    def listed():
        return admin.get(url).json()["items"]

    assert wait_for(lambda: len(listed()) == 2 and listed()[1]["notifications"] == 2)
    first, second = listed()
    assert first["record_id"] == other["id"] and first["notifications"] == 1
    assert second["record_id"] == lonely["id"]
    assert second["latest_title"].endswith("status changed to active")
    assert second["latest_kind"] == "record_status_changed"
    # keyset pages
    page = admin.get(url, params={"limit": 1}).json()
    assert [i["record_id"] for i in page["items"]] == [other["id"]]
    rest = admin.get(url, params={"limit": 1, "cursor": page["next_cursor"]}).json()
    assert [i["record_id"] for i in rest["items"]] == [lonely["id"]]
    assert rest["next_cursor"] is None
    # administrators only; another agency sees none of it
    refused = nina.get(url)
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert staff().get(url).json()["items"] == []
    # the record's first navigator receives them in the app (not e-mailed) and it leaves the list
    assign_when_known(admin, base, lonely["id"], nina.user_id)
    assert wait_for(lambda: [i["record_id"] for i in listed()] == [other["id"]])
    kinds = sorted(n["kind"] for n in items(nina, base))
    assert kinds == ["record_assigned", "record_status_changed", "record_status_changed"]


def test_not4_staff_users_are_welcomed_once_when_active_never_with_a_password(
        gateway_url, staff, engine, mail_server):
    base = gateway_url
    admin = staff()
    suffix = uuid.uuid4().hex[:8]
    role = admin.post(f"{base}{API}/roles", json={"name": f"R {suffix}", "permissions": []})
    password = "a very long passphrase " + suffix
    active = admin.post(f"{base}{API}/users", json={
        "email": f"active-{suffix}@example.org", "first_name": "Alma", "last_name": "Active",
        "role_id": role.json()["id"], "password": password})
    dormant = admin.post(f"{base}{API}/users", json={
        "email": f"dormant-{suffix}@example.org", "first_name": "Dora", "last_name": "Dormant",
        "role_id": role.json()["id"], "password": password, "active": False})
    assert active.status_code == 201 and dormant.status_code == 201, dormant.text
    [welcome] = wait_for(lambda: mails_to(mail_server, f"active-{suffix}@example.org"),
                         timeout=20)
    assert "staff account" in str(welcome.message["Subject"])
    assert "Hello Alma" in welcome.text and "password reset" in welcome.text
    assert password not in welcome.text and password not in welcome.html
    assert settings_staff_url() in welcome.text
    time.sleep(1.5)
    assert mails_to(mail_server, f"dormant-{suffix}@example.org") == []
    user = f"{base}{API}/users/{dormant.json()['id']}"
    assert admin.patch(user, json={"active": True}).status_code == 200
    assert wait_for(lambda: mails_to(mail_server, f"dormant-{suffix}@example.org"), timeout=20)
    # made inactive and active again, renamed: never a second welcome
    admin.patch(user, json={"active": False})
    admin.patch(user, json={"active": True, "first_name": "Dorothy"})
    admin.patch(f"{base}{API}/users/{active.json()['id']}", json={"first_name": "Alba"})
    assert wait_for(lambda: sql(engine, "SELECT name FROM notifications.staff_users"
                                " WHERE id = :u", u=dormant.json()["id"])
                    == [("Dorothy Dormant",)])
    time.sleep(1.5)
    assert len(mails_to(mail_server, f"dormant-{suffix}@example.org")) == 1
    assert len(mails_to(mail_server, f"active-{suffix}@example.org")) == 1
    assert sql(engine, "SELECT count(*) FROM notifications.emails WHERE template ="
               " 'staff_welcome' AND to_address LIKE :a", a=f"%{suffix}%") == [(2,)]


def test_not4_a_first_administrator_arriving_before_the_agency_is_welcomed_with_it(
        gateway_url, engine, mail_server, platform_config):
    amqp = platform_config["AMQP_URI"]
    org, suffix = str(uuid.uuid4()), uuid.uuid4().hex[:8]
    admin = staff_user_event(first_name="Fay", email=f"fay-{suffix}@example.org")
    first = publish(amqp, "identity", "staff_user_created", admin, org)
    assert wait_for(lambda: handled(engine, first))
    time.sleep(1)
    assert mails_to(mail_server, admin["email"]) == []
    created = publish(amqp, "identity", "organization_created",
                      {"organization_id": org, "name": "Late Agency", "slug": f"late-{suffix}",
                       "timezone": "UTC"}, org)
    [welcome] = wait_for(lambda: mails_to(mail_server, admin["email"]), timeout=20)
    assert "Late Agency" in str(welcome.message["Subject"])
    assert sql(engine, "SELECT count(*) FROM notifications.dead_letters WHERE event_id IN"
               " (:a, :b)", a=first["event_id"], b=created["event_id"]) == [(0,)]


def settings_staff_url() -> str:
    from casework.config import env

    return env("CASEWORK_STAFF_URL")


def test_client_messages_and_fulfilled_requests_notify_by_the_rules(
        gateway_url, staff, engine, mail_server, platform_config):
    base, amqp = gateway_url, platform_config["AMQP_URI"]
    admin = staff()
    org = admin.organization_id
    nina = staff(permissions=(), organization_id=org)
    omar = staff(permissions=(), organization_id=org)
    known_to_notifications(engine, org, omar.user_id)
    record = create_record(admin, base)
    assign_when_known(admin, base, record["id"], nina.user_id)
    assert wait_for(lambda: items(nina, base))

    def message(author, staff_user_id):
        return publish(amqp, "notifications", "message_posted", {
            "thread_id": str(uuid.uuid4()), "message_id": str(uuid.uuid4()),
            "record_id": record["id"], "author": author, "author_id": str(uuid.uuid4()),
            "staff_user_id": staff_user_id}, org)

    # a client's message: the thread's staff member, a navigator
    message("client", nina.user_id)
    assert wait_for(lambda: [n for n in items(nina, base) if n["kind"] == "client_message"])
    # a staff member's own message tells nobody
    own = message("staff", nina.user_id)
    # a thread of a colleague who is not a navigator: the record's navigators (NOT-1)
    message("client", omar.user_id)
    assert wait_for(lambda: len([n for n in items(nina, base)
                                 if n["kind"] == "client_message"]) == 2)
    assert wait_for(lambda: handled(engine, own))
    assert items(omar, base) == []

    def fulfilled(record_id, requested_by, **extra):
        return publish(amqp, "records", "request_fulfilled", {
            "request_id": str(uuid.uuid4()), "record_id": record_id, "type": "document",
            "requested_by": requested_by, "private": False,
            "title": "Document: Proof of address",
            "fulfilled_at": "2030-01-01T00:00:00Z", **extra}, org)

    fulfilled(record["id"], nina.user_id)
    [done] = wait_for(lambda: [n for n in items(nina, base) if n["kind"] == "request_fulfilled"])
    assert done["title"] == (f"Record {record['case_number']}: request fulfilled: Document:"
                             " Proof of address")
    assert wait_for(lambda: mails_to(mail_server, me(nina, base)["email"], "request fulfilled"),
                    timeout=20)

    # an unknown record: retried, then dead-lettered with the reason (never silently dropped)
    unknown = fulfilled(str(uuid.uuid4()), nina.user_id)
    reasons = wait_for(lambda: sql(engine, "SELECT reason FROM notifications.dead_letters"
                                   " WHERE event_id = :e", e=unknown["event_id"]), timeout=15)
    assert reasons and "not known to notifications" in reasons[0][0]
    # a deleted record likewise
    assert admin.delete(f"{base}{API}/records/{record['id']}").status_code == 204
    assert wait_for(lambda: copy_of(engine, org, record["id"])["deleted"] is True)
    gone = message("client", nina.user_id)
    reasons = wait_for(lambda: sql(engine, "SELECT reason FROM notifications.dead_letters"
                                   " WHERE event_id = :e", e=gone["event_id"]), timeout=15)
    assert reasons and "is deleted" in reasons[0][0]


def test_a_session_booked_with_a_practitioner_goes_into_their_daily_digest_once(
        gateway_url, operator, engine, mail_server, container_factory, monkeypatch):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from nameko.testing.services import entrypoint_hook

    from services.notifications.entrypoints.digests import send_digests
    from services.notifications.service import NotificationsService
    from tests.e2e.test_scheduling_support import agency_admin, book, client, member

    base = gateway_url
    admin = agency_admin(base, operator, timezone="Europe/London")
    org = admin.organization_id
    nina = member(base, admin)
    nina_email = me(nina, base)["email"]
    known_to_notifications(engine, org, nina.user_id)
    ada = client(admin, base)
    made = book(admin, base, [ada["id"]], [nina.user_id, admin.user_id],
                "2031-05-05T09:00:00Z", "2031-05-05T10:00:00Z")
    assert made.status_code == 201, made.text
    [booked] = wait_for(lambda: [n for n in items(nina, base) if n["kind"] == "session_booked"])
    assert booked["title"] == "Session booked with you: 5 May 2031, 10:00 (Europe/London)"
    assert booked["record_id"] == ada["id"]
    time.sleep(0.5)  # who booked it is not told
    assert [n for n in items(admin, base) if n["kind"] == "session_booked"] == []

    @contextmanager
    def read():
        with engine.connect() as conn:
            yield conn

    def write():
        return engine.begin()

    # before the agency's digest hour nothing is due
    local_hour = datetime.now(ZoneInfo("Europe/London")).hour
    if local_hour < 23:
        assert send_digests(read, write, hour=local_hour + 1) == 0

    # from the hour on (0 here), the timer of two more instances, at once, and again: one
    # digest for the day
    monkeypatch.setenv("CASEWORK_DIGEST_HOUR", "0")
    instances = [container_factory(NotificationsService) for _ in range(2)]
    for instance in instances:
        instance.start()

    def tick(instance):
        with entrypoint_hook(instance, "send_daily_digests") as send_daily_digests:
            send_daily_digests()

    threads = [threading.Thread(target=tick, args=(i,)) for i in instances]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tick(instances[0])
    assert send_digests(read, write) == 0
    [digest] = wait_for(lambda: mails_to(mail_server, nina_email, "notifications of the day"),
                        timeout=20)
    assert "Session booked with you: 5 May 2031, 10:00 (Europe/London)" in digest.text
    time.sleep(1.5)
    assert len(mails_to(mail_server, nina_email, "notifications of the day")) == 1
    assert sql(engine, "SELECT notifications FROM notifications.digests WHERE user_id = :u",
               u=nina.user_id) == [(1,)]
    assert sql(engine, "SELECT count(*) FROM notifications.notifications WHERE user_id = :u"
               " AND delivery = 'digest' AND digested_at IS NULL", u=nina.user_id) == [(0,)]
    assert sql(engine, "SELECT count(*) FROM notifications.emails WHERE key LIKE :k",
               k=f"digest:{nina.user_id}:%") == [(1,)]


def test_req3_the_requester_is_notified_when_the_client_fulfils_in_the_portal(portal_url,
                                                                              engine):
    from tests.e2e.test_requests import ask, fulfil, setup
    from tests.fixtures import add_staff_member

    url = portal_url
    admin, mine, client = setup(url)
    colleague = add_staff_member(url, admin, ())
    assign_when_known(admin, url, mine["id"], admin.user_id)
    sent = ask(url, admin, mine["id"], type="location", private=False)
    assert sent.status_code == 201, sent.text
    done = fulfil(url, client, sent.json()["id"], json={"latitude": 1.5, "longitude": 2.5})
    assert done.status_code == 200, done.text
    [told] = wait_for(lambda: [n for n in items(admin, url) if n["kind"] == "request_fulfilled"],
                      timeout=15)
    assert told["record_id"] == mine["id"]
    assert told["title"] == f"Record {mine['case_number']}: request fulfilled: Location"
    # e-mailed at once (the default), to the requester only (NOT-1)
    assert sql(engine, "SELECT count(*) FROM notifications.emails WHERE template ="
               " 'notification' AND to_address = :a AND subject LIKE '%request fulfilled%'",
               a=me(admin, url)["email"]) == [(1,)]
    assert items(colleague, url) == []


def test_notifications_older_than_the_retention_are_deleted_and_newer_ones_stay(
        gateway_url, staff, engine, container_factory, monkeypatch):
    """Past CASEWORK_NOTIFICATION_RETENTION_DAYS a notification is deleted by the service's
    hourly timer (here called through its entrypoint), in batches; the staff member's list
    through the gateway then holds only the newer ones."""
    from nameko.testing.services import entrypoint_hook

    from services.notifications.entrypoints import notifications as entrypoints
    from services.notifications.queries import notifications as queries
    from services.notifications.service import NotificationsService

    admin = staff()
    org, user = admin.organization_id, admin.user_id
    known_to_notifications(engine, org, user)
    ages = {"ancient": 400, "old": 181, "kept": 179, "new": 0}
    for title, days in ages.items():
        for n in range(3):  # three of each: more than one batch of two below
            sql(engine, "INSERT INTO notifications.notifications (id, key, organization_id,"
                " user_id, kind, record_id, title, delivery, created_at) VALUES (:id, :key, :o,"
                " :u, 'record_assigned', NULL, :t, 'in_app', now() - make_interval(days => :d))",
                id=uuid.uuid4(), key=f"retention:{uuid.uuid4()}", o=org, u=user,
                t=f"{title} {n}", d=days)
    sql(engine, "INSERT INTO notifications.digests (user_id, day, organization_id, notifications,"
        " created_at) VALUES (:u, current_date - 200, :o, 3, now() - interval '200 days'),"
        " (:u, current_date - 1, :o, 2, now() - interval '1 day')", u=user, o=org)
    assert len(items(admin, gateway_url, limit=100)) == 12

    monkeypatch.setattr(queries, "PRUNE_BATCH", 2)
    monkeypatch.setenv("CASEWORK_NOTIFICATION_RETENTION_DAYS", "180")
    instance = container_factory(NotificationsService)
    instance.start()
    with entrypoint_hook(instance, "prune_old_notifications") as prune:
        prune()

    titles = sorted(n["title"] for n in items(admin, gateway_url, limit=100))
    assert titles == sorted(f"{t} {n}" for t in ("kept", "new") for n in range(3))
    assert sql(engine, "SELECT count(*) FROM notifications.digests WHERE user_id = :u",
               u=user) == [(1,)]

    # nothing more to delete: a second run deletes nothing and answers 0
    @contextmanager
    def session():
        with Session(engine) as s, s.begin():
            yield s

    assert entrypoints.prune_notifications(session, days=180) == 0
    assert len(items(admin, gateway_url, limit=100)) == 6


def test_a_renumbered_record_is_named_by_its_new_case_number_in_later_notifications(
        gateway_url, staff, engine, platform_config):
    base = gateway_url
    admin = staff()
    org = admin.organization_id
    nina = staff(permissions=(), organization_id=org)
    record = create_record(admin, base)
    known_to_notifications(engine, org, nina.user_id)
    number = f"REN-{uuid.uuid4().hex[:6].upper()}"
    renumbered = admin.put(f"{base}{API}/records/{record['id']}/case-number",
                           json={"case_number": number})
    assert renumbered.status_code == 200, renumbered.text
    assert wait_for(lambda: copy_of(engine, org, record["id"])["case_number"] == number)
    assign_when_known(admin, base, record["id"], nina.user_id)
    [assigned] = wait_for(lambda: items(nina, base))
    assert assigned["title"] == f"Record {number} is assigned to you"

    # a late record_created (a redelivery from before the renumbering) leaves the new number;
    # a record_updated of other fields carries no case number and changes none
    amqp = platform_config["AMQP_URI"]
    late = publish(amqp, "records", "record_created",
                   {"record_id": record["id"], "kind": "client", "status": "active",
                    "case_number": record["case_number"]}, org,
                   occurred_at="2020-01-01T00:00:00Z")
    other = publish(amqp, "records", "record_updated",
                    {"record_id": record["id"], "kind": "client",
                     "changed_fields": ["first_name"]}, org)
    assert wait_for(lambda: handled(engine, late, other))
    assert copy_of(engine, org, record["id"])["case_number"] == number
