"""The audit trail (REC-15): one append-only row per staff read and per change of a record, per
search (the records it returned) and per contact read or change, with who, when, the request id
and the changed fields (old -> new). The database refuses UPDATE and DELETE on it (migration
records_0002). Read back, each row names its actor with their name and role, from the agency's
staff users as identity announces them."""

from __future__ import annotations

from sqlalchemy import cast, or_, select, text, union_all
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from casework import cursors
from casework.callers import StaffCaller

from ..models import audit_entries, staff_users


def write(session: Session, caller: StaffCaller | None, organization_id: str, record_id,
          action: str, changes: dict | None = None, request_id: str | None = None,
          call_id: str | None = None, *, record_ids: list[str] | None = None,
          contact_id: str | None = None) -> None:
    """One audit row. With ``call_id`` (a staff read, whose transaction is ``rerunnable``) the
    row is written once per RPC call however often the call runs (QUALITY S5: one row per read,
    even under redelivery). A search has no ``record_id`` but the ``record_ids`` it returned;
    a contact's read or change has its ``contact_id``."""
    statement = pg_insert(audit_entries).values(
        organization_id=organization_id, record_id=record_id,
        actor_id=caller.user_id if caller else None, action=action, changes=changes or {},
        request_id=(caller.request_id if caller else None) or request_id, call_id=call_id,
        record_ids=record_ids, contact_id=contact_id,
    )
    if call_id is not None:
        statement = statement.on_conflict_do_nothing(
            index_elements=[audit_entries.c.call_id], index_where=text("call_id IS NOT NULL"))
    session.execute(statement)


# what the API calls an entry's id: its random public id (a sequence shared by every agency
# would count the others' actions)
ENTRY_ID = audit_entries.c.public_id
ENTRY_COLUMNS = [
    ENTRY_ID.label("id"), audit_entries.c.action, audit_entries.c.actor_id,
    staff_users.c.name.label("actor_name"), staff_users.c.role.label("actor_role"),
    audit_entries.c.record_id, audit_entries.c.record_ids, audit_entries.c.contact_id,
    audit_entries.c.request_id, audit_entries.c.changes, audit_entries.c.at,
]


def _with_actors(*conditions):
    return (select(*ENTRY_COLUMNS)
            .join_from(audit_entries, staff_users,
                       staff_users.c.user_id == audit_entries.c.actor_id, isouter=True)
            .where(*conditions))


def page(session: Session, organization_id: str, record_id: str, *, before, limit: int
         ) -> list[dict]:
    """Newest first, by (at, public_id): a keyset that stays stable while new rows are appended
    and that says nothing but what the page showed (``before``: casework.cursors
    .before_moment); each entry with who made it by name and role."""
    statement = cursors.newest_first(
        _with_actors(audit_entries.c.organization_id == organization_id,
                     audit_entries.c.record_id == record_id),
        audit_entries.c.at, ENTRY_ID, before, limit)
    return [dict(r) for r in session.execute(statement).mappings()]


def access_page(session: Session, organization_id: str, record_id: str, *, before, limit: int
                ) -> list[dict]:
    """What the client sees of their record's trail (ID-6): every entry a staff member made on
    the record (reads and changes) and every search of theirs that returned it, newest first by
    (at, public_id) (``before``: casework.cursors.before_moment); the client's own changes and
    what no staff member did (the system's, another system's) are not there. Each part is read
    from its own index (the record's trail; the searches' GIN index on ``record_ids``), at most a
    page plus one of each, and the two merged."""
    def part(condition):
        return cursors.newest_first(
            select(ENTRY_ID.label("id"), audit_entries.c.at, audit_entries.c.action,
                   audit_entries.c.actor_id)
            .where(audit_entries.c.organization_id == organization_id, condition,
                   audit_entries.c.actor_id.is_not(None)),
            audit_entries.c.at, ENTRY_ID, before, limit)

    entries = union_all(
        part(audit_entries.c.record_id == record_id),
        part(audit_entries.c.record_ids.contains(
            cast([str(record_id)], ARRAY(audit_entries.c.record_id.type))))).subquery()
    rows = session.execute(
        select(entries.c.id, entries.c.at, entries.c.action,
               staff_users.c.name.label("staff_name"), staff_users.c.role)
        .join_from(entries, staff_users, staff_users.c.user_id == entries.c.actor_id,
                   isouter=True)
        .order_by(entries.c.at.desc(), entries.c.id.desc())
        .limit(limit + 1)).mappings()
    return [dict(r) for r in rows]


def agency_trail(session: Session, organization_id: str, filters: dict, *, limit: int,
                 cursor: str | None) -> tuple[list[dict], str | None]:
    """The agency's whole trail, newest first, by user, record (read alone or among a search's
    records), action and time range (``from`` inclusive, ``to`` exclusive); keyset on
    (at, id)."""
    conditions = [audit_entries.c.organization_id == organization_id]
    if filters.get("user_id"):
        conditions.append(audit_entries.c.actor_id == filters["user_id"])
    if filters.get("record_id"):
        record = filters["record_id"]
        conditions.append(or_(audit_entries.c.record_id == record,
                              audit_entries.c.record_ids.contains(
                                  cast([str(record)], ARRAY(audit_entries.c.record_id.type)))))
    if filters.get("action"):
        conditions.append(audit_entries.c.action == filters["action"])
    if filters.get("from"):
        conditions.append(audit_entries.c.at >= filters["from"])
    if filters.get("to"):
        conditions.append(audit_entries.c.at < filters["to"])
    statement = cursors.newest_first(_with_actors(*conditions), audit_entries.c.at, ENTRY_ID,
                                     cursors.before_moment(cursor), limit)
    rows = [dict(r) for r in session.execute(statement).mappings()]
    return cursors.moment_page(rows, limit, "at")



