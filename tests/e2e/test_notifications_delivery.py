"""Notifications: the copies of records, navigators, staff users and agency settings that the
delivery rules read (kept from records.events and identity.events through the real bus), and
the delivery rules themselves (NOT-1, NOT-2, NOT-4), through the gateway, the bus, the database
and a real SMTP server."""

from __future__ import annotations

import uuid

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
