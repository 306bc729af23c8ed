"""``POST /api/v1/staff/records`` answers the new record with ``possible_duplicates``: the
agency's other records that look like the same person, graded and explained by the records
matcher (the one of ``GET /staff/records/duplicates``), never the new record itself nor another
agency's records (issue 15, "Duplicates, explained")."""

from __future__ import annotations

STAFF = "/api/v1/staff"


def create(url, session, **fields) -> dict:
    answer = session.post(f"{url}{STAFF}/records", json=fields)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_creating_a_record_answers_its_likely_duplicates(gateway_url, staff):
    url = gateway_url
    alice = staff()
    first = create(url, alice, first_name="Margaret", last_name="Thompson",
                   date_of_birth="1961-04-02", email="margaret@example.org",
                   phones=[{"number": "+44 7700 900555", "type": "mobile"}])
    assert first["possible_duplicates"] == []  # alone in the agency: not even itself
    create(url, alice, first_name="Peter", last_name="Thompson")
    other = staff()
    create(url, other, first_name="Margaret", last_name="Thompson",
           email="margaret@example.org")  # another agency's: never shown

    second = create(url, alice, first_name="Margret", last_name="Thomson",
                    date_of_birth="1961-04-02",
                    phones=[{"number": "07700 900555", "type": "home"}])
    assert second["id"] != first["id"] and second["first_name"] == "Margret"
    [found] = second["possible_duplicates"]
    assert found["record_id"] == first["id"]
    assert found["case_number"] == first["case_number"]
    assert found["name"] == "Margaret Thompson"
    assert set(found["reasons"]) == {"same_phone", "similar_name", "same_date_of_birth"}
    assert found["grade"] == "certain" and found["score"] == 0.95
    # the same matcher and grades as asking before creating
    asked = alice.get(f"{url}{STAFF}/records/duplicates", params={
        "first_name": "Margret", "last_name": "Thomson", "date_of_birth": "1961-04-02",
        "phone": "07700 900555"}).json()["items"]
    assert [item for item in asked if item["record_id"] != second["id"]] == [found]

    by_email = create(url, alice, first_name="Someone", last_name="Else",
                      email="MARGARET@example.org")
    assert [(d["record_id"], d["reasons"]) for d in by_email["possible_duplicates"]] == [
        (first["id"], ["same_email"])]
    # the reading of a record has no such field: only the answer of its creation
    assert "possible_duplicates" not in alice.get(
        f"{url}{STAFF}/records/{first['id']}").json()
