"""Nothing lost, everything accountable (issue 18, REC-15), through the gateway, the bus (staff
names and roles learnt from identity's events) and the database: searches and contacts in the
audit trail, who by name and role, the agency's whole trail queried and exported."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime, timedelta

from tests.e2e.test_records_support import API, counting_statements, create_record, sql
from tests.fixtures import wait_for


def trail(session, base, **params) -> list[dict]:
    answer = session.get(f"{base}{API}/audit", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def test_a_search_is_audited_like_a_read_of_the_records_it_returned(gateway_url, staff,
                                                                     engine):
    alice = staff()
    ada = create_record(alice, gateway_url)
    grace = create_record(alice, gateway_url, first_name="Grace", last_name="Hopper")
    with counting_statements() as statements:
        found = alice.get(f"{gateway_url}{API}/records", params={"q": "lovelace",
                                                                 "status": "active"})
    assert [r["id"] for r in found.json()["items"]] == [ada["id"]]
    inserts = [s for s, _ in statements if "audit_entries" in s]
    assert len(inserts) == 1  # one INSERT per search, whatever it returned
    rows = sql(engine, "SELECT record_id, record_ids, actor_id::text, changes, request_id FROM"
               " records.audit_entries WHERE action = 'records_searched' AND organization_id = :o",
               o=alice.organization_id)
    assert len(rows) == 1
    record_id, record_ids, actor, changes, request_id = rows[0]
    assert record_id is None and [str(i) for i in record_ids] == [ada["id"]]
    assert actor == alice.user_id and request_id == found.headers["X-Request-Id"]
    assert changes == {"search": {"old": None, "new": {"q": "lovelace", "status": "active",
                                                       "limit": 50}}}
    # a browse without q is a read of what it listed too
    alice.get(f"{gateway_url}{API}/records")
    listed = trail(alice, gateway_url, action="records_searched", record_id=grace["id"])
    assert len(listed) == 1 and set(listed[0]["record_ids"]) == {ada["id"], grace["id"]}
    # the trail of a record finds the searches that returned it
    assert len(trail(alice, gateway_url, action="records_searched", record_id=ada["id"])) == 2


def test_contact_reads_and_changes_are_in_the_audit_trail(gateway_url, staff):
    alice = staff()
    contacts = f"{gateway_url}{API}/contacts"
    made = alice.post(contacts, json={"first_name": "Carol", "last_name": "Contact",
                                      "email": "carol@example.org"}).json()
    assert alice.get(f"{contacts}/{made['id']}").status_code == 200
    assert alice.patch(f"{contacts}/{made['id']}",
                       json={"email": "carol@new.example.org"}).status_code == 200
    assert alice.get(contacts, params={"q": "carol"}).status_code == 200
    entries = {e["action"]: e for e in trail(alice, gateway_url) if e["action"].startswith(
        "contact")}
    assert set(entries) == {"contact_created", "contact_read", "contact_changed",
                            "contacts_searched"}
    for action in ("contact_created", "contact_read", "contact_changed"):
        assert entries[action]["contact_id"] == made["id"], action
        assert entries[action]["record_id"] is None
    assert entries["contact_changed"]["changes"] == {"email": {
        "old": "carol@example.org", "new": "carol@new.example.org"}}
    assert entries["contacts_searched"]["changes"]["contact_ids"] == [made["id"]]


def test_the_trail_and_the_status_history_say_who_by_name_and_role(gateway_url, staff,
                                                                   engine):
    alice = staff()
    sam = staff(permissions=("view_audit",), organization_id=alice.organization_id)
    record = create_record(alice, gateway_url)
    # identity's staff_user events carry the role's name; records keeps it
    assert wait_for(lambda: sql(engine, "SELECT role FROM records.staff_users WHERE"
                                " user_id = :u", u=sam.user_id) not in ([], [(None,)]))
    sam_name, sam_role = sql(engine, "SELECT name, role FROM records.staff_users WHERE"
                             " user_id = :u", u=sam.user_id)[0]
    assert sam_role.startswith("Role ") and sam_name.startswith("Sam Staff")
    assert sam.put(f"{gateway_url}{API}/records/{record['id']}/status",
                   json={"status": "closed"}).status_code == 200
    history = sam.get(f"{gateway_url}{API}/records/{record['id']}/status-history").json()
    assert [(h["changed_by"], h["changed_by_name"], h["changed_by_role"])
            for h in history["items"]] == [
        (sam.user_id, sam_name, sam_role), (alice.user_id, "Ada Admin", "Agency Administrator")]
    entries = sam.get(f"{gateway_url}{API}/records/{record['id']}/audit").json()["items"]
    changed = next(e for e in entries if e["action"] == "record_status_changed")
    assert (changed["actor_name"], changed["actor_role"]) == (sam_name, sam_role)


def test_administrators_query_and_export_the_agencys_whole_trail(gateway_url, staff):
    alice, bob = staff(), staff()
    sam = staff(permissions=(), organization_id=alice.organization_id)
    auditor = staff(permissions=("view_audit",), organization_id=alice.organization_id)
    ada = create_record(alice, gateway_url)
    grace = create_record(sam, gateway_url, first_name="Grace", last_name="Hopper")
    create_record(bob, gateway_url)
    started = datetime.now(UTC)
    time.sleep(0.05)
    assert sam.get(f"{gateway_url}{API}/records/{ada['id']}").status_code == 200
    assert sam.patch(f"{gateway_url}{API}/records/{grace['id']}",
                     json={"first_name": "Gracie"}).status_code == 200

    assert sam.get(f"{gateway_url}{API}/audit").status_code == 403
    by_sam = trail(auditor, gateway_url, user_id=sam.user_id)
    assert [e["action"] for e in by_sam] == ["record_updated", "record_read", "record_created"]
    assert {e["actor_id"] for e in by_sam} == {sam.user_id}
    assert [e["record_id"] for e in trail(auditor, gateway_url, record_id=ada["id"],
                                          action="record_read")] == [ada["id"]]
    since = trail(auditor, gateway_url, **{"from": started.isoformat()})
    assert {e["action"] for e in since} >= {"record_read", "record_updated"}
    assert "record_created" not in {e["action"] for e in since if e["actor_id"] == sam.user_id}
    before = trail(auditor, gateway_url, to=started.isoformat(), user_id=sam.user_id)
    assert [e["action"] for e in before] == ["record_created"]
    assert trail(auditor, gateway_url, to=(started - timedelta(days=1)).isoformat()) == []
    # nothing of another agency
    assert trail(bob, gateway_url, record_id=ada["id"]) == []

    everything, cursor = [], None
    while True:
        page = auditor.get(f"{gateway_url}{API}/audit",
                           params={"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        everything += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    ids = [e["id"] for e in everything]
    assert len(ids) == len(set(ids)) > 4

    exported = auditor.get(f"{gateway_url}{API}/audit/export.csv",
                           params={"user_id": sam.user_id})
    assert exported.status_code == 200 and exported.headers["Content-Type"].startswith(
        "text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["action"] for r in rows] == ["record_updated", "record_read", "record_created"]
    assert rows[0]["actor_name"].startswith("Sam Staff") and rows[0]["record_id"] == grace["id"]
    assert '"first_name"' in rows[0]["changes"]
    assert sam.get(f"{gateway_url}{API}/audit/export.csv").status_code == 403
    # reading the trail is itself in it
    assert trail(alice, gateway_url, action="audit_read", user_id=auditor.user_id)
