"""Other systems get the event schemas from the gateway (issue 14, point 2): the JSON Schema it
serves accepts the events the services really put on the bus, and refuses a forged variant."""

from __future__ import annotations

import jsonschema_rs
import requests
from sqlalchemy import text

from tests.fixtures import wait_for

API = "/api/v1/staff"


def test_served_event_schemas_accept_what_records_emits(gateway_url, staff, engine):
    alice = staff()
    created = alice.post(f"{gateway_url}{API}/records",
                         json={"first_name": "Ada", "last_name": "Lovelace"})
    assert created.status_code == 201, created.text
    record_id = created.json()["id"]
    changed = alice.put(f"{gateway_url}{API}/records/{record_id}/status",
                        json={"status": "closed"})
    assert changed.status_code == 200, changed.text

    def events():
        with engine.connect() as conn:
            return [row[0] for row in conn.execute(text(
                "SELECT payload FROM records.outbox WHERE payload->'data'->>'record_id' = :r "
                "ORDER BY id"), {"r": record_id})]

    emitted = wait_for(lambda: len(events()) >= 2 and events())
    assert [e["type"] for e in emitted] == ["records.record_created",
                                           "records.record_status_changed"]

    whole = requests.get(f"{gateway_url}/api/v1/events/schema", timeout=10)
    assert whole.status_code == 200
    one = requests.get(f"{gateway_url}/api/v1/events/schema/records.record_status_changed",
                       timeout=10)
    assert one.status_code == 200
    document = jsonschema_rs.validator_for(whole.json())
    status_changed = jsonschema_rs.validator_for(one.json())
    for event in emitted:
        assert document.is_valid(event), event
    assert status_changed.is_valid(emitted[1])
    assert not status_changed.is_valid(emitted[0])  # another type
    forged = {**emitted[1], "data": {**emitted[1]["data"], "new": "deleted"}}
    assert not document.is_valid(forged)


def test_an_undeclared_event_type_has_no_schema(gateway_url):
    answer = requests.get(f"{gateway_url}/api/v1/events/schema/records.record_invented",
                          timeout=10)
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"
