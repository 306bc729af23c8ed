"""The audit trail (REC-15, QUALITY S5): one append-only row per staff read and per change,
with actor, time, request id and the changed fields; readable with ``view_audit``."""

from datetime import datetime

import pytest
from sqlalchemy.exc import DBAPIError

from tests.e2e.test_records_support import API, create_record, sql


def test_rec15_every_read_and_change_is_in_the_audit_trail(gateway_url, staff):
    alice = staff()
    base = gateway_url
    record = create_record(alice, base)
    url = f"{base}{API}/records/{record['id']}"
    alice.get(url, headers={"X-Request-Id": "read-1"})
    alice.patch(url, json={"first_name": "Augusta"}, headers={"X-Request-Id": "change-1"})
    alice.put(f"{url}/status", json={"status": "inactive"})
    alice.get(f"{url}/notes")
    auditor = staff(permissions=("view_audit",), organization_id=alice.organization_id)
    trail = auditor.get(f"{url}/audit").json()["items"]
    assert [e["action"] for e in trail] == ["notes_read", "record_status_changed",
                                            "record_updated", "record_read", "record_created"]
    by_action = {e["action"]: e for e in trail}
    assert by_action["record_read"]["request_id"] == "read-1"
    assert by_action["record_updated"]["request_id"] == "change-1"
    assert by_action["record_updated"]["changes"] == {
        "first_name": {"old": "Ada", "new": "Augusta"}}
    assert by_action["record_status_changed"]["changes"] == {
        "status": {"old": "active", "new": "inactive"}}
    assert {e["actor_id"] for e in trail} == {alice.user_id}
    assert all(e["at"].endswith("Z") for e in trail)
    # reading the trail is itself audited, after the page it answered
    again = auditor.get(f"{url}/audit", params={"limit": 1}).json()["items"]
    assert [(e["action"], e["actor_id"]) for e in again] == [("audit_read", auditor.user_id)]


def test_rec15_the_trail_needs_view_audit_and_pages_newest_first(gateway_url, staff):
    alice = staff()
    base = gateway_url
    record = create_record(alice, base)
    url = f"{base}{API}/records/{record['id']}/audit"
    for _ in range(4):
        alice.get(f"{base}{API}/records/{record['id']}")
    plain_staff = staff(permissions=(), organization_id=alice.organization_id)
    refused = plain_staff.get(url)
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert staff().get(url).status_code == 404
    seen, cursor = [], None
    while True:
        page = alice.get(url, params={"limit": 2, "cursor": cursor}).json()
        seen += [(datetime.fromisoformat(e["at"].replace("Z", "+00:00")), e["id"])
                 for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # created + 4 reads; each page's own audit row is newer than the pages that follow it
    # (ids are random: the order is by time, tests/e2e/test_hardening_tenants.py)
    assert len(seen) == len({entry_id for _, entry_id in seen}) == 5
    assert [at for at, _ in seen] == sorted((at for at, _ in seen), reverse=True)
    assert alice.get(url, params={"cursor": "eyJvIjogMX0="}).status_code == 422


def test_s5_the_audit_trail_and_status_history_are_append_only_in_the_database(
        gateway_url, staff, engine):
    alice = staff()
    record = create_record(alice, gateway_url)
    for statement in ("UPDATE records.audit_entries SET action = 'forged' WHERE record_id = :r",
                      "DELETE FROM records.audit_entries WHERE record_id = :r",
                      "UPDATE records.status_history SET new_status = 'x' WHERE record_id = :r",
                      "DELETE FROM records.status_history WHERE record_id = :r"):
        with pytest.raises(DBAPIError, match="append-only"):
            sql(engine, statement, r=record["id"])
    with pytest.raises(DBAPIError, match="append-only"):
        sql(engine, "TRUNCATE records.audit_entries")
    assert sql(engine, "SELECT action FROM records.audit_entries WHERE record_id = :r",
               r=record["id"]) == [("record_created",)]
