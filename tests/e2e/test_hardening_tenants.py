"""Issue 19, "What one agency can learn about another": the ids of audit entries and status
changes, and the cursors of their lists, come from no counter shared by the agencies (through the
gateway, the bus, the records service and PostgreSQL)."""

import base64
import json
import uuid
from datetime import datetime

from tests.e2e.test_records_support import API, create_record, sql


def decoded(cursor: str):
    return json.loads(base64.urlsafe_b64decode(cursor.encode()))


def numbers_in(value) -> list:
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [value]
    if isinstance(value, dict):
        return [n for v in value.values() for n in numbers_in(v)]
    if isinstance(value, list):
        return [n for v in value for n in numbers_in(v)]
    return []


def read_all(session, url):
    items, cursors, cursor = [], [], None
    while True:
        page = session.get(url, params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items, cursors
        cursors.append((cursor, body["items"][-1]))


def test_audit_and_status_ids_and_cursors_reveal_no_counter_shared_by_agencies(
        gateway_url, staff, engine):
    alice, bob = staff(), staff()
    base = gateway_url
    mine = create_record(alice, base)["id"]
    theirs = create_record(bob, base)["id"]
    alice.get(f"{base}{API}/records/{mine}")
    for _ in range(5):  # another agency's audited actions in between ...
        bob.get(f"{base}{API}/records/{theirs}")
        bob.put(f"{base}{API}/records/{theirs}/status", json={"status": "inactive"})
        bob.put(f"{base}{API}/records/{theirs}/status", json={"status": "active"})
    alice.get(f"{base}{API}/records/{mine}")
    for status in ("inactive", "closed", "active"):
        assert alice.put(f"{base}{API}/records/{mine}/status",
                         json={"status": status}).status_code == 200

    for path in ("audit", "status-history"):
        items, cursors = read_all(alice, f"{base}{API}/records/{mine}/{path}")
        assert len(items) >= 4
        for item in items:  # ... show in alice's ids as nothing: they are random UUIDs
            assert uuid.UUID(item["id"]).version == 4
        for cursor, last in cursors:  # ... nor in the cursors: the last item's time and id
            position = decoded(cursor)
            assert numbers_in(position) == []
            moment, last_id = position["t"]
            assert last_id == last["id"]
            at = last.get("at") or last["changed_at"]
            shown = datetime.fromisoformat(at.replace("Z", "+00:00"))  # in milliseconds
            assert 0 <= (datetime.fromisoformat(moment) - shown).total_seconds() < 0.001
    # the internal sequence numbers appear nowhere in what alice is answered
    internal = [str(n) for (n,) in sql(engine, "SELECT id FROM records.audit_entries"
                                               " WHERE record_id = :r", r=mine)]
    trail = alice.get(f"{base}{API}/records/{mine}/audit", params={"limit": 100}).text
    assert not [n for n in internal if f'"id": {n}' in trail or f'"id":{n}' in trail]


def test_a_forged_or_old_style_cursor_is_refused(gateway_url, staff):
    alice = staff()
    record = create_record(alice, gateway_url)["id"]
    old_style = base64.urlsafe_b64encode(b'{"b":12345}').decode()
    for path in ("audit", "status-history"):
        answer = alice.get(f"{gateway_url}{API}/records/{record}/{path}",
                           params={"cursor": old_style})
        assert answer.status_code == 422
        assert answer.json()["errors"] == {"cursor": ["not a cursor we gave"]}
