"""Persistence of records: every query takes the caller's agency and filters on it (ID-1)."""

from __future__ import annotations

import uuid
from functools import lru_cache

from sqlalchemy import Uuid, bindparam, func, insert, literal, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from casework import cursors

from ..domain import IMAGE_PATH
from ..models import case_number_counters, records, staff_users, status_history

# a record as the contract's RecordSchema lists it (search), with what it derives
RECORD_COLUMNS = [
    records.c.id, records.c.kind, records.c.first_name, records.c.last_name,
    (records.c.first_name + " " + records.c.last_name).label("name"), records.c.email,
    records.c.phones, records.c.preferred_contact_methods, records.c.date_of_birth,
    records.c.case_number, records.c.client_type_id, records.c.status, records.c.portal_status,
    records.c.portal_status.is_not(None).label("has_client_account"), records.c.custom_fields,
    records.c.created_at, records.c.updated_at,
]

# The whole record of REC-1 in one statement, as the contract's RecordViewSchema shows it:
# related rows are aggregated with json_agg in lateral subqueries (a fixed number of index
# lookups, never a query per related row), and what the view derives (name, has_client_account,
# image_url, invitation) is computed here too, so the service dumps the row as it comes.
# ``{found}`` is a CTE named ``found`` holding the record row; times in JSON are made ISO UTC.
UTC_ISO = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'"  # what UtcDateTime writes
_IMAGE_PREFIX, _IMAGE_SUFFIX = IMAGE_PATH.split("{}")
VIEW_SQL = """
WITH found AS ({found}){audit}
SELECT r.id, r.kind, r.first_name, r.last_name, r.first_name || ' ' || r.last_name AS name,
       r.email, r.phones, r.preferred_contact_methods, r.date_of_birth, r.case_number,
       r.client_type_id, r.status, r.portal_status,
       r.portal_status IS NOT NULL AS has_client_account, r.custom_fields, r.created_at,
       r.updated_at, ct.client_type, COALESCE(wi.items, '[]'::json) AS warning_indicators,
       COALESCE(gr.items, '[]'::json) AS groups, COALESCE(nav.items, '[]'::json) AS navigators,
       CASE WHEN img.record_id IS NOT NULL
            THEN '""" + _IMAGE_PREFIX + """' || r.id || '""" + _IMAGE_SUFFIX + """' END
           AS image_url,
       json_build_object('sent', r.invitation_sent_at IS NOT NULL,
                         'sent_at', to_char(r.invitation_sent_at AT TIME ZONE 'UTC', """ + \
    UTC_ISO + """),
                         'email', r.invitation_email) AS invitation
FROM found r
LEFT JOIN LATERAL (
    SELECT json_build_object('id', t.id, 'name', t.name, 'active', t.active) AS client_type
    FROM records.client_types t
    WHERE t.id = r.client_type_id AND t.organization_id = r.organization_id) ct ON true
LEFT JOIN LATERAL (
    SELECT json_agg(json_build_object('id', w.id, 'name', w.name, 'colour', w.colour,
                                      'active', w.active) ORDER BY w.name) AS items
    FROM records.record_warning_indicators rw
    JOIN records.warning_indicators w ON w.id = rw.indicator_id
    WHERE rw.record_id = r.id) wi ON true
LEFT JOIN LATERAL (
    SELECT json_agg(json_build_object('id', g.id, 'name', g.name) ORDER BY g.name) AS items
    FROM records.group_members m JOIN records.groups g ON g.id = m.group_id
    WHERE m.record_id = r.id) gr ON true
LEFT JOIN LATERAL (
    SELECT json_agg(json_build_object(
               'user_id', s.user_id, 'name', s.name, 'email', s.email, 'active', s.active,
               'assigned_at', to_char(n.assigned_at AT TIME ZONE 'UTC', """ + UTC_ISO + """))
           ORDER BY s.name, s.user_id) AS items
    FROM records.record_navigators n JOIN records.staff_users s ON s.user_id = n.user_id
    WHERE n.record_id = r.id) nav ON true
LEFT JOIN records.record_images img ON img.record_id = r.id
"""

FOUND_LIVE = ("SELECT * FROM records.records WHERE id = :record_id"
              " AND organization_id = :organization_id AND deleted_at IS NULL")
FOUND_ANY = ("SELECT * FROM records.records WHERE id = :record_id"
             " AND organization_id = :organization_id")
# the read and its audit row in the same statement: one round trip (REC-15, QUALITY P1)
AUDIT_READ = """,
audited AS (
    INSERT INTO records.audit_entries (organization_id, record_id, actor_id, action, request_id,
                                       call_id)
    SELECT organization_id, id, CAST(:actor_id AS uuid), 'record_read',
           CAST(:request_id AS varchar), CAST(:call_id AS varchar) FROM found
    ON CONFLICT (call_id) WHERE call_id IS NOT NULL DO NOTHING)"""


@lru_cache(maxsize=4)
def view_statement(include_deleted: bool, audited: bool):
    """Built once per variant: this is the hot read path (QUALITY P1)."""
    sql = VIEW_SQL.format(found=FOUND_ANY if include_deleted else FOUND_LIVE,
                          audit=AUDIT_READ if audited else "")
    return text(sql).bindparams(bindparam("record_id", type_=Uuid),
                                bindparam("organization_id", type_=Uuid))


def read_view(session: Session, organization_id: str, record_id: str, *,
              audit_actor: tuple | None = None, include_deleted: bool = False) -> dict | None:
    """The record as REC-1 shows it; with ``audit_actor=(user_id, request_id, call_id)`` the
    read is audited in the same statement, once per RPC call however often it runs."""
    statement = view_statement(include_deleted, audit_actor is not None)
    params = {"record_id": record_id, "organization_id": organization_id}
    if audit_actor:
        params["actor_id"], params["request_id"], params["call_id"] = audit_actor
    row = session.execute(statement, params).mappings().first()
    return dict(row) if row else None


def next_case_number_sequence(session: Session, organization_id: str) -> int:
    statement = pg_insert(case_number_counters).values(
        organization_id=organization_id, last_value=1)
    statement = statement.on_conflict_do_update(
        index_elements=[case_number_counters.c.organization_id],
        set_={"last_value": case_number_counters.c.last_value + 1},
    ).returning(case_number_counters.c.last_value)
    return session.execute(statement).scalar_one()


# The first generated number from :start on that no record of the agency has: numbers chosen by
# hand in the generated pattern (or a counter left behind by an import) are skipped in one
# statement, never one query per taken number.
FIRST_FREE_GENERATED_SQL = text("""
SELECT min(n) FROM (
    SELECT CAST(:start AS bigint) AS n
    UNION ALL
    SELECT generated + 1 FROM (
        -- CASE: the cast must never see a number that is not of the pattern
        SELECT CASE WHEN case_number ~* '^C-[0-9]{6,18}$'
                    THEN CAST(substring(case_number FROM 3) AS bigint) END AS generated
        FROM records.records WHERE organization_id = :organization_id) AS numbers
    WHERE generated >= :start
) AS candidates
WHERE NOT EXISTS (
    SELECT 1 FROM records.records
    WHERE organization_id = :organization_id
      -- whatever its letter case: c-000007 takes C-000007 (the unique index is on lower())
      AND lower(case_number)
          = 'c-' || lpad(CAST(n AS text), greatest(6, length(CAST(n AS text))), '0'))
""").bindparams(bindparam("organization_id", type_=Uuid))


def first_free_generated_number(session: Session, organization_id: str, start: int) -> int:
    number = session.execute(FIRST_FREE_GENERATED_SQL,
                             {"organization_id": organization_id, "start": start}).scalar_one()
    session.execute(update(case_number_counters)
                    .where(case_number_counters.c.organization_id == organization_id)
                    .values(last_value=number))
    return number


def case_number_taken(session: Session, organization_id: str, case_number: str) -> bool:
    """Whatever its letter case (``C-1`` is ``c-1``). Deleted records keep their case numbers:
    a restored record must get its own back."""
    return session.execute(
        select(literal(1)).where(records.c.organization_id == organization_id,
                                 func.lower(records.c.case_number) == case_number.lower())
    ).first() is not None


def insert_record(session: Session, values: dict) -> dict:
    return session.execute(
        insert(records).values(**values).returning(*RECORD_COLUMNS)
    ).mappings().one()


def lock_record(session: Session, organization_id: str, record_id: str, *,
                deleted: bool | None = False) -> dict | None:
    """The record's row, locked for this transaction; ``deleted=None`` finds either kind."""
    statement = select(records).where(records.c.id == record_id,
                                      records.c.organization_id == organization_id)
    if deleted is not None:
        statement = statement.where(
            records.c.deleted_at.is_not(None) if deleted else records.c.deleted_at.is_(None))
    row = session.execute(statement.with_for_update()).mappings().first()
    return dict(row) if row else None


def record_exists(session: Session, organization_id: str, record_id: str, *,
                  include_deleted: bool = False) -> bool:
    statement = select(literal(1)).where(records.c.id == record_id,
                                         records.c.organization_id == organization_id)
    if not include_deleted:
        statement = statement.where(records.c.deleted_at.is_(None))
    return session.execute(statement).first() is not None


def find_live_record(session: Session, organization_id: str, record_id: str | None,
                     case_number: str | None) -> dict | None:
    """The agency's live record with this id and/or case number (both must match if given)."""
    statement = select(records.c.id, records.c.portal_status).where(
        records.c.organization_id == organization_id, records.c.deleted_at.is_(None))
    if record_id:
        statement = statement.where(records.c.id == record_id)
    if case_number:
        statement = statement.where(
            func.lower(records.c.case_number) == case_number.lower())
    row = session.execute(statement).mappings().first()
    return dict(row) if row else None


def update_record(session: Session, organization_id: str, record_id: str, values: dict) -> None:
    session.execute(
        update(records)
        .where(records.c.id == record_id, records.c.organization_id == organization_id)
        .values(**values, updated_at=func.now())
    )


def add_status_change(session: Session, organization_id: str, record_id: str, old: str | None,
                      new: str, changed_by: str | None) -> None:
    session.execute(insert(status_history).values(
        organization_id=organization_id, record_id=record_id, old_status=old, new_status=new,
        changed_by=changed_by))


def status_changes(session: Session, organization_id: str, record_id: str, *, before,
                   limit: int) -> list[dict]:
    """Newest first, by (changed_at, public_id) (``before``: casework.cursors.before_moment)."""
    statement = cursors.newest_first(
        select(status_history.c.public_id.label("id"), status_history.c.old_status,
               status_history.c.new_status, status_history.c.changed_by,
               staff_users.c.name.label("changed_by_name"),
               staff_users.c.role.label("changed_by_role"), status_history.c.changed_at)
        .join_from(status_history, staff_users,
                   staff_users.c.user_id == status_history.c.changed_by, isouter=True)
        .where(status_history.c.organization_id == organization_id,
               status_history.c.record_id == record_id),
        status_history.c.changed_at, status_history.c.public_id, before, limit)
    return [dict(r) for r in session.execute(statement).mappings()]


def new_id() -> str:
    return str(uuid.uuid4())
