"""Groups (REC-7) through the gateway: defined per agency, joined one by one and in bulk."""

import uuid

from tests.e2e.test_records_support import API, counting_statements, create_record, sql


def insert_records(engine, organization_id: str, count: int, prefix: str) -> list[str]:
    """Many live records of one agency in one set-based statement (test set-up only)."""
    rows = sql(engine, """
        INSERT INTO records.records (id, organization_id, kind, first_name, last_name,
            case_number, status, search_text, name_text, sort_name)
        SELECT gen_random_uuid(), :org, 'client', 'Bulk', :prefix || g, :prefix || '-' || g,
               'active', 'bulk ' || :prefix || g, 'bulk ' || :prefix || g, :prefix || g
        FROM generate_series(1, :count) AS g RETURNING id::text""",
        org=organization_id, count=count, prefix=prefix)
    return [r[0] for r in rows]


def test_rec7_groups_are_defined_per_agency_by_group_managers(gateway_url, staff, engine):
    alice = staff()
    base = gateway_url
    groups = f"{base}{API}/groups"
    plain_staff = staff(permissions=(), organization_id=alice.organization_id)
    manager = staff(permissions=("manage_groups",), organization_id=alice.organization_id)
    assert plain_staff.post(groups, json={"name": "Nope"}).status_code == 403
    made = manager.post(groups, json={"name": "Parents", "description": "Tuesday evenings"})
    assert made.status_code == 201 and made.json()["member_count"] == 0
    group_id = made.json()["id"]
    assert manager.post(groups, json={"name": "Parents"}).json()["code"] == "duplicate_name"
    renamed = manager.patch(f"{groups}/{group_id}", json={"name": "Parents' group"})
    assert renamed.json()["name"] == "Parents' group"
    assert plain_staff.patch(f"{groups}/{group_id}", json={"name": "x"}).status_code == 403
    record = create_record(alice, base)
    assert plain_staff.post(f"{base}{API}/records/{record['id']}/groups",
                            json={"group_id": group_id}).status_code == 201
    listed = plain_staff.get(groups).json()["items"]
    assert [(g["name"], g["member_count"]) for g in listed] == [("Parents' group", 1)]
    assert staff().get(groups).json()["items"] == []

    assert plain_staff.delete(f"{groups}/{group_id}").status_code == 403
    assert manager.delete(f"{groups}/{group_id}").status_code == 204
    assert manager.delete(f"{groups}/{group_id}").status_code == 404
    assert alice.get(f"{base}{API}/records/{record['id']}").json()["groups"] == []
    audit = sql(engine, "SELECT changes FROM records.audit_entries WHERE record_id = :r AND"
                " action = 'group_removed'", r=record["id"])
    assert audit == [({"groups": {"old": {"id": group_id, "name": "Parents' group"},
                                  "new": None}},)]


def test_rec7_a_record_joins_and_leaves_groups_one_by_one(gateway_url, staff):
    alice, bob = staff(), staff()
    base = gateway_url
    group = alice.post(f"{base}{API}/groups", json={"name": "Choir"}).json()
    foreign = bob.post(f"{base}{API}/groups", json={"name": "Choir"}).json()
    record = create_record(alice, base)
    url = f"{base}{API}/records/{record['id']}/groups"
    joined = alice.post(url, json={"group_id": group["id"]})
    assert joined.status_code == 201
    assert joined.json()["groups"] == [{"id": group["id"], "name": "Choir"}]
    assert alice.post(url, json={"group_id": group["id"]}).status_code == 200
    for other in (foreign["id"], str(uuid.uuid4())):
        refused = alice.post(url, json={"group_id": other})
        assert refused.status_code == 422 and "group_id" in refused.json()["errors"]
    found = alice.get(f"{base}{API}/records", params={"group_id": group["id"]}).json()["items"]
    assert [r["id"] for r in found] == [record["id"]]
    assert alice.delete(f"{url}/{group['id']}").status_code == 204
    assert alice.delete(f"{url}/{group['id']}").status_code == 404
    assert alice.get(f"{base}{API}/records/{record['id']}").json()["groups"] == []


def test_rec7_bulk_changes_answer_a_result_per_record(gateway_url, staff, engine):
    alice, bob = staff(), staff()
    base = gateway_url
    group = alice.post(f"{base}{API}/groups", json={"name": "Newsletter"}).json()
    bulk = f"{base}{API}/groups/{group['id']}/members/bulk"
    member, newcomer, leaver, stranger = (create_record(alice, base, first_name=n)["id"]
                                          for n in ("Mem", "New", "Lea", "Str"))
    deleted = create_record(alice, base, first_name="Del")["id"]
    theirs = create_record(bob, base)["id"]
    unknown = str(uuid.uuid4())
    alice.post(bulk, json={"add": [member, leaver]})
    assert alice.delete(f"{base}{API}/records/{deleted}").status_code == 204

    answer = alice.post(bulk, json={"add": [newcomer, member, theirs, unknown, deleted, newcomer],
                                    "remove": [leaver, stranger]})
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert (result["added"], result["removed"]) == (1, 1)
    assert [(r["record_id"], r["outcome"], r["code"]) for r in result["results"]] == [
        (newcomer, "added", None), (member, "unchanged", "already_member"),
        (theirs, "failed", "not_found"), (unknown, "failed", "not_found"),
        (deleted, "failed", "not_found"),
        (leaver, "removed", None), (stranger, "unchanged", "not_member")]
    members = alice.get(f"{base}{API}/records", params={"group_id": group["id"]}).json()
    assert {r["id"] for r in members["items"]} == {member, newcomer}
    assert sql(engine, "SELECT count(*) FROM records.group_members WHERE record_id = :r",
               r=theirs) == [(0,)]

    both = alice.post(bulk, json={"add": [member], "remove": [member]})
    assert both.status_code == 422 and "remove" in both.json()["errors"]
    assert alice.post(bulk, json={"add": ["nope"]}).status_code == 422
    assert alice.post(bulk, json={"add": [member] * 10001}).status_code == 422
    assert bob.post(bulk, json={"add": [theirs]}).status_code == 404
    plain_staff = staff(permissions=(), organization_id=alice.organization_id)
    assert plain_staff.post(bulk, json={"add": [member]}).status_code == 403


def test_rec7_bulk_uses_the_same_number_of_statements_for_10_or_10000_records(
        gateway_url, staff, engine):
    alice = staff()
    base = gateway_url
    group = alice.post(f"{base}{API}/groups", json={"name": "Everyone"}).json()
    bulk = f"{base}{API}/groups/{group['id']}/members/bulk"
    few = insert_records(engine, alice.organization_id, 10, "few")
    many = insert_records(engine, alice.organization_id, 10000, "many")
    counts = {}
    for name, ids in (("few", few), ("many", many)):
        with counting_statements() as statements:
            answer = alice.post(bulk, json={"add": ids})
        assert answer.status_code == 200 and answer.json()["added"] == len(ids)
        counts[name] = len(statements)
    assert counts["few"] == counts["many"] <= 3
    assert sql(engine, "SELECT count(*) FROM records.audit_entries WHERE action = 'group_added'"
               " AND organization_id = :o", o=alice.organization_id) == [(10010,)]
    with counting_statements() as statements:
        removed = alice.post(bulk, json={"remove": many})
    assert removed.json()["removed"] == 10000 and len(statements) == counts["many"]
