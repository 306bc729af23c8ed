"""Contacts (REC-12) through the gateway: agency contacts found before they are created twice,
linked to clients with contact types, one relationship, an organisation reference and a
connection role; unlinking keeps the contact."""

import uuid

from tests.e2e.test_records_support import API, create_record, sql

ADDRESS = {"line1": "1 Analytical Row", "city": "London", "postcode": "N1 1AA"}


def new_contact(session, base, **fields):
    body = {"first_name": "Maria", "last_name": "Garcia", "email": "maria@example.org",
            "phones": [{"number": "07700 900123"}], **fields}
    answer = session.post(f"{base}{API}/contacts", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def found(session, base, q):
    answer = session.get(f"{base}{API}/contacts", params={"q": q})
    assert answer.status_code == 200, answer.text
    return [c["id"] for c in answer.json()["items"]]


def test_rec12_the_search_finds_existing_contacts_so_none_is_created_twice(gateway_url, staff):
    alice = staff()
    base = gateway_url
    maria = new_contact(alice, base)
    clinic = new_contact(alice, base, first_name=None, last_name=None, email=None, phones=[],
                         organisation_name="Northside Clinic")
    for q in ("garcia", "Garsia", "maria@exa", "900123", "maria garcia"):
        assert found(alice, base, q) == [maria["id"]], q
    assert found(alice, base, "northside") == [clinic["id"]]
    assert found(staff(), base, "garcia") == []

    twice = alice.post(f"{base}{API}/contacts", json={"first_name": "M", "last_name": "G",
                                                      "email": "MARIA@example.org"})
    assert twice.status_code == 409 and twice.json()["code"] == "possible_duplicate_contact"
    assert [c["id"] for c in twice.json()["possible_duplicates"]] == [maria["id"]]
    similar = alice.post(f"{base}{API}/contacts", json={"first_name": "Maria",
                                                        "last_name": "Garcia"})
    assert similar.status_code == 409
    confirmed = alice.post(f"{base}{API}/contacts", json={
        "first_name": "Maria", "last_name": "Garcia", "confirm_new": True})
    assert confirmed.status_code == 201
    nameless = alice.post(f"{base}{API}/contacts", json={"first_name": "Only"})
    assert nameless.status_code == 422 and "last_name" in nameless.json()["errors"]
    assert alice.get(f"{base}{API}/contacts/{maria['id']}").json()["email"] == \
        "maria@example.org"
    assert staff().get(f"{base}{API}/contacts/{maria['id']}").status_code == 404


def test_rec12_a_link_carries_types_one_relationship_a_reference_and_a_role(gateway_url, staff):
    alice = staff()
    base = gateway_url
    record = create_record(alice, base)
    contact = new_contact(alice, base)
    links = f"{base}{API}/records/{record['id']}/contacts"
    body = {"contact_id": contact["id"], "contact_types": ["emergency", "finance_billing"],
            "relationship": "Mother", "organisation_reference": "INV-22",
            "connection_role": "family"}
    for bad in ({"relationship": ["Mother", "Carer"]}, {"contact_types": []},
                {"contact_types": ["favourite"]}, {"relationship": ""}):
        refused = alice.post(links, json={**body, **bad})
        assert refused.status_code == 422, bad
    linked = alice.post(links, json=body)
    assert linked.status_code == 201, linked.text
    link = linked.json()
    assert link["contact_types"] == ["emergency", "finance_billing"]
    assert (link["relationship"], link["organisation_reference"], link["connection_role"]) == (
        "Mother", "INV-22", "family")
    assert link["billing_eligible"] is True and link["can_invite_as_connection"] is True
    assert link["contact"]["last_name"] == "Garcia"
    assert alice.post(links, json=body).status_code == 409

    changed = alice.patch(f"{links}/{contact['id']}", json={
        "contact_types": ["general"], "connection_role": None})
    assert changed.status_code == 200
    assert changed.json()["billing_eligible"] is False
    assert changed.json()["can_invite_as_connection"] is False  # no role, no invitation
    listed = alice.get(links).json()["items"]
    assert [(c["contact_id"], c["relationship"]) for c in listed] == [(contact["id"], "Mother")]

    foreign = new_contact(staff(), base)
    assert alice.post(links, json={**body, "contact_id": foreign["id"]}).status_code == 422
    assert alice.post(links, json={**body, "contact_id": str(uuid.uuid4())}).status_code == 422


def test_rec12_additional_address_makes_the_contacts_address_mandatory(gateway_url, staff):
    alice = staff()
    base = gateway_url
    record = create_record(alice, base)
    contact = new_contact(alice, base, email="aunt@example.org", first_name="Rosa")
    links = f"{base}{API}/records/{record['id']}/contacts"
    body = {"contact_id": contact["id"], "contact_types": ["additional_address"],
            "relationship": "Aunt"}
    refused = alice.post(links, json=body)
    assert refused.status_code == 422 and "contact_types" in refused.json()["errors"]
    assert alice.patch(f"{base}{API}/contacts/{contact['id']}",
                       json={"address": ADDRESS}).status_code == 200
    assert alice.post(links, json=body).status_code == 201
    kept = alice.patch(f"{base}{API}/contacts/{contact['id']}", json={"address": None})
    assert kept.status_code == 422 and "address" in kept.json()["errors"]
    assert alice.patch(f"{base}{API}/contacts/{contact['id']}", json={
        "address": {**ADDRESS, "line1": ""}}).status_code == 422
    moved = alice.patch(f"{base}{API}/contacts/{contact['id']}",
                        json={"address": {**ADDRESS, "line1": "2 Difference Lane"}})
    assert moved.json()["address"]["line1"] == "2 Difference Lane"


def test_rec12_unlinking_keeps_the_contact_in_the_agency(gateway_url, staff, engine):
    alice = staff()
    base = gateway_url
    record = create_record(alice, base)
    contact = new_contact(alice, base)
    links = f"{base}{API}/records/{record['id']}/contacts"
    alice.post(links, json={"contact_id": contact["id"], "contact_types": ["general"],
                            "relationship": "Neighbour"})
    assert alice.delete(f"{links}/{contact['id']}").status_code == 204
    assert alice.delete(f"{links}/{contact['id']}").status_code == 404
    assert alice.get(links).json()["items"] == []
    assert alice.get(f"{base}{API}/contacts/{contact['id']}").status_code == 200
    assert found(alice, base, "garcia") == [contact["id"]]
    actions = sql(engine, "SELECT action FROM records.audit_entries WHERE record_id = :r"
                  " ORDER BY id", r=record["id"])
    assert [a[0] for a in actions] == ["record_created", "contact_linked", "contact_unlinked",
                                       "contacts_read"]
