"""The CSV format of client records (casework.record_csv): what the import reads is what the
export writes, cells a spreadsheet would run are defused, a bad header refuses the file."""

from __future__ import annotations

import io

import pytest

from casework import record_csv


def test_an_exported_record_reads_back_as_the_payload_of_post_staff_records():
    record = {"id": "r1", "case_number": "C-000001", "kind": "client", "first_name": "Ada",
              "last_name": "Lovelace", "email": "ada@example.org",
              "phones": [{"type": "home", "number": "+44 20 7946 0001"},
                         {"type": "mobile", "number": "07123 456789"}],
              "preferred_contact_methods": ["email", "sms"], "date_of_birth": "1815-12-10",
              "client_type_id": None, "status": "active", "custom_fields": {"b": 1, "a": "x"},
              "portal_status": None, "created_at": "2026-11-30T09:00:00Z", "updated_at": None}
    rows = list(record_csv.read(io.StringIO(record_csv.write([record]))))
    assert rows == [(2, {"case_number": "C-000001", "kind": "client", "first_name": "Ada",
                         "last_name": "Lovelace", "email": "ada@example.org",
                         "phones": record["phones"],
                         "preferred_contact_methods": ["email", "sms"],
                         "date_of_birth": "1815-12-10", "status": "active",
                         "custom_fields": {"a": "x", "b": 1}})]


def test_a_number_alone_is_a_mobile_and_empty_cells_are_left_out():
    text = "first_name,last_name,phones,email\nAda,Lovelace,0123 456; work:+1 555 0100,\n"
    assert list(record_csv.read(io.StringIO(text))) == [(2, {
        "first_name": "Ada", "last_name": "Lovelace",
        "phones": [{"number": "0123 456"}, {"type": "work", "number": "+1 555 0100"}]})]


def test_cells_a_spreadsheet_would_run_are_defused_but_phone_numbers_are_not():
    assert record_csv.safe("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert record_csv.safe("@SUM(A1)") == "'@SUM(A1)"
    assert record_csv.safe("-2+3+cmd|' /C calc'!A0") == "'-2+3+cmd|' /C calc'!A0"
    assert record_csv.safe("+44 (0)20 7946-0000") == "+44 (0)20 7946-0000"
    assert record_csv.safe("") == "" and record_csv.safe("Ada") == "Ada"


@pytest.mark.parametrize("header, message", [
    ("", "the file is empty"),
    ("first_name,surname", "unknown column(s) surname"),
    ("first_name,email", "missing column(s) last_name"),
])
def test_a_file_whose_header_cannot_be_imported_is_refused_whole(header, message):
    with pytest.raises(record_csv.BadFile, match=message.replace("(", r"\(").replace(")", r"\)")):
        list(record_csv.read(io.StringIO(header + "\n")))


def test_a_row_that_cannot_be_read_is_refused_alone():
    text = 'first_name,last_name,custom_fields\nAda,Lovelace,{oops\nGrace,Hopper,,extra\n'
    rows = list(record_csv.read(io.StringIO(text)))
    assert [(n, str(r)) for n, r in rows] == [
        (2, "custom_fields: not a JSON object"),
        (3, "the row has more cells than the header has columns")]


def outcome(row, outcome_, *, record_id=None, match=None, keys=None, reason=None):
    return {"row": row, "outcome": outcome_, "record_id": record_id,
            "case_number": "X-1" if outcome_ != "duplicate" else None, "reason": reason,
            "match": match, "keys": keys}


def test_a_dry_run_flags_a_row_repeating_an_earlier_batchs_row_by_the_first_key_shared():
    earlier = record_csv.EarlierRows()
    first = earlier.settle([
        outcome(2, "would_create", keys={"row": "k2", "case_number": "x-1", "person": "p"}),
        outcome(3, "would_create", keys={"row": "k3"})])
    assert [set(r) for r in first] == [{"row", "outcome", "record_id", "case_number",
                                        "reason"}] * 2
    assert [r["outcome"] for r in first] == ["would_create"] * 2
    second = earlier.settle([
        outcome(4, "would_create", keys={"row": "k4", "person": "p"}),
        outcome(5, "would_create", keys={"row": "k3", "case_number": "x-1"}),
        outcome(6, "refused", reason="last_name: missing"),
        outcome(7, "would_create", keys={"row": "k7"})])
    assert [(r["row"], r["outcome"], r["reason"], r["case_number"]) for r in second] == [
        (4, "duplicate", "the same name and date of birth as row 2 of the file", None),
        (5, "duplicate", "the same row as row 3 of the file", None),
        (6, "refused", "last_name: missing", "X-1"),
        (7, "would_create", None, "X-1")]
    # a flagged row is no row to compare with: the row it repeats is
    assert earlier.settle([outcome(8, "would_create", keys={"row": "k4"})])[0][
        "outcome"] == "would_create"


def test_a_run_words_a_duplicate_of_a_record_it_made_as_a_duplicate_of_its_row():
    earlier = record_csv.EarlierRows()
    earlier.settle([outcome(2, "created", record_id="r-2")])
    settled = earlier.settle([
        outcome(3, "duplicate", record_id="r-2", match="case_number",
                reason="case number X-1 is in use by record r-2"),
        outcome(4, "duplicate", record_id="r-old", match="person",
                reason="same name and date of birth by record r-old"),
        outcome(5, "duplicate", match="row", reason="the same row as row 3 of the file")])
    assert [r["reason"] for r in settled] == [
        "the same case number as row 2 of the file",
        "same name and date of birth by record r-old",
        "the same row as row 3 of the file"]
