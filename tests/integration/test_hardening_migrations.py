"""Issue 19: what the records migrations do to data already stored (a database of its own,
migrated step by step)."""

import uuid

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from casework.migrations import alembic_config, ensure_database


@pytest.fixture
def records_database(database_url):
    url = make_url(database_url).set(database=f"{make_url(database_url).database}_mig_"
                                              f"{uuid.uuid4().hex[:8]}")
    url_text = url.render_as_string(hide_password=False)
    ensure_database(url_text)
    engine = create_engine(url_text)
    yield url_text, engine
    engine.dispose()
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


def insert_record(conn, org, case_number, created_at, record_id=None):
    record_id = record_id or str(uuid.uuid4())
    conn.execute(text(
        "INSERT INTO records.records (id, organization_id, kind, first_name, last_name, phones,"
        " case_number, status, search_text, name_text, sort_name, created_at)"
        " VALUES (:id, :org, 'client', 'Ada', 'Lovelace',"
        " '[{\"type\": \"mobile\", \"number\": \"+44 20 1\"}]', :case_number, 'active',"
        " :search_text, 'ada lovelace', 'lovelace ada',"
        " :created_at)"),
        {"id": record_id, "org": org, "case_number": case_number, "created_at": created_at,
         "search_text": f"ada lovelace {case_number.lower()} 44201"})
    return record_id


def test_case_numbers_differing_only_in_letter_case_are_renumbered_not_lost(records_database):
    url, engine = records_database
    config = alembic_config("records", url)
    command.upgrade(config, "records_0007")
    org, other = str(uuid.uuid4()), str(uuid.uuid4())
    with engine.begin() as conn:
        first = insert_record(conn, org, "C-1", "2026-01-01")
        second = insert_record(conn, org, "c-1", "2026-02-01")
        oldest = insert_record(conn, org, "ab-7", "2025-12-01")
        later = [insert_record(conn, org, number, "2026-01-02") for number in ("AB-7", "Ab-7")]
        elsewhere = insert_record(conn, other, "c-1", "2026-03-01")
        alone = insert_record(conn, org, "X-9", "2026-01-01")
    command.upgrade(config, "records_0008")
    with engine.connect() as conn:
        numbers = dict(conn.execute(text("SELECT id::text, case_number FROM records.records"))
                       .all())
        audit = conn.execute(text(
            "SELECT record_id::text, actor_id, action, changes, request_id"
            " FROM records.audit_entries")).all()
        search = conn.execute(text("SELECT search_text FROM records.records WHERE id = :id"),
                              {"id": second}).scalar_one()

    def renumbered(record_id, number):
        return f"{number}-dup-{record_id.replace('-', '')[:8]}"

    # the oldest of each group keeps its number; the others are renumbered, nothing is lost
    assert numbers[first] == "C-1" and numbers[oldest] == "ab-7"
    assert numbers[second] == renumbered(second, "c-1")
    assert [numbers[r] for r in later] == [renumbered(later[0], "AB-7"),
                                           renumbered(later[1], "Ab-7")]
    assert numbers[elsewhere] == "c-1" and numbers[alone] == "X-9"  # untouched
    assert search == f"ada lovelace {renumbered(second, 'c-1')} 44201"
    assert {r.record_id: (r.actor_id, r.action, r.request_id, r.changes) for r in audit} == {
        record_id: (None, "record_updated", "migration records_0008",
                    {"case_number": {"old": old, "new": numbers[record_id]}})
        for record_id, old in ((second, "c-1"), (later[0], "AB-7"), (later[1], "Ab-7"))}
    # and from now on the database itself refuses another letter case of a number
    with pytest.raises(Exception, match="uq_records_org_case_number"), engine.begin() as conn:
        insert_record(conn, org, "x-9", "2026-04-01")
