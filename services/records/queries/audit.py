"""The audit trail (REC-15): one append-only row per staff read and per change of a record, with
who, when, the request id and the changed fields (old -> new). The database refuses UPDATE and
DELETE on it (migration records_0002)."""

from __future__ import annotations

from sqlalchemy import select, text, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from casework.callers import StaffCaller

from ..models import audit_entries


def write(session: Session, caller: StaffCaller | None, organization_id: str, record_id,
          action: str, changes: dict | None = None, request_id: str | None = None,
          call_id: str | None = None) -> None:
    """One audit row. With ``call_id`` (a staff read, whose transaction is ``rerunnable``) the
    row is written once per RPC call however often the call runs (QUALITY S5: one row per read,
    even under redelivery)."""
    statement = pg_insert(audit_entries).values(
        organization_id=organization_id, record_id=record_id,
        actor_id=caller.user_id if caller else None, action=action, changes=changes or {},
        request_id=(caller.request_id if caller else None) or request_id, call_id=call_id,
    )
    if call_id is not None:
        statement = statement.on_conflict_do_nothing(
            index_elements=[audit_entries.c.call_id], index_where=text("call_id IS NOT NULL"))
    session.execute(statement)


def page(session: Session, organization_id: str, record_id: str, *, before, limit: int
         ) -> list[dict]:
    """Newest first, by (at, public_id): a keyset that stays stable while new rows are appended
    and that says nothing but what the page showed (``before``: casework.cursors
    .before_moment)."""
    statement = (select(audit_entries.c.public_id.label("id"), audit_entries.c.action,
                        audit_entries.c.actor_id, audit_entries.c.request_id,
                        audit_entries.c.changes, audit_entries.c.at)
                 .where(audit_entries.c.organization_id == organization_id,
                        audit_entries.c.record_id == record_id)
                 .order_by(audit_entries.c.at.desc(), audit_entries.c.public_id.desc())
                 .limit(limit + 1))
    if before is not None:
        statement = statement.where(
            tuple_(audit_entries.c.at, audit_entries.c.public_id) < tuple_(*before))
    return [dict(r) for r in session.execute(statement).mappings()]
