"""Delete and restore (REC-9): ``delete_clients``, refused while scheduling holds sessions or
payments for the record, hidden but never scrubbed, restored by an administrator."""

import uuid

from tests.e2e.test_records_support import API, create_record, sql


def add_session(engine, organization_id, record_id):
    session_id = str(uuid.uuid4())
    sql(engine, "INSERT INTO scheduling.sessions (id, organization_id, starts_at, ends_at)"
        " VALUES (:s, :o, now(), now() + interval '1 hour')", s=session_id, o=organization_id)
    sql(engine, "INSERT INTO scheduling.session_clients (session_id, record_id, organization_id)"
        " VALUES (:s, :r, :o)", s=session_id, r=record_id, o=organization_id)


def add_payment(engine, organization_id, record_id):
    sql(engine, "INSERT INTO scheduling.payments (id, organization_id, client_id, amount_minor,"
        " currency, paid_on) VALUES (:p, :o, :r, 2500, 'GBP', current_date)",
        p=str(uuid.uuid4()), o=organization_id, r=record_id)


def test_rec9_delete_needs_delete_clients_and_hides_the_record(gateway_url, staff, engine):
    alice = staff()
    base = gateway_url
    record = create_record(alice, base, last_name="Deletable")
    url = f"{base}{API}/records/{record['id']}"
    plain_staff = staff(permissions=(), organization_id=alice.organization_id)
    refused = plain_staff.delete(url)
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    deleter = staff(permissions=("delete_clients",), organization_id=alice.organization_id)
    assert deleter.delete(url).status_code == 204
    assert alice.get(url).status_code == 404
    assert alice.get(f"{base}{API}/records", params={"q": "deletable"}).json()["items"] == []
    assert alice.get(f"{base}{API}/records").json()["items"] == []
    assert deleter.delete(url).status_code == 404
    assert alice.patch(url, json={"first_name": "X"}).status_code == 404
    # never scrubbed: the row and its audit trail are still there
    assert sql(engine, "SELECT last_name FROM records.records WHERE id = :r",
               r=record["id"]) == [("Deletable",)]
    auditor = staff(permissions=("view_audit",), organization_id=alice.organization_id)
    trail = auditor.get(f"{url}/audit").json()["items"]
    assert [e["action"] for e in trail][:2] == ["record_deleted", "record_created"]
    assert trail[0]["actor_id"] == deleter.user_id


def test_rec9_an_administrator_restores_a_deleted_record(gateway_url, staff, engine):
    alice = staff()
    base = gateway_url
    record = create_record(alice, base, last_name="Restorable", case_number="R-1")
    url = f"{base}{API}/records/{record['id']}"
    assert alice.post(f"{url}/restore").status_code == 409
    assert alice.delete(url).status_code == 204
    # a deleted record keeps its case number: it gets it back when restored
    assert alice.post(f"{base}{API}/records", json={
        "first_name": "A", "last_name": "B", "case_number": "R-1"}).status_code == 409
    deleter = staff(permissions=("delete_clients",), organization_id=alice.organization_id)
    assert deleter.post(f"{url}/restore").status_code == 403
    assert staff().post(f"{url}/restore").status_code == 404
    restored = alice.post(f"{url}/restore")
    assert restored.status_code == 200 and restored.json()["case_number"] == "R-1"
    assert alice.get(url).status_code == 200
    found = alice.get(f"{base}{API}/records", params={"q": "restorable"}).json()["items"]
    assert [r["id"] for r in found] == [record["id"]]
    events = sql(engine, "SELECT routing_key FROM records.outbox WHERE"
                 " payload->'data'->>'record_id' = :r ORDER BY id", r=record["id"])
    assert [e[0] for e in events] == ["record_created", "record_deleted", "record_restored"]


def test_rec9_delete_refused_with_sessions(gateway_url, staff, engine):
    alice = staff()
    base = gateway_url
    record = create_record(alice, base)
    add_session(engine, alice.organization_id, record["id"])
    add_session(engine, alice.organization_id, record["id"])
    refused = alice.delete(f"{base}{API}/records/{record['id']}")
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["code"] == "record_has_financial_links"
    assert "2 sessions" in problem["detail"]
    assert "inactive or prospect" in problem["detail"]
    assert problem["suggested_statuses"] == ["inactive", "prospect"]
    assert alice.get(f"{base}{API}/records/{record['id']}").status_code == 200


def test_rec9_delete_refused_with_payments(gateway_url, staff, engine):
    alice, bob = staff(), staff()
    base = gateway_url
    record = create_record(alice, base)
    add_payment(engine, alice.organization_id, record["id"])
    refused = alice.delete(f"{base}{API}/records/{record['id']}")
    assert refused.status_code == 409 and "1 payment" in refused.json()["detail"]
    # another agency's financial rows naming the same id do not count
    other = create_record(alice, base, first_name="Other")
    add_payment(engine, bob.organization_id, other["id"])
    add_session(engine, bob.organization_id, other["id"])
    assert alice.delete(f"{base}{API}/records/{other['id']}").status_code == 204
