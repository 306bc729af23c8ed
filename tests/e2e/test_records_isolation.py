"""S1 / ID-1 for every records-owned route with ids: another agency's real ids (a record with a
group, navigator, contact, image and notes; a client type, warning indicator, group, contact)
answer exactly like ids nobody has, and change nothing. Complements the generated matrix in
test_isolation_matrix.py, which builds real ids only for records."""

import uuid

from gateway.routing import ROUTES
from tests.e2e.test_isolation_matrix import describe, params, request
from tests.e2e.test_records_support import API, PNG, create_record
from tests.fixtures import wait_for

OWNED = ("/api/v1/staff/records/<record_id>", "/api/v1/staff/groups/<group_id>",
         "/api/v1/staff/client-types/", "/api/v1/staff/warning-indicators/",
         "/api/v1/staff/contacts/<contact_id>")


def agency_a(base, alice):
    record = create_record(alice, base, email="ada@example.org")["id"]
    group = alice.post(f"{base}{API}/groups", json={"name": "A group"}).json()["id"]
    alice.post(f"{base}{API}/records/{record}/groups", json={"group_id": group})
    assert wait_for(lambda: alice.post(f"{base}{API}/records/{record}/navigators", json={
        "user_id": alice.user_id}).status_code in (200, 201))
    contact = alice.post(f"{base}{API}/contacts", json={"last_name": "Contact"}).json()["id"]
    alice.post(f"{base}{API}/records/{record}/contacts", json={
        "contact_id": contact, "contact_types": ["general"], "relationship": "Friend"})
    alice.put(f"{base}{API}/records/{record}/image", data=PNG,
              headers={"Content-Type": "image/png"})
    alice.put(f"{base}{API}/records/{record}/notes", json={"body": "A's notes"})
    return {
        "record_id": record, "group_id": group, "user_id": alice.user_id, "contact_id": contact,
        "client_type_id": alice.post(f"{base}{API}/client-types",
                                     json={"name": "A type"}).json()["id"],
        "indicator_id": alice.post(f"{base}{API}/warning-indicators",
                                   json={"name": "A flag"}).json()["id"],
        # a request and a document need a client with a portal account: A's real ones are
        # refused to another agency in tests/e2e/test_requests.py; here, under A's real record
        "request_id": str(uuid.uuid4()), "document_id": str(uuid.uuid4()),
    }


def test_s1_records_routes_answer_another_agencys_ids_like_unknown_ids(gateway_url, staff):
    alice, bob = staff(), staff()
    base = gateway_url
    mine = agency_a(base, alice)
    before = alice.get(f"{base}{API}/records/{mine['record_id']}").json()
    routes = [r for r in ROUTES if r.audience == "staff" and params(r)
              and r.path.startswith(OWNED)]
    assert len(routes) >= 25
    failures = []
    for route in routes:
        names = params(route)
        unknown = request(bob, base, route, {n: str(uuid.uuid4()) for n in names})
        theirs = request(bob, base, route, {n: mine[n] for n in names})
        if unknown.status_code != 404 or theirs.status_code != 404 \
                or theirs.json() != unknown.json():
            failures.append((describe(route), unknown.status_code, theirs.status_code,
                             theirs.text[:200]))
    assert failures == []
    after = alice.get(f"{base}{API}/records/{mine['record_id']}").json()
    assert {k: v for k, v in after.items() if k != "updated_at"} == \
        {k: v for k, v in before.items() if k != "updated_at"}
    assert alice.get(f"{base}{API}/records/{mine['record_id']}/notes").json()["body"] == \
        "A's notes"
    assert len(alice.get(f"{base}{API}/records/{mine['record_id']}/contacts").json()["items"]) \
        == 1
