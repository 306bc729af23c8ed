"""The walking skeleton's slice end to end: HTTP -> gateway -> RPC -> records -> PostgreSQL, and
``records.record_created`` through the outbox to the scheduling service."""

import uuid

import requests
from sqlalchemy import text

from casework.config import settings
from tests.fixtures import wait_for


def create(session, url, **fields):
    body = {"first_name": "Ada", "last_name": "Lovelace", **fields}
    return session.post(f"{url}/api/v1/staff/records", json=body)


def test_record_created_over_http_comes_back_from_get_and_search(gateway_url, staff):
    alice = staff()
    created = create(alice, gateway_url, email="ada@example.org",
                     phones=[{"type": "mobile", "number": "+44 20 7946 0001"}])
    assert created.status_code == 201, created.text
    record = created.json()
    # the create answer also lists the agency's records that look like the same person
    assert record.pop("possible_duplicates") == []
    assert record["case_number"].startswith("C-")
    assert record["created_at"].endswith("Z")

    fetched = alice.get(f"{gateway_url}/api/v1/staff/records/{record['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == record

    for q in ("lovelace", "lovlace", "ada@example", record["case_number"], "7946 0001"):
        found = alice.get(f"{gateway_url}/api/v1/staff/records", params={"q": q}).json()
        assert [r["id"] for r in found["items"]] == [record["id"]], q


def test_rec3_case_numbers_generated_in_sequence_and_duplicates_refused(gateway_url, staff):
    alice = staff()
    first = create(alice, gateway_url).json()["case_number"]
    second = create(alice, gateway_url).json()["case_number"]
    assert (first, second) == ("C-000001", "C-000002")
    taken = create(alice, gateway_url, case_number="X-1")
    assert taken.status_code == 201
    duplicate = create(alice, gateway_url, case_number="X-1")
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "duplicate_case_number"


def test_id1_another_agencys_record_answers_404_like_an_unknown_one(gateway_url, staff):
    alice, bob = staff(), staff()
    record = create(alice, gateway_url).json()
    theirs = bob.get(f"{gateway_url}/api/v1/staff/records/{record['id']}")
    unknown = bob.get(f"{gateway_url}/api/v1/staff/records/{uuid.uuid4()}")
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json()["code"] == unknown.json()["code"] == "not_found"
    assert bob.get(f"{gateway_url}/api/v1/staff/records", params={"q": "lovelace"}
                   ).json()["items"] == []


def test_bad_input_gets_a_clear_problem_never_a_500(gateway_url, staff):
    alice = staff()
    url = f"{gateway_url}/api/v1/staff/records"
    malformed = alice.post(url, data="{not json", headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400
    assert malformed.headers["Content-Type"] == "application/problem+json"
    assert malformed.json()["code"] == "malformed_request"

    invalid = alice.post(url, json={"first_name": "", "kind": "robot", "email": "nope"})
    assert invalid.status_code == 422
    problem = invalid.json()
    assert problem["code"] == "validation_error"
    assert set(problem["errors"]) >= {"first_name", "last_name", "kind", "email"}

    bad_id = alice.get(f"{url}/not-a-uuid")
    assert bad_id.status_code == 404
    bad_filter = alice.get(url, params={"status": "asleep", "limit": 0})
    assert bad_filter.status_code == 422
    assert set(bad_filter.json()["errors"]) == {"status", "limit"}


def test_requests_without_a_token_are_refused(gateway_url):
    answer = requests.get(f"{gateway_url}/api/v1/staff/records")
    assert answer.status_code == 401
    assert answer.json()["code"] == "unauthenticated"


def test_request_id_is_echoed_and_carried_into_the_audit_and_the_event(gateway_url, staff,
                                                                         engine):
    alice = staff()
    created = create(alice, gateway_url, headers=None) if False else alice.post(
        f"{gateway_url}/api/v1/staff/records", json={"first_name": "Grace", "last_name": "Hopper"},
        headers={"X-Request-Id": "req-abc-123"})
    assert created.headers["X-Request-Id"] == "req-abc-123"
    record_id = created.json()["id"]
    with engine.connect() as conn:
        audit = conn.execute(text(
            "SELECT request_id FROM records.audit_entries WHERE record_id = :r"),
            {"r": record_id}).scalars().all()
        event = conn.execute(text(
            "SELECT payload FROM records.outbox WHERE payload->'data'->>'record_id' = :r"),
            {"r": record_id}).scalar_one()
    assert audit == ["req-abc-123"]
    assert event["correlation_id"] == "req-abc-123"
    assert event["type"] == "records.record_created"
    generated = alice.get(f"{gateway_url}/health")
    assert len(generated.headers["X-Request-Id"]) == 32


def test_rec15_every_staff_read_leaves_an_audit_row(gateway_url, staff, engine):
    alice = staff()
    record_id = create(alice, gateway_url).json()["id"]
    for _ in range(3):
        assert alice.get(f"{gateway_url}/api/v1/staff/records/{record_id}").status_code == 200
    with engine.connect() as conn:
        actions = conn.execute(text(
            "SELECT action FROM records.audit_entries WHERE record_id = :r ORDER BY id"),
            {"r": record_id}).scalars().all()
    assert actions == ["record_created", "record_read", "record_read", "record_read"]


def test_record_created_event_reaches_scheduling_once(gateway_url, staff, engine):
    alice = staff()
    record_id = create(alice, gateway_url, status="prospect").json()["id"]

    def stored():
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT status, organization_id::text FROM scheduling.clients"
                " WHERE record_id = :r"), {"r": record_id}).all()

    # a redelivery after a consumer's retry takes its backoff: more than the default 10 s
    rows = wait_for(stored, timeout=30)
    assert rows == [("prospect", alice.organization_id)]


def test_ops4_metrics_show_requests_and_every_services_outbox(gateway_url, staff):
    alice = staff()
    assert create(alice, gateway_url).status_code == 201
    text_ = requests.get(f"{gateway_url}/metrics", headers={
        "Authorization": f"Bearer {settings().operator_token}"}).text
    assert 'casework_http_requests_total{method="POST",route="create_record",status="201"}' in text_
    for service in ("identity", "records", "invitations", "notifications", "scheduling"):
        assert f'casework_outbox_pending{{service="{service}"}}' in text_
        assert f'casework_dead_letters_pending{{service="{service}"}}' in text_


def test_s4_text_postgresql_cannot_store_is_refused_with_422(gateway_url, staff):
    """Fuzzing found NUL characters (and \\u escapes of lone surrogates) reaching PostgreSQL."""
    alice = staff()
    url = f"{gateway_url}/api/v1/staff/records"
    for raw in ('{"first_name": "A\\u0000da", "last_name": "L"}',
                '{"first_name": "Ada", "last_name": "L\\ud800"}',
                '{"first_name": "Ada", "last_name": "L", "custom_fields": {"k\\u0000": "v"}}'):
        refused = alice.post(url, data=raw, headers={"Content-Type": "application/json"})
        assert refused.status_code == 422, raw
        assert refused.json()["code"] == "validation_error"
    nul_query = alice.get(url, params={"q": "ada\x00"})
    assert nul_query.status_code == 422
    assert nul_query.json()["errors"] == {
        "q": ["must not contain NUL characters or unpaired surrogates"]}
    login = requests.post(f"{gateway_url}/api/v1/auth/staff/login",
                          data='{"organization": "x", "email": "a\\u0000@b.c", "password": "p"}',
                          headers={"Content-Type": "application/json"})
    assert login.status_code == 422
