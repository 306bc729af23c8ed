"""Case numbers (REC-3) and client types (REC-4) through the gateway."""

import uuid

from sqlalchemy import text

from tests.e2e.test_records_support import API, create_record, sql


def test_rec3_changing_a_case_number_needs_the_case_numbers_permission(gateway_url, staff):
    alice = staff()
    base = gateway_url
    record = create_record(alice, base)
    url = f"{base}{API}/records/{record['id']}/case-number"
    plain_staff = staff(permissions=(), organization_id=alice.organization_id)
    refused = plain_staff.put(url, json={"case_number": "NEW-1"})
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    clerk = staff(permissions=("case_numbers",), organization_id=alice.organization_id)
    changed = clerk.put(url, json={"case_number": "NEW-1"})
    assert changed.status_code == 200 and changed.json()["case_number"] == "NEW-1"
    found = alice.get(f"{base}{API}/records", params={"q": "new-1"}).json()["items"]
    assert [r["id"] for r in found] == [record["id"]]
    assert alice.get(f"{base}{API}/records",
                     params={"q": record["case_number"]}).json()["items"] == []


def test_rec3_a_case_number_in_use_in_the_agency_is_refused_with_409(gateway_url, staff):
    alice = staff()
    base = gateway_url
    first = create_record(alice, base, case_number="A-1")
    second = create_record(alice, base)
    taken = alice.put(f"{base}{API}/records/{second['id']}/case-number",
                      json={"case_number": "A-1"})
    assert taken.status_code == 409 and taken.json()["code"] == "duplicate_case_number"
    assert alice.get(f"{base}{API}/records/{second['id']}").json()["case_number"] == \
        second["case_number"]
    same = alice.put(f"{base}{API}/records/{first['id']}/case-number", json={"case_number": "A-1"})
    assert same.status_code == 200
    for bad in ("", " ", "has space", "x" * 51, "-starts-with-dash"):
        invalid = alice.put(f"{base}{API}/records/{first['id']}/case-number",
                            json={"case_number": bad})
        assert invalid.status_code == 422, bad
    # another agency may use the same number
    bob = staff()
    assert create_record(bob, base, case_number="A-1")["case_number"] == "A-1"


def test_rec3_generated_case_numbers_skip_numbers_chosen_by_hand(gateway_url, staff):
    alice = staff()
    base = gateway_url
    assert create_record(alice, base, case_number="C-000002")["case_number"] == "C-000002"
    numbers = [create_record(alice, base)["case_number"] for _ in range(2)]
    assert numbers == ["C-000001", "C-000003"]


def test_rec3_a_long_run_of_numbers_chosen_by_hand_is_skipped_in_one_jump(gateway_url, staff,
                                                                         engine):
    """An import that kept its own C-numbers leaves the counter behind: the next generated
    number is the first free one after the run, found in one statement (it once looped a query
    per taken number and stalled the service)."""
    alice = staff()
    with engine.begin() as conn:  # 500 imported records numbered C-000001 .. C-000500
        conn.execute(text("""
            INSERT INTO records.records (id, organization_id, kind, first_name, last_name,
                case_number, status, search_text, name_text, sort_name)
            SELECT gen_random_uuid(), :org, 'client', 'Imported', 'Client ' || n,
                   'C-' || lpad(n::text, 6, '0'), 'active', 'imported', 'imported client',
                   'client imported'
            FROM generate_series(1, 500) AS n"""), {"org": alice.organization_id})
    assert create_record(alice, gateway_url, case_number="C-000502")["case_number"] == "C-000502"
    for not_generated in ("C-12AB", "C-0000001234567890123"):  # never cast as numbers
        assert create_record(alice, gateway_url, case_number=not_generated)["case_number"]
    numbers = [create_record(alice, gateway_url)["case_number"] for _ in range(3)]
    assert numbers == ["C-000501", "C-000503", "C-000504"]


def test_rec4_a_type_can_be_set_only_once_the_agency_has_types(gateway_url, staff):
    alice = staff()
    base = gateway_url
    record = create_record(alice, base)
    url = f"{base}{API}/records/{record['id']}/client-type"
    none_yet = alice.put(url, json={"client_type_id": str(uuid.uuid4())})
    assert none_yet.status_code == 422
    assert "no client types" in none_yet.json()["detail"]
    direct = alice.post(f"{base}{API}/client-types", json={"name": "Direct Service Client"})
    assert direct.status_code == 201
    colleague = staff(permissions=(), organization_id=alice.organization_id)
    chosen = colleague.put(url, json={"client_type_id": direct.json()["id"]})
    assert chosen.status_code == 200
    assert chosen.json()["client_type"]["name"] == "Direct Service Client"
    assert chosen.json()["client_type_id"] == direct.json()["id"]
    cleared = colleague.put(url, json={"client_type_id": None})
    assert cleared.json()["client_type"] is None


def test_rec4_only_the_agencys_own_active_types_can_be_set(gateway_url, staff):
    alice, bob = staff(), staff()
    base = gateway_url
    mine = alice.post(f"{base}{API}/client-types", json={"name": "Prospect"}).json()
    theirs = bob.post(f"{base}{API}/client-types", json={"name": "Prospect"}).json()
    record = create_record(alice, base, client_type_id=mine["id"])
    url = f"{base}{API}/records/{record['id']}/client-type"
    foreign = alice.put(url, json={"client_type_id": theirs["id"]})
    assert foreign.status_code == 422
    assert foreign.json()["errors"] == {"client_type_id": [
        "not one of this agency's active client types"]}
    assert alice.patch(f"{base}{API}/client-types/{mine['id']}",
                       json={"active": False}).json()["active"] is False
    # the record keeps its (now inactive) type; nobody can choose it any more
    view = alice.get(f"{base}{API}/records/{record['id']}").json()
    assert view["client_type"] == {"id": mine["id"], "name": "Prospect", "active": False}
    refused = alice.post(f"{base}{API}/records", json={
        "first_name": "Grace", "last_name": "Hopper", "client_type_id": mine["id"]})
    assert refused.status_code == 422 and "client_type_id" in refused.json()["errors"]
    assert alice.put(url, json={"client_type_id": mine["id"]}).status_code == 200


def test_rec4_client_types_are_defined_by_agency_administrators(gateway_url, staff, engine):
    alice = staff()
    base = gateway_url
    colleague = staff(permissions=("case_numbers", "manage_groups"),
                      organization_id=alice.organization_id)
    types = f"{base}{API}/client-types"
    assert colleague.post(types, json={"name": "Mine"}).status_code == 403
    case = alice.post(types, json={"name": "Case Management"}).json()
    assert alice.post(types, json={"name": "Case Management"}).json()["code"] == "duplicate_name"
    renamed = alice.patch(f"{types}/{case['id']}", json={"name": "Case management"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Case management"
    assert colleague.patch(f"{types}/{case['id']}", json={"name": "x"}).status_code == 403
    assert colleague.get(types).json()["items"] == [renamed.json()]
    assert staff().get(types).json()["items"] == []

    unused = alice.post(types, json={"name": "Unused"}).json()
    assert alice.delete(f"{types}/{unused['id']}").status_code == 204
    assert alice.patch(f"{types}/{unused['id']}", json={"name": "x"}).status_code == 404
    record = create_record(alice, base, client_type_id=case["id"])
    in_use = alice.delete(f"{types}/{case['id']}")
    assert in_use.status_code == 200 and in_use.json()["active"] is False
    assert sql(engine, "SELECT client_type_id::text FROM records.records WHERE id = :r",
               r=record["id"]) == [(case["id"],)]
    assert alice.patch(f"{types}/{case['id']}", json={"active": True}).json()["active"] is True
