"""Staff users as identity announces them, and navigator assignment (REC-8): persistence."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ..models import record_navigators, staff_users


def remember_staff_user(session: Session, organization_id: str, user: dict, changed_at) -> None:
    """Insert or update the user; an event older than what we hold changes nothing (events
    may arrive out of order)."""
    values = {**user, "organization_id": organization_id, "changed_at": changed_at}
    statement = pg_insert(staff_users).values(**values)
    session.execute(statement.on_conflict_do_update(
        index_elements=[staff_users.c.user_id],
        set_={name: statement.excluded[name] for name in values if name != "user_id"},
        # a user never moves between agencies: an event claiming so is ignored
        where=(staff_users.c.changed_at <= statement.excluded.changed_at)
        & (staff_users.c.organization_id == statement.excluded.organization_id),
    ))


def staff_user(session: Session, organization_id: str, user_id: str) -> dict | None:
    row = session.execute(select(staff_users).where(
        staff_users.c.user_id == user_id,
        staff_users.c.organization_id == organization_id)).mappings().first()
    return dict(row) if row else None


def assign(session: Session, organization_id: str, record_id: str, user_id: str,
           assigned_by) -> bool:
    """True when the user became a navigator of the record, False if they were one already."""
    return session.execute(pg_insert(record_navigators).values(
        record_id=record_id, user_id=user_id, organization_id=organization_id,
        assigned_by=assigned_by).on_conflict_do_nothing()
        .returning(record_navigators.c.user_id)).first() is not None


def unassign(session: Session, organization_id: str, record_id: str, user_id: str) -> bool:
    return session.execute(delete(record_navigators).where(
        record_navigators.c.record_id == record_id, record_navigators.c.user_id == user_id,
        record_navigators.c.organization_id == organization_id,
    ).returning(record_navigators.c.user_id)).first() is not None
