"""Record status with history (REC-5) and portal status (REC-6), including the inbound
external.events client_enrolled and its dead letters."""

import uuid

from tests.e2e.test_records_support import API, create_record, publish, sql
from tests.fixtures import wait_for


def with_client_account(session, base, amqp, record_id, organization_id):
    """The record gets a client account as the invitations service reports it."""
    publish(amqp, "invitations", "invitation_accepted", {
        "invitation_id": str(uuid.uuid4()), "record_id": record_id,
        "email": "client@example.org"}, organization_id)
    view = wait_for(lambda: (lambda v: v if v["has_client_account"] else None)(
        session.get(f"{base}{API}/records/{record_id}").json()))
    assert view, "the invitation_accepted event never reached the record"
    return view


def dead_letter(engine, event_id):
    rows = wait_for(lambda: sql(engine, "SELECT reason, attempts FROM records.dead_letters"
                                " WHERE event_id = :e", e=event_id))
    assert rows, f"event {event_id} was not dead-lettered"
    return rows[0]


def test_rec5_every_status_change_is_kept_with_who_and_when(gateway_url, staff, engine):
    alice = staff()
    base = gateway_url
    colleague = staff(permissions=(), organization_id=alice.organization_id)
    record = create_record(alice, base, status="prospect")
    url = f"{base}{API}/records/{record['id']}"
    assert alice.put(f"{url}/status", json={"status": "active"}).json()["status"] == "active"
    assert colleague.put(f"{url}/status", json={"status": "inactive"}).status_code == 200
    assert colleague.put(f"{url}/status", json={"status": "inactive"}).status_code == 200
    assert alice.put(f"{url}/status", json={"status": "closed"}).status_code == 200
    invalid = alice.put(f"{url}/status", json={"status": "asleep"})
    assert invalid.status_code == 422 and "status" in invalid.json()["errors"]

    history = alice.get(f"{url}/status-history").json()
    assert [(h["old_status"], h["new_status"], h["changed_by"]) for h in history["items"]] == [
        ("inactive", "closed", alice.user_id), ("active", "inactive", colleague.user_id),
        ("prospect", "active", alice.user_id), (None, "prospect", alice.user_id)]
    assert all(h["changed_at"].endswith("Z") for h in history["items"])
    first = alice.get(f"{url}/status-history", params={"limit": 3}).json()
    rest = alice.get(f"{url}/status-history",
                     params={"limit": 3, "cursor": first["next_cursor"]}).json()
    assert first["items"] + rest["items"] == history["items"] and rest["next_cursor"] is None
    assert alice.get(f"{url}/status-history", params={"cursor": "bogus"}).status_code == 422

    events = sql(engine, "SELECT payload FROM records.outbox WHERE routing_key ="
                 " 'record_status_changed' AND payload->'data'->>'record_id' = :r ORDER BY id",
                 r=record["id"])
    assert [(e[0]["data"]["old"], e[0]["data"]["new"]) for e in events] == [
        ("prospect", "active"), ("active", "inactive"), ("inactive", "closed")]


def test_rec6_portal_status_needs_a_client_account(gateway_url, staff, platform_config,
                                                    engine):
    alice = staff()
    base = gateway_url
    record = create_record(alice, base)
    url = f"{base}{API}/records/{record['id']}/portal-status"
    refused = alice.put(url, json={"portal_status": "banned"})
    assert refused.status_code == 409 and refused.json()["code"] == "no_client_account"
    view = with_client_account(alice, base, platform_config["AMQP_URI"], record["id"],
                               alice.organization_id)
    assert view["portal_status"] == "active"
    banned = alice.put(url, json={"portal_status": "banned"})
    assert banned.status_code == 200 and banned.json()["portal_status"] == "banned"
    assert alice.put(url, json={"portal_status": "gone"}).status_code == 422
    events = sql(engine, "SELECT payload FROM records.outbox WHERE routing_key ="
                 " 'portal_status_changed' AND payload->'data'->>'record_id' = :r ORDER BY id",
                 r=record["id"])
    assert [(e[0]["data"]["old"], e[0]["data"]["new"]) for e in events] == [
        (None, "active"), ("active", "banned")]


def test_rec6_client_enrolled_turns_pending_into_active(gateway_url, staff, platform_config,
                                                        engine):
    alice = staff()
    base, amqp = gateway_url, platform_config["AMQP_URI"]
    org = alice.organization_id
    by_id = create_record(alice, base)
    by_case = create_record(alice, base, case_number="ENR-7")
    banned = create_record(alice, base, first_name="Bill")
    for record in (by_id, by_case, banned):
        with_client_account(alice, base, amqp, record["id"], org)
    for record in (by_id, by_case):
        alice.put(f"{base}{API}/records/{record['id']}/portal-status",
                  json={"portal_status": "enrollment_pending"})
    alice.put(f"{base}{API}/records/{banned['id']}/portal-status",
              json={"portal_status": "banned"})

    publish(amqp, "external", "client_enrolled", {"organization_id": org,
                                                  "record_id": by_id["id"]}, org)
    publish(amqp, "external", "client_enrolled", {"organization_id": org,
                                                  "case_number": "ENR-7"}, org)
    ignored = publish(amqp, "external", "client_enrolled", {"organization_id": org,
                                                            "record_id": banned["id"]}, org)

    def portal_status(record):
        return alice.get(f"{base}{API}/records/{record['id']}").json()["portal_status"]

    assert wait_for(lambda: portal_status(by_id) == "active")
    assert wait_for(lambda: portal_status(by_case) == "active")
    assert wait_for(lambda: sql(engine, "SELECT 1 FROM records.inbox WHERE event_id = :e",
                                e=ignored["event_id"]))
    assert portal_status(banned) == "banned"  # a ban is never lifted by an enrollment
    audit = sql(engine, "SELECT actor_id, changes FROM records.audit_entries WHERE record_id = :r"
                " AND action = 'client_enrolled'", r=by_id["id"])
    assert audit == [(None, {"portal_status": {"old": "enrollment_pending", "new": "active"}})]


def test_rec6_a_bad_client_enrolled_changes_nothing_and_is_dead_lettered_with_its_reason(
        gateway_url, staff, platform_config, engine):
    alice, bob = staff(), staff()
    base, amqp = gateway_url, platform_config["AMQP_URI"]
    org = alice.organization_id
    pending = create_record(alice, base)
    with_client_account(alice, base, amqp, pending["id"], org)
    alice.put(f"{base}{API}/records/{pending['id']}/portal-status",
              json={"portal_status": "enrollment_pending"})
    no_account = create_record(alice, base, first_name="Nia")
    cases = [
        ({"organization_id": org}, org, "record_id or case_number is required"),
        ({"organization_id": org, "record_id": "not-a-uuid"}, org, "malformed data"),
        ({"organization_id": org, "record_id": str(uuid.uuid4())}, org, "no live record"),
        ({"organization_id": org, "case_number": "NOPE-1"}, org, "no live record"),
        # another agency cannot enroll this agency's client
        ({"organization_id": bob.organization_id, "record_id": pending["id"]},
         bob.organization_id, "no live record"),
        ({"organization_id": bob.organization_id, "record_id": pending["id"]}, org,
         "differs from the envelope"),
        ({"organization_id": org, "record_id": no_account["id"]}, org, "no client account"),
    ]
    for data, envelope_org, reason in cases:
        sent = publish(amqp, "external", "client_enrolled", data, envelope_org)
        stored_reason, attempts = dead_letter(engine, sent["event_id"])
        assert reason in stored_reason and attempts == 0, (data, stored_reason)
    wrong_version = publish(amqp, "external", "client_enrolled",
                            {"organization_id": org, "record_id": pending["id"]}, org, version=9)
    assert "unsupported version 9" in dead_letter(engine, wrong_version["event_id"])[0]
    view = alice.get(f"{base}{API}/records/{pending['id']}").json()
    assert view["portal_status"] == "enrollment_pending"
    assert alice.get(f"{base}{API}/records/{no_account['id']}").json()["portal_status"] is None


def test_invitation_events_for_unknown_records_are_dead_lettered(gateway_url, staff,
                                                                 platform_config, engine):
    alice = staff()
    sent = publish(platform_config["AMQP_URI"], "invitations", "invitation_sent", {
        "invitation_id": str(uuid.uuid4()), "record_id": str(uuid.uuid4()),
        "email": "x@example.org"}, alice.organization_id)
    assert "no live record" in dead_letter(engine, sent["event_id"])[0]
