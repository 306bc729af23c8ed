"""Groups and their members (REC-7): persistence. Bulk changes are set-based: one statement
for all the records of a call, whatever their number (QUALITY P5)."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.errors import DuplicateName

from ..models import group_members, groups, records

GROUP_COLUMNS = [groups.c.id, groups.c.name, groups.c.description, groups.c.created_at]


def _member_count():
    """Live members only: a deleted record stays in its groups (a restore brings it back as it
    was) but is counted nowhere (REC-10)."""
    return (select(func.count()).select_from(group_members)
            .join(records, records.c.id == group_members.c.record_id)
            .where(group_members.c.group_id == groups.c.id, records.c.deleted_at.is_(None))
            .scalar_subquery().label("member_count"))


def list_groups(session: Session, organization_id: str, *, offset: int,
                limit: int) -> list[dict]:
    rows = session.execute(
        select(*GROUP_COLUMNS, _member_count()).where(groups.c.organization_id == organization_id)
        .order_by(groups.c.name, groups.c.id).limit(limit + 1).offset(offset)).mappings()
    return [dict(r) for r in rows]


def get_group(session: Session, organization_id: str, group_id: str) -> dict | None:
    row = session.execute(select(*GROUP_COLUMNS, _member_count()).where(
        groups.c.id == group_id, groups.c.organization_id == organization_id)).mappings().first()
    return dict(row) if row else None


def lock_group(session: Session, organization_id: str, group_id: str) -> dict | None:
    """The group's id and name, share-locked: it cannot be deleted under a membership change,
    while other membership changes of the same group still run."""
    row = session.execute(select(groups.c.id, groups.c.name).where(
        groups.c.id == group_id, groups.c.organization_id == organization_id
    ).with_for_update(read=True)).mappings().first()
    return dict(row) if row else None


def _duplicate(name) -> DuplicateName:
    return DuplicateName(f"a group named {name!r} already exists in this agency",
                         {"name": ["already in use"]})


def create_group(session: Session, organization_id: str, values: dict) -> None:
    try:
        with session.begin_nested():
            session.execute(insert(groups).values(organization_id=organization_id, **values))
    except IntegrityError:
        raise _duplicate(values["name"]) from None


def change_group(session: Session, organization_id: str, group_id: str, values: dict) -> None:
    try:
        with session.begin_nested():
            session.execute(update(groups).where(
                groups.c.id == group_id, groups.c.organization_id == organization_id
            ).values(**values))
    except IntegrityError:
        raise _duplicate(values.get("name")) from None


def delete_group(session: Session, organization_id: str, group_id: str, actor_id,
                 request_id) -> None:
    """The group goes; each member's record keeps an audit row of leaving it (set-based)."""
    session.execute(text("""
        WITH gone AS (
            DELETE FROM records.group_members
            WHERE group_id = CAST(:group_id AS uuid)
              AND organization_id = CAST(:organization_id AS uuid)
            RETURNING record_id)
        INSERT INTO records.audit_entries
            (organization_id, record_id, actor_id, action, changes, request_id)
        SELECT CAST(:organization_id AS uuid), record_id, CAST(:actor_id AS uuid), 'group_removed',
               jsonb_build_object('groups', jsonb_build_object(
                   'old', jsonb_build_object('id', CAST(:group_id AS text), 'name', g.name),
                   'new', NULL)),
               CAST(:request_id AS varchar)
        FROM gone, records.groups g WHERE g.id = CAST(:group_id AS uuid)
    """), {"group_id": group_id, "organization_id": organization_id, "actor_id": actor_id,
         "request_id": request_id})
    session.execute(delete(groups).where(groups.c.id == group_id,
                                         groups.c.organization_id == organization_id))


def add_member(session: Session, organization_id: str, group_id: str, record_id: str,
               actor_id) -> bool:
    """True when the record joined, False when it was a member already."""
    return session.execute(pg_insert(group_members).values(
        group_id=group_id, record_id=record_id, organization_id=organization_id,
        added_by=actor_id).on_conflict_do_nothing().returning(group_members.c.record_id)
    ).first() is not None


def remove_member(session: Session, organization_id: str, group_id: str, record_id: str) -> bool:
    return session.execute(delete(group_members).where(
        group_members.c.group_id == group_id, group_members.c.record_id == record_id,
        group_members.c.organization_id == organization_id
    ).returning(group_members.c.record_id)).first() is not None


# One statement per direction: the wanted ids (in the caller's order), which of them are live
# records of the agency, the membership change, the audit rows of what changed, and each id's
# outcome. Outcomes: added/removed, unchanged (already_member/not_member), failed (not_found).
_WANTED = """
WITH wanted AS (
    SELECT w.record_id, w.n
    FROM unnest(CAST(:record_ids AS uuid[])) WITH ORDINALITY AS w(record_id, n)),
known AS (
    SELECT r.id FROM records.records r JOIN wanted w ON r.id = w.record_id
    WHERE r.organization_id = CAST(:organization_id AS uuid) AND r.deleted_at IS NULL),
"""
_AUDIT = """
audited AS (
    INSERT INTO records.audit_entries
        (organization_id, record_id, actor_id, action, changes, request_id)
    SELECT CAST(:organization_id AS uuid), record_id, CAST(:actor_id AS uuid),
           CAST(:action AS varchar),
           jsonb_build_object('groups', jsonb_build_object({change})), CAST(:request_id AS varchar)
    FROM changed)
"""
_GROUP_JSON = "jsonb_build_object('id', CAST(:group_id AS text), 'name', CAST(:group_name AS text))"
BULK_ADD = _WANTED + """
changed AS (
    INSERT INTO records.group_members (group_id, record_id, organization_id, added_by)
    SELECT CAST(:group_id AS uuid), id, CAST(:organization_id AS uuid), CAST(:actor_id AS uuid)
    FROM known
    ON CONFLICT DO NOTHING RETURNING record_id),
""" + _AUDIT.format(change=f"'old', NULL, 'new', {_GROUP_JSON}") + """
SELECT w.record_id,
       CASE WHEN c.record_id IS NOT NULL THEN 'added'
            WHEN k.id IS NOT NULL THEN 'unchanged' ELSE 'failed' END AS outcome,
       CASE WHEN c.record_id IS NOT NULL THEN NULL
            WHEN k.id IS NOT NULL THEN 'already_member' ELSE 'not_found' END AS code
FROM wanted w LEFT JOIN known k ON k.id = w.record_id
LEFT JOIN changed c ON c.record_id = w.record_id ORDER BY w.n
"""
BULK_REMOVE = _WANTED + """
changed AS (
    DELETE FROM records.group_members m USING known k
    WHERE m.group_id = CAST(:group_id AS uuid) AND m.record_id = k.id RETURNING m.record_id),
""" + _AUDIT.format(change=f"'old', {_GROUP_JSON}, 'new', NULL") + """
SELECT w.record_id,
       CASE WHEN c.record_id IS NOT NULL THEN 'removed'
            WHEN k.id IS NOT NULL THEN 'unchanged' ELSE 'failed' END AS outcome,
       CASE WHEN c.record_id IS NOT NULL THEN NULL
            WHEN k.id IS NOT NULL THEN 'not_member' ELSE 'not_found' END AS code
FROM wanted w LEFT JOIN known k ON k.id = w.record_id
LEFT JOIN changed c ON c.record_id = w.record_id ORDER BY w.n
"""


def bulk_change(session: Session, sql: str, organization_id: str, group: dict,
                record_ids: list[str], actor_id, request_id, action: str) -> list[dict]:
    if not record_ids:
        return []
    rows = session.execute(text(sql), {
        "record_ids": record_ids, "organization_id": organization_id,
        "group_id": group["id"], "group_name": group["name"], "actor_id": actor_id,
        "request_id": request_id, "action": action,
    }).mappings()
    return [{"record_id": str(r["record_id"]), "outcome": r["outcome"], "code": r["code"]}
            for r in rows]
