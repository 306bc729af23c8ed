"""CSV in and out (issue 18): ``casework import records`` run as the operator runs it, in its own
process, through the records service's RPC; the export through the gateway. Checked in the
database, on the bus (the events published) and through the gateway."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from casework.record_csv import EXPORT_COLUMNS
from tests.e2e.test_records_support import API, create_record, sql
from tests.fixtures import wait_for

ROOT = Path(__file__).resolve().parents[2]
HEADER = ("case_number,kind,first_name,last_name,email,phones,preferred_contact_methods,"
          "date_of_birth,client_type_id,status,custom_fields")


def casework_import(platform_config, database_url, path, slug, *extra):
    env = {**os.environ, "CASEWORK_DATABASE_URL": database_url,
           "CASEWORK_AMQP_URI": platform_config["AMQP_URI"]}
    return subprocess.run([sys.executable, "-m", "casework.cli", "import", "records", str(path),
                           "--organization", slug, *extra], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def agency_records(engine, organization_id) -> int:
    return sql(engine, "SELECT count(*) FROM records.records WHERE organization_id = :o",
               o=organization_id)[0][0]


def report(run) -> dict[int, str]:
    """The report's lines (stdout): row number -> 'outcome<TAB>reason'."""
    lines = {}
    for line in run.stdout.splitlines():
        if line.startswith("row "):
            number, rest = line[4:].split("\t", 1)
            lines[int(number)] = rest
    return lines


def test_casework_import_records_flags_duplicates_refuses_bad_rows_and_creates_nothing_twice(
        gateway_url, staff, engine, platform_config, database_url, tmp_path):
    alice = staff()
    org = alice.organization_id
    create_record(alice, gateway_url, first_name="Existing", case_number="EXIST-1")
    path = tmp_path / "clients.csv"
    path.write_text("\n".join([
        HEADER,
        "IMP-1,client,Ada,Lovelace,ada@example.org,,email,1815-12-10,,active,",      # row 2
        ',client,Grace,Hopper,grace@example.org,"mobile:+44 20 7946 0000; home:0123 456",'
        'email;phone,1906-12-09,,prospect,"{""school"": ""Vassar""}"',            # row 3
        ",client,Nameless,,x@example.org,,,,,,",                                   # row 4
        ",client,Bad,Email,not-an-email,,,,,,",                                    # row 5
        ',client,Bad,Json,,,,,,,"{not json"',                                      # row 6
        "imp-1,client,Other,Person,,,,,,,",                                        # row 7
        ",client,grace,HOPPER,another@example.org,,,1906-12-09,,,",                # row 8
        "EXIST-1,client,Someone,Else,,,,,,,",                                      # row 9
        ",client,Typed,Client,,,,,00000000-0000-0000-0000-000000000001,,",         # row 10
        ",employee,Katherine,Johnson,,,,,,inactive,",                              # row 11
    ]) + "\n")
    before = agency_records(engine, org)

    dry = casework_import(platform_config, database_url, path, alice.slug, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert agency_records(engine, org) == before
    assert "3 record(s) would be created (dry run)" in dry.stderr

    run = casework_import(platform_config, database_url, path, alice.slug)
    assert run.returncode == 0, run.stderr
    assert "[" in run.stderr and "10/10 rows" in run.stderr  # the progress bar, on stderr
    assert "3 record(s) created, 3 duplicate(s) flagged, 4 row(s) refused, of 10" in run.stderr
    lines = report(run)
    assert sorted(lines) == [4, 5, 6, 7, 8, 9, 10]
    assert lines[4].startswith("refused\tlast_name:")
    assert lines[5].startswith("refused\temail:")
    assert lines[6] == "refused\tcustom_fields: not a JSON object"
    assert lines[7] == "duplicate\tthe same case number as row 2 of the file"
    assert lines[8] == "duplicate\tthe same name and date of birth as row 3 of the file"
    assert lines[9].startswith("duplicate\tcase number EXIST-1 is in use by record ")
    assert lines[10].startswith("refused\tclient_type_id:")
    assert agency_records(engine, org) == before + 3
    assert dry.stdout == run.stdout  # the dry run reported what the run then did

    # through the gateway: the rows became records as POST /staff/records makes them
    found = alice.get(f"{gateway_url}{API}/records", params={"q": "hopper"}).json()["items"]
    assert len(found) == 1
    grace = found[0]
    assert (grace["status"], grace["date_of_birth"], grace["custom_fields"]) == (
        "prospect", "1906-12-09", {"school": "Vassar"})
    assert grace["phones"] == [{"type": "mobile", "number": "+44 20 7946 0000"},
                               {"type": "home", "number": "0123 456"}]
    assert grace["preferred_contact_methods"] == ["email", "phone"]
    assert grace["case_number"].startswith("C-")
    # as the agency's first administrator, in the audit trail and status history
    trail = alice.get(f"{gateway_url}{API}/records/{grace['id']}/audit").json()["items"]
    created = [e for e in trail if e["action"] == "record_created"]
    assert len(created) == 1 and created[0]["actor_id"] == alice.user_id
    assert created[0]["request_id"].startswith("import-")
    history = alice.get(f"{gateway_url}{API}/records/{grace['id']}/status-history").json()
    assert [(h["old_status"], h["new_status"]) for h in history["items"]] == [
        (None, "prospect")]
    # and on the bus: record_created for each, published
    assert wait_for(lambda: sql(
        engine, "SELECT count(*) FROM records.outbox WHERE routing_key = 'record_created' AND"
        " payload->>'organization_id' = :o AND published_at IS NOT NULL", o=org)[0][0]
        == before + 3, timeout=60)

    again = casework_import(platform_config, database_url, path, alice.slug)
    assert again.returncode == 0, again.stderr
    assert "0 record(s) created, 6 duplicate(s) flagged, 4 row(s) refused" in again.stderr
    assert agency_records(engine, org) == before + 3
    assert report(again)[2].startswith("duplicate\timported before (same row) by record ")
    assert report(again)[3].startswith("duplicate\timported before (same row) by record ")


def test_casework_import_records_refuses_a_file_it_cannot_read_and_an_unknown_agency(
        gateway_url, staff, platform_config, database_url, tmp_path):
    alice = staff()
    bad = tmp_path / "bad.csv"
    bad.write_text("first_name,surname\nAda,Lovelace\n")
    run = casework_import(platform_config, database_url, bad, alice.slug)
    assert run.returncode == 2 and "unknown column(s) surname" in run.stderr
    good = tmp_path / "good.csv"
    good.write_text("first_name,last_name\nAda,Lovelace\n")
    run = casework_import(platform_config, database_url, good, "no-such-agency")
    assert run.returncode == 1 and "no agency no-such-agency" in run.stderr
    missing = casework_import(platform_config, database_url, tmp_path / "none.csv", alice.slug)
    assert missing.returncode == 1 and "cannot read" in missing.stderr


def exported(answer) -> list[dict]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert answer.text.split("\r\n")[0] == ",".join(EXPORT_COLUMNS)
    return rows


def test_a_search_or_a_group_exports_as_csv_audited_as_a_read_of_each_record(
        gateway_url, staff, engine, platform_config, database_url, tmp_path):
    alice, bob = staff(), staff()
    export = f"{gateway_url}{API}/records/export.csv"
    ada = create_record(alice, gateway_url, email="ada@example.org", case_number="ADA-1",
                        phones=[{"type": "home", "number": "+44 20 7946 0001"}],
                        custom_fields={"formula": "=1+1"})
    grace = create_record(alice, gateway_url, first_name="Grace", last_name="Hopper",
                          case_number="GRACE-1")
    create_record(bob, gateway_url, first_name="Grace", last_name="Hopper")
    group = alice.post(f"{gateway_url}{API}/groups", json={"name": "Export"}).json()
    alice.post(f"{gateway_url}{API}/groups/{group['id']}/members/bulk", json={"add": [ada["id"]]})

    everything = exported(alice.get(export))
    assert {r["id"] for r in everything} == {ada["id"], grace["id"]}
    row = next(r for r in everything if r["id"] == ada["id"])
    assert row["phones"] == "home:+44 20 7946 0001" and row["email"] == "ada@example.org"
    assert row["custom_fields"] == '{"formula": "=1+1"}'
    assert [r["id"] for r in exported(alice.get(export, params={"q": "hopper"}))] == [
        grace["id"]]
    by_group = alice.get(export, params={"group_id": group["id"]})
    assert [r["id"] for r in exported(by_group)] == [ada["id"]]
    assert by_group.headers["X-Casework-Truncated"] == "false"
    assert exported(alice.get(export, params={"status": "closed"})) == []
    assert alice.get(export, params={"status": "nope"}).status_code == 422

    reads = sql(engine, "SELECT record_id::text, actor_id::text, changes FROM"
                " records.audit_entries WHERE action = 'record_exported' AND organization_id = :o"
                " ORDER BY id", o=alice.organization_id)
    assert sorted(r[0] for r in reads) == sorted([ada["id"], grace["id"], grace["id"],
                                                  ada["id"]])
    assert {r[1] for r in reads} == {alice.user_id}
    assert {"export": {"old": None, "new": {"q": "hopper"}}} in [r[2] for r in reads]

    # what is exported imports again (into another agency here)
    path = tmp_path / "export.csv"
    path.write_text(alice.get(export).text)
    run = casework_import(platform_config, database_url, path, bob.slug)
    assert run.returncode == 0, run.stderr
    assert "2 record(s) created" in run.stderr
    copied = bob.get(f"{gateway_url}{API}/records", params={"q": "lovelace"}).json()["items"]
    assert copied[0]["phones"] == [{"type": "home", "number": "+44 20 7946 0001"}]
    assert copied[0]["case_number"] == ada["case_number"]


def test_a_dry_run_flags_rows_that_repeat_rows_of_earlier_batches_as_the_run_does(
        gateway_url, staff, engine, platform_config, database_url, tmp_path):
    """Batches of two rows: each duplicate below repeats a row of an earlier batch, which the
    service, comparing a batch with itself and the stored records, cannot see in a dry run
    (nothing is stored): ``casework import`` compares them across batches."""
    alice = staff()
    org = alice.organization_id
    path = tmp_path / "batches.csv"
    path.write_text("\n".join([
        HEADER,
        "B-1,client,Ada,Lovelace,ada@example.org,,,1815-12-10,,,",       # row 2, batch 1
        ",client,Grace,Hopper,,,,1906-12-09,,,",                         # row 3
        "b-1,client,Other,Person,,,,,,,",                                # row 4, batch 2: case
        ",client,GRACE,hopper,grace@example.org,,,1906-12-09,,,",        # row 5: person
        "B-1,client,Ada,Lovelace,ada@example.org,,,1815-12-10,,,",       # row 6, batch 3: row
        ",client,Katherine,Johnson,,,,1918-08-26,,,",                    # row 7
        ",client,Katherine,Johnson,,,,1918-08-26,,,",                    # row 8, batch 4: row
        ",client,Dorothy,Vaughan,,,,,,,",                                # row 9
    ]) + "\n")
    before = agency_records(engine, org)

    dry = casework_import(platform_config, database_url, path, alice.slug, "--dry-run",
                          "--batch-size", "2")
    assert dry.returncode == 0, dry.stderr
    assert agency_records(engine, org) == before
    assert "4 record(s) would be created (dry run), 4 duplicate(s) flagged" in dry.stderr
    assert report(dry) == {
        4: "duplicate\tthe same case number as row 2 of the file",
        5: "duplicate\tthe same name and date of birth as row 3 of the file",
        6: "duplicate\tthe same row as row 2 of the file",
        8: "duplicate\tthe same row as row 7 of the file"}

    run = casework_import(platform_config, database_url, path, alice.slug, "--batch-size", "2")
    assert run.returncode == 0, run.stderr
    assert "4 record(s) created, 4 duplicate(s) flagged, 0 row(s) refused, of 8" in run.stderr
    assert agency_records(engine, org) == before + 4
    assert run.stdout == dry.stdout  # the dry run reported what the run then did

    # in one batch, the same four are flagged, by the service alone
    again = casework_import(platform_config, database_url, path, alice.slug, "--dry-run")
    assert "0 record(s) would be created (dry run), 8 duplicate(s) flagged" in again.stderr


def test_generated_numbers_of_an_import_skip_numbers_taken_in_any_letter_case(
        gateway_url, staff, engine, platform_config, database_url, tmp_path):
    """REC-3 in an import: rows without a case number get generated ones, past a number chosen
    by hand in another letter case ("c-000002"), which the agency's unique index would refuse:
    every row is created, none reported as having lost its number."""
    from tests.e2e.test_records_support import create_record

    alice = staff()
    org = alice.organization_id
    first = create_record(alice, gateway_url)["case_number"]
    following = int(first[2:]) + 1
    hand = [f"c-{n:06d}" for n in range(following, following + 3)]
    for number in hand:
        assert create_record(alice, gateway_url, case_number=number)["case_number"] == number
    path = tmp_path / "unnumbered.csv"
    path.write_text("\n".join([HEADER] + [f",client,Person{n},Without,,,,,,," for n in range(5)])
                    + "\n")
    run = casework_import(platform_config, database_url, path, alice.slug)
    assert run.returncode == 0, run.stderr
    assert "5 record(s) created" in run.stderr, run.stderr
    numbers = [n for (n,) in sql(engine, "SELECT case_number FROM records.records WHERE"
                                 " organization_id = :o AND last_name = 'Without'", o=org)]
    assert len(numbers) == 5 and not {n.lower() for n in numbers} & set(hand)
