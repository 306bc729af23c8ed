"""What a client sees of their own scheduling in the portal: their sessions (upcoming or past),
payments and practitioners. The portal caller's access to the record is checked by records
before any of these runs (``entrypoints/portal.py``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, union
from sqlalchemy.dialects.postgresql import array_agg
from sqlalchemy.orm import Session

from ..models import (
    navigators,
    payments,
    session_clients,
    session_practitioners,
    sessions,
    staff_users,
)


def sessions_of(session: Session, organization_id: str, record_id: str, *, when: str,
                now: datetime, offset: int, limit: int) -> list[dict]:
    """The client's sessions, cancelled ones included: ``upcoming`` (not ended yet) soonest
    first, ``past`` (ended) latest first; each with its practitioners' ids."""
    practitioners_of = (select(array_agg(session_practitioners.c.user_id))
                        .where(session_practitioners.c.session_id == sessions.c.id)
                        .scalar_subquery().label("practitioner_ids"))
    statement = select(sessions.c.id, sessions.c.starts_at, sessions.c.ends_at,
                       sessions.c.title, sessions.c.status, sessions.c.cancelled_at,
                       practitioners_of).where(
        sessions.c.organization_id == organization_id,
        sessions.c.id.in_(select(session_clients.c.session_id).where(
            session_clients.c.organization_id == organization_id,
            session_clients.c.record_id == record_id)))
    if when == "past":
        statement = statement.where(sessions.c.ends_at <= now).order_by(
            sessions.c.starts_at.desc(), sessions.c.id)
    else:
        statement = statement.where(sessions.c.ends_at > now).order_by(
            sessions.c.starts_at, sessions.c.id)
    rows = []
    for row in session.execute(statement.offset(offset).limit(limit + 1)).mappings():
        row = dict(row)
        row["practitioner_ids"] = sorted(str(p) for p in row["practitioner_ids"] or [])
        rows.append(row)
    return rows


def names(session: Session, organization_id: str, user_ids) -> dict[str, str | None]:
    """``{user_id: name}`` of these staff users of the agency (active or not)."""
    if not user_ids:
        return {}
    return {str(user_id): name for user_id, name in session.execute(
        select(staff_users.c.user_id, staff_users.c.name).where(
            staff_users.c.organization_id == organization_id,
            staff_users.c.user_id.in_(list(user_ids))))}


def payments_of(session: Session, organization_id: str, record_id: str, *, offset: int,
                limit: int) -> list[dict]:
    """The client's payments (deleted ones never), newest first."""
    return [dict(r) for r in session.execute(
        select(payments.c.id, payments.c.amount_minor, payments.c.currency, payments.c.paid_on,
               payments.c.method, payments.c.session_id, payments.c.created_at)
        .where(payments.c.organization_id == organization_id,
               payments.c.client_id == record_id, payments.c.deleted_at.is_(None))
        .order_by(payments.c.paid_on.desc(), payments.c.created_at.desc(), payments.c.id)
        .offset(offset).limit(limit + 1)).mappings()]


def practitioners_of(session: Session, organization_id: str, record_id: str) -> list[dict]:
    """The agency's active staff users who are the client's navigators or practitioners of one
    of their scheduled sessions, by name."""
    theirs = union(
        select(navigators.c.user_id.label("user_id")).where(
            navigators.c.organization_id == organization_id,
            navigators.c.record_id == record_id),
        select(session_practitioners.c.user_id.label("user_id"))
        .join(session_clients, session_clients.c.session_id == session_practitioners.c.session_id)
        .where(session_clients.c.organization_id == organization_id,
               session_clients.c.record_id == record_id,
               session_practitioners.c.scheduled.is_(True))).subquery()
    return [dict(r) for r in session.execute(
        select(staff_users.c.user_id.label("id"), staff_users.c.name, staff_users.c.email)
        .where(staff_users.c.organization_id == organization_id,
               staff_users.c.active.is_(True),
               staff_users.c.user_id.in_(select(theirs.c.user_id)))
        .order_by(staff_users.c.name, staff_users.c.user_id)).mappings()]
