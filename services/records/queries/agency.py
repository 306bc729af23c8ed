"""What agencies do with many records at once (issue 18): caseload moves, status changes in bulk,
CSV import batches and export pages, deleted records. Set-based like the group bulk add
(queries/groups.py): one statement for all the records of a call, whatever their number, with the
audit rows of what changed written by the same statement (QUALITY P5)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import DateTime, Uuid, func, literal, select, text, tuple_
from sqlalchemy.orm import Session

import contracts.records  # noqa: F401  (declares the events the statements below store)
from casework import cursors
from casework.db import outbox_insert_sql

from ..models import client_types, records
from .records import RECORD_COLUMNS
from .search import _conditions

# The departing navigator's live records, shared between the targets in turn (record i goes to
# target i mod n, records in id order: as even as can be, and the same plan for the same
# caseload), with an audit row per record (navigator_moved: who left, who took over) and the
# events navigator_unassigned and navigator_assigned per record, as the single-record paths
# publish them. A target who was a navigator of the record already stays as
# they were (code already_navigator).
# Shaped for plans that stay linear when the statistics are stale (right after a bulk load): no
# join between two CTEs of the caseload's size (a nested loop over them took 30 s for 10,000),
# records looked up by primary key only.
CASELOAD_MOVE = text("""
WITH targets AS (
    SELECT t.user_id, t.n - 1 AS i, s.name
    FROM unnest(CAST(:targets AS uuid[])) WITH ORDINALITY AS t(user_id, n)
    JOIN records.staff_users s ON s.user_id = t.user_id
    WHERE s.organization_id = CAST(:organization_id AS uuid)),
caseload AS (
    SELECT n.record_id,
           (row_number() OVER (ORDER BY n.record_id) - 1) % CAST(:target_count AS int) AS i
    FROM records.record_navigators n
    WHERE n.user_id = CAST(:from_id AS uuid) AND n.organization_id = CAST(:organization_id AS uuid)
      AND EXISTS (SELECT 1 FROM records.records r
                  WHERE r.id = n.record_id AND r.deleted_at IS NULL)),
plan AS MATERIALIZED (
    SELECT c.record_id, t.user_id, t.name,
           EXISTS (SELECT 1 FROM records.record_navigators x
                   WHERE x.record_id = c.record_id AND x.user_id = t.user_id) AS already
    FROM caseload c JOIN targets t ON t.i = c.i),
removed AS (
    DELETE FROM records.record_navigators m
    WHERE m.user_id = CAST(:from_id AS uuid) AND m.organization_id = CAST(:organization_id AS uuid)
      AND EXISTS (SELECT 1 FROM records.records r
                  WHERE r.id = m.record_id AND r.deleted_at IS NULL)),
added AS (
    INSERT INTO records.record_navigators (record_id, user_id, organization_id, assigned_by)
    SELECT record_id, user_id, CAST(:organization_id AS uuid), CAST(:actor_id AS uuid)
    FROM plan WHERE NOT already
    ON CONFLICT DO NOTHING),
audited AS (
    INSERT INTO records.audit_entries
        (organization_id, record_id, actor_id, action, changes, request_id)
    SELECT CAST(:organization_id AS uuid), p.record_id, CAST(:actor_id AS uuid),
           'navigator_moved', jsonb_build_object('navigators', jsonb_build_object(
               'old', jsonb_build_object('user_id', CAST(:from_id AS text),
                                         'name', CAST(:from_name AS text)),
               'new', jsonb_build_object('user_id', CAST(p.user_id AS text), 'name', p.name,
                                         'already', p.already))),
           CAST(:request_id AS varchar)
    FROM plan p),
unassigned_events AS (""" + outbox_insert_sql("records", "navigator_unassigned", """
    SELECT jsonb_build_object('record_id', CAST(record_id AS text),
                              'user_id', CAST(:from_id AS text)) AS data FROM plan""") + """),
assigned_events AS (""" + outbox_insert_sql("records", "navigator_assigned", """
    SELECT jsonb_build_object('record_id', CAST(record_id AS text),
                              'user_id', CAST(user_id AS text)) AS data
    FROM plan WHERE NOT already""") + """)
SELECT record_id, user_id AS to_user_id, already FROM plan ORDER BY record_id
""")


def move_caseload(session: Session, organization_id: str, from_user: dict, targets: list[str],
                  actor_id, request_id, correlation_id) -> list[dict]:
    rows = session.execute(CASELOAD_MOVE, {
        "targets": targets, "target_count": len(targets), "from_id": str(from_user["user_id"]),
        "from_name": from_user["name"], "organization_id": organization_id,
        "actor_id": actor_id, "request_id": request_id,
        "correlation_id": correlation_id}).mappings()
    return [dict(r) for r in rows]


# Each wanted record of the agency, live, locked; those not already in the status change, with
# their status history and audit rows and record_status_changed each; each id's outcome in the
# caller's order.
BULK_STATUS = text("""
WITH wanted AS (
    SELECT w.record_id, w.n
    FROM unnest(CAST(:record_ids AS uuid[])) WITH ORDINALITY AS w(record_id, n)),
known AS (
    SELECT r.id, r.kind, r.status FROM records.records r JOIN wanted w ON r.id = w.record_id
    WHERE r.organization_id = CAST(:organization_id AS uuid) AND r.deleted_at IS NULL
    FOR UPDATE OF r),
changed AS (
    UPDATE records.records r SET status = CAST(:status AS varchar), updated_at = now()
    FROM known k WHERE r.id = k.id AND k.status <> CAST(:status AS varchar)
    RETURNING r.id, r.kind, k.status AS old),
history AS (
    INSERT INTO records.status_history
        (organization_id, record_id, old_status, new_status, changed_by)
    SELECT CAST(:organization_id AS uuid), id, old, CAST(:status AS varchar),
           CAST(:actor_id AS uuid) FROM changed),
audited AS (
    INSERT INTO records.audit_entries
        (organization_id, record_id, actor_id, action, changes, request_id)
    SELECT CAST(:organization_id AS uuid), id, CAST(:actor_id AS uuid), 'record_status_changed',
           jsonb_build_object('status', jsonb_build_object('old', old,
                                                           'new', CAST(:status AS text))),
           CAST(:request_id AS varchar)
    FROM changed),
events AS (""" + outbox_insert_sql("records", "record_status_changed", """
    SELECT jsonb_build_object('record_id', CAST(id AS text), 'kind', kind, 'old', old,
                              'new', CAST(:status AS text)) AS data FROM changed""") + """)
SELECT w.record_id, k.kind, c.old,
       CASE WHEN c.id IS NOT NULL THEN 'changed'
            WHEN k.id IS NOT NULL THEN 'unchanged' ELSE 'failed' END AS outcome,
       CASE WHEN c.id IS NOT NULL THEN NULL
            WHEN k.id IS NOT NULL THEN 'already_in_status' ELSE 'not_found' END AS code
FROM wanted w LEFT JOIN known k ON k.id = w.record_id LEFT JOIN changed c ON c.id = w.record_id
ORDER BY w.n
""")


def bulk_status(session: Session, organization_id: str, record_ids: list[str], status: str,
                actor_id, request_id, correlation_id) -> list[dict]:
    rows = session.execute(BULK_STATUS, {
        "record_ids": record_ids, "status": status, "organization_id": organization_id,
        "actor_id": actor_id, "request_id": request_id,
        "correlation_id": correlation_id}).mappings()
    return [dict(r) for r in rows]


# --- deleted records (REC-9) ----------------------------------------------------------------

def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def deleted_records(session: Session, organization_id: str, q: str | None, *,
                    offset: int, limit: int) -> list[dict]:
    """The agency's deleted records, most recently deleted first; ``q`` narrows by a part of
    the name, case number, e-mail or phone digits."""
    statement = (select(*RECORD_COLUMNS, records.c.deleted_at, records.c.deleted_by)
                 .where(records.c.organization_id == organization_id,
                        records.c.deleted_at.is_not(None)))
    if q:
        statement = statement.where(records.c.search_text.like(_like(q)))
    rows = session.execute(statement.order_by(records.c.deleted_at.desc(), records.c.id)
                           .limit(limit + 1).offset(offset)).mappings()
    return [dict(r) for r in rows]


# --- export ---------------------------------------------------------------------------------

FILTERS = ("status", "kind", "client_type_id", "group_id", "navigator_id")


def export_page(session: Session, organization_id: str, filters: dict, limit: int,
                cursor: str | None) -> tuple[list[dict], str | None]:
    """The agency's live records with the filters, by (created_at, id): every one of them,
    page by page, however many (no ``q``: a ``q`` export pages through the search)."""
    present = tuple(name for name in FILTERS if filters.get(name))
    params = {"organization_id": organization_id, **{name: filters[name] for name in present}}
    statement = select(*RECORD_COLUMNS).where(*_conditions(present))
    position = cursors.decode(cursor, expect="k")
    if position is not None:
        try:
            created_at, record_id = datetime.fromisoformat(position[0]), position[1]
            after = tuple_(literal(created_at, DateTime(timezone=True)),
                           literal(record_id, Uuid))
        except (TypeError, ValueError, IndexError, KeyError):
            raise cursors.invalid() from None
        statement = statement.where(tuple_(records.c.created_at, records.c.id) > after)
    rows = session.execute(statement.order_by(records.c.created_at, records.c.id)
                           .limit(limit + 1), params).mappings().all()
    items = [dict(r) for r in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = cursors.encode({"k": [last["created_at"].isoformat(), str(last["id"])]})
    return items, next_cursor


EXPORT_AUDIT = text("""
INSERT INTO records.audit_entries (organization_id, record_id, actor_id, action, changes,
                                   request_id)
SELECT CAST(:organization_id AS uuid), r, CAST(:actor_id AS uuid), 'record_exported',
       CAST(:changes AS jsonb), CAST(:request_id AS varchar)
FROM unnest(CAST(:record_ids AS uuid[])) AS r
""")


def audit_export(session: Session, organization_id: str, record_ids: list[str], actor_id,
                 request_id, changes: str) -> None:
    """A read of every exported record: one audit row each, in one statement."""
    if record_ids:
        session.execute(EXPORT_AUDIT, {
            "organization_id": organization_id, "record_ids": record_ids, "actor_id": actor_id,
            "request_id": request_id, "changes": changes})



# --- CSV import -----------------------------------------------------------------------------

# The agency's records (deleted ones too: they can be restored, and keep their case numbers)
# that an import batch would duplicate: same case number (any case), same row key, or same
# name and date of birth. Each part is served by its own index.
IMPORT_DUPLICATES = text("""
SELECT r.id, lower(r.case_number) AS case_number, r.import_key, lower(r.first_name) AS first_name,
       lower(r.last_name) AS last_name, r.date_of_birth, r.deleted_at IS NOT NULL AS deleted
FROM records.records r
WHERE r.organization_id = CAST(:organization_id AS uuid)
  AND lower(r.case_number) = ANY(CAST(:case_numbers AS text[]))
UNION ALL
SELECT r.id, lower(r.case_number), r.import_key, lower(r.first_name), lower(r.last_name),
       r.date_of_birth, r.deleted_at IS NOT NULL
FROM records.records r
WHERE r.organization_id = CAST(:organization_id AS uuid)
  AND r.import_key = ANY(CAST(:keys AS text[]))
UNION ALL
SELECT r.id, lower(r.case_number), r.import_key, lower(r.first_name), lower(r.last_name),
       r.date_of_birth, r.deleted_at IS NOT NULL
FROM records.records r
JOIN unnest(CAST(:first_names AS text[]), CAST(:last_names AS text[]),
            CAST(:births AS date[])) AS p(first_name, last_name, date_of_birth)
  ON r.date_of_birth = p.date_of_birth AND lower(r.first_name) = p.first_name
 AND lower(r.last_name) = p.last_name
WHERE r.organization_id = CAST(:organization_id AS uuid) AND r.date_of_birth IS NOT NULL
""")


def import_duplicates(session: Session, organization_id: str, case_numbers: list[str],
                      keys: list[str], people: list[tuple]) -> list[dict]:
    rows = session.execute(IMPORT_DUPLICATES, {
        "organization_id": organization_id, "case_numbers": case_numbers, "keys": keys,
        "first_names": [p[0] for p in people], "last_names": [p[1] for p in people],
        "births": [p[2] for p in people]}).mappings()
    return [dict(r) for r in rows]


ALLOCATE_SEQUENCES = text("""
INSERT INTO records.case_number_counters (organization_id, last_value)
VALUES (CAST(:organization_id AS uuid), :count)
ON CONFLICT (organization_id) DO UPDATE
SET last_value = records.case_number_counters.last_value + EXCLUDED.last_value
RETURNING last_value
""")


def allocate_sequences(session: Session, organization_id: str, count: int) -> range:
    """``count`` consecutive numbers of the agency's case-number counter (locks it)."""
    last = session.execute(ALLOCATE_SEQUENCES, {"organization_id": organization_id,
                                                "count": count}).scalar_one()
    return range(last - count + 1, last + 1)


def case_numbers_taken(session: Session, organization_id: str, numbers: list[str]) -> set[str]:
    """Those of ``numbers`` the agency holds already, in any letter case: compared lower-cased,
    as the unique index (organization_id, lower(case_number)) compares them and so finds them
    (the plain column compared read every record of the agency: each batch of a 100,000-row
    import took a second more per 100,000 records already there)."""
    lowered = {number.lower(): number for number in numbers}
    rows = session.execute(select(func.lower(records.c.case_number)).where(
        records.c.organization_id == organization_id,
        func.lower(records.c.case_number).in_(list(lowered))))
    return {lowered[r[0]] for r in rows}


# One statement per batch: the rows (as one JSON parameter) become records, each with its first
# status-history row, its record_created audit row and event, as the single-record path writes
# them. A
# row that lost a race for its case number or row key is skipped (ON CONFLICT) and reported.
IMPORT_INSERT = text("""
WITH incoming AS (
    SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS x(
        id uuid, kind varchar, first_name varchar, last_name varchar, email varchar,
        phones jsonb, preferred_contact_methods jsonb, date_of_birth date, case_number varchar,
        client_type_id uuid, status varchar, custom_fields jsonb, search_text text,
        name_text text, sort_name text, import_key varchar)),
made AS (
    INSERT INTO records.records (id, organization_id, kind, first_name, last_name, email, phones,
        preferred_contact_methods, date_of_birth, case_number, client_type_id, status,
        custom_fields, search_text, name_text, sort_name, import_key, created_by)
    SELECT id, CAST(:organization_id AS uuid), kind, first_name, last_name, email, phones,
           preferred_contact_methods, date_of_birth, case_number, client_type_id, status,
           custom_fields, search_text, name_text, sort_name, import_key, CAST(:actor_id AS uuid)
    FROM incoming
    ON CONFLICT DO NOTHING
    RETURNING id, kind, first_name, last_name, case_number, status, client_type_id),
history AS (
    INSERT INTO records.status_history (organization_id, record_id, old_status, new_status,
                                        changed_by)
    SELECT CAST(:organization_id AS uuid), id, NULL, status, CAST(:actor_id AS uuid) FROM made),
audited AS (
    INSERT INTO records.audit_entries
        (organization_id, record_id, actor_id, action, changes, request_id)
    SELECT CAST(:organization_id AS uuid), id, CAST(:actor_id AS uuid), 'record_created',
           jsonb_build_object(
               'kind', jsonb_build_object('old', NULL, 'new', kind),
               'first_name', jsonb_build_object('old', NULL, 'new', first_name),
               'last_name', jsonb_build_object('old', NULL, 'new', last_name),
               'case_number', jsonb_build_object('old', NULL, 'new', case_number),
               'status', jsonb_build_object('old', NULL, 'new', status))
           || CASE WHEN client_type_id IS NULL THEN '{}'::jsonb
                   ELSE jsonb_build_object('client_type_id', jsonb_build_object(
                       'old', NULL, 'new', CAST(client_type_id AS text))) END,
           CAST(:request_id AS varchar)
    FROM made),
events AS (""" + outbox_insert_sql("records", "record_created", """
    SELECT jsonb_build_object('record_id', CAST(id AS text), 'kind', kind, 'status', status,
                              'case_number', case_number) AS data FROM made""") + """)
SELECT id, kind, status, case_number FROM made
""")


def insert_imported(session: Session, organization_id: str, rows: list[dict], actor_id,
                    request_id, correlation_id) -> list[dict]:
    if not rows:
        return []
    found = session.execute(IMPORT_INSERT, {
        "rows": json.dumps(rows, default=str), "organization_id": organization_id,
        "actor_id": actor_id, "request_id": request_id,
        "correlation_id": correlation_id}).mappings()
    return [dict(r) for r in found]


def client_type_activity(session: Session, organization_id: str) -> dict[str, bool]:
    rows = session.execute(select(client_types.c.id, client_types.c.active).where(
        client_types.c.organization_id == organization_id))
    return {str(r.id): r.active for r in rows}
