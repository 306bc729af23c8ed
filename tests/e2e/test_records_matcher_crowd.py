"""The duplicate matcher in a crowded agency (issue 15, "Duplicates, explained"; P10): among a
thousand Smiths and a thousand Marys, the one Mary Smith is found, by her name and by a misspelt
name with her date of birth, as is a Smith by her date of birth alone with a name a little alike.
The agency's records come in by ``casework import records`` (the records service's RPC over the
bus), the questions through the gateway."""

from __future__ import annotations

from tests.e2e.test_records_csv import HEADER, casework_import

STAFF = "/api/v1/staff"
FIRST = ["Anne", "Beth", "Carol", "Dana", "Edith", "Fay", "Gwen", "Hilda", "Iris", "Joan"]
LAST = ["Jones", "Brown", "Taylor", "Evans", "Wilson", "Walker", "Wright", "Green", "Hall",
        "Wood"]


def test_the_one_mary_smith_among_thousands_of_smiths_and_marys(
        gateway_url, staff, platform_config, database_url, tmp_path):
    alice = staff()
    rows = [HEADER]
    for n in range(1000):  # a thousand Smiths, a thousand Marys, none of them Mary Smith
        rows.append(f",client,{FIRST[n % 10]}{n},Smith,,,,1950-01-{1 + n % 28:02d},,,")
        rows.append(f",client,Mary,{LAST[n % 10]}{n},,,,1960-02-{1 + n % 28:02d},,,")
    rows.append(",client,Mary,Smith,,,,1972-03-04,,,")
    rows.append(",client,Rosalind,Smith,,,,1972-03-04,,,")  # the same birthday: not her
    path = tmp_path / "crowd.csv"
    path.write_text("\n".join(rows) + "\n")
    imported = casework_import(platform_config, database_url, path, alice.slug,
                               "--batch-size", "2000")
    assert imported.returncode == 0, imported.stderr
    assert "2002 record(s) created" in imported.stderr

    def duplicates(**query):
        answer = alice.get(f"{gateway_url}{STAFF}/records/duplicates", params=query)
        assert answer.status_code == 200, answer.text
        return answer.json()["items"]

    mary = duplicates(first_name="Mary", last_name="Smith", date_of_birth="1972-03-04")
    assert mary[0]["name"] == "Mary Smith" and mary[0]["grade"] == "probable"
    assert set(mary[0]["reasons"]) == {"same_name", "same_date_of_birth"}
    assert all(m["score"] < mary[0]["score"] for m in mary[1:])
    assert duplicates(first_name="Mary", last_name="Smith")[0]["name"] == "Mary Smith"
    misspelt = duplicates(first_name="Marie", last_name="Smyth", date_of_birth="1972-03-04")
    assert misspelt[0]["name"] == "Mary Smith", misspelt
    assert "same_date_of_birth" in misspelt[0]["reasons"]
    # the same birthday alone is no match; with a name not at all alike, no candidate either
    assert all(m["name"] != "Rosalind Smith" or "similar_name" in m["reasons"]
               or "sounds_alike" in m["reasons"] for m in misspelt)
    assert duplicates(first_name="Zebedee", last_name="Quux", date_of_birth="1972-03-04") == []


def test_the_databases_phone_keys_are_the_matchers(engine):
    """``records.phone_keys`` (the index the matcher finds a phone number by) gives each number's
    ``domain.phone_key``: its digits, the last nine."""
    import json

    from services.records.domain import phone_key
    from tests.e2e.test_records_support import sql

    phones = [{"type": "mobile", "number": "+44 (0) 7700 900555"}, {"number": "07700 900555"},
              {"number": "123"}, {"number": ""}, {"type": "home", "number": "0044-20-7946-0000"}]
    [(keys,)] = sql(engine, "SELECT records.phone_keys(CAST(:p AS jsonb))", p=json.dumps(phones))
    assert keys == [phone_key(p["number"]) for p in phones]
    assert keys[0] == keys[1] == "700900555"
    for odd in ("[]", "{}", "null"):
        assert sql(engine, "SELECT records.phone_keys(CAST(:p AS jsonb))", p=odd) == [([],)]
