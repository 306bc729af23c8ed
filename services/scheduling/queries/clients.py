"""What scheduling knows of the rest of the agency, kept from events: its records (clients and
their status), their navigators, its staff users (the practitioners) and its time zone."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ..models import clients, navigators, organizations, staff_users


def remember_client(session: Session, organization_id, record_id, *, kind: str,
                    status: str, changed_at=None) -> None:
    """Keep a record that sessions may be booked for; a record already known stays as it is
    (a status change may have arrived first)."""
    session.execute(
        pg_insert(clients).values(record_id=record_id, organization_id=organization_id,
                                  kind=kind, status=status, changed_at=changed_at)
        .on_conflict_do_nothing())


def change_status(session: Session, organization_id, record_id, *, kind: str, status: str,
                  changed_at) -> None:
    """The record's new status, unless a later change was applied already (events may arrive
    out of order); a record not known yet is remembered with it."""
    statement = pg_insert(clients).values(record_id=record_id, organization_id=organization_id,
                                          kind=kind, status=status, changed_at=changed_at)
    session.execute(statement.on_conflict_do_update(
        index_elements=[clients.c.record_id],
        set_={"status": status, "changed_at": changed_at, "updated_at": func.now()},
        where=((clients.c.changed_at.is_(None)) | (clients.c.changed_at <= changed_at))
        & (clients.c.organization_id == organization_id)))


def mark_deleted(session: Session, organization_id, record_id, *, kind: str,
                 deleted: bool) -> None:
    statement = pg_insert(clients).values(record_id=record_id, organization_id=organization_id,
                                          kind=kind, status="active", deleted=deleted)
    session.execute(statement.on_conflict_do_update(
        index_elements=[clients.c.record_id], set_={"deleted": deleted},
        where=clients.c.organization_id == organization_id))


def live_clients(session: Session, organization_id: str, record_ids) -> dict[str, dict]:
    """The agency's live (not deleted) records among ``record_ids``, by id."""
    rows = session.execute(select(clients.c.record_id, clients.c.kind, clients.c.status).where(
        clients.c.organization_id == organization_id, clients.c.record_id.in_(list(record_ids)),
        clients.c.deleted.is_(False))).mappings()
    return {str(r["record_id"]): dict(r) for r in rows}


def assign_navigator(session: Session, organization_id, record_id, user_id) -> None:
    session.execute(pg_insert(navigators).values(
        organization_id=organization_id, record_id=record_id, user_id=user_id)
        .on_conflict_do_nothing())


def unassign_navigator(session: Session, organization_id, record_id, user_id) -> None:
    session.execute(delete(navigators).where(
        navigators.c.organization_id == organization_id, navigators.c.record_id == record_id,
        navigators.c.user_id == user_id))


def assigned_to(session: Session, organization_id: str, user_id: str, record_ids) -> set[str]:
    """Which of ``record_ids`` the user is a navigator of."""
    rows = session.execute(select(navigators.c.record_id).where(
        navigators.c.organization_id == organization_id, navigators.c.user_id == user_id,
        navigators.c.record_id.in_(list(record_ids)))).scalars()
    return {str(r) for r in rows}


def remember_staff_user(session: Session, organization_id, user: dict, changed_at) -> None:
    """Insert or update the user; an older event than what is held changes nothing."""
    values = {"user_id": user["user_id"], "organization_id": organization_id,
              "name": user.get("name"), "email": user.get("email"), "active": user["active"],
              "changed_at": changed_at}
    statement = pg_insert(staff_users).values(**values)
    session.execute(statement.on_conflict_do_update(
        index_elements=[staff_users.c.user_id],
        set_={k: statement.excluded[k] for k in values if k != "user_id"},
        where=(staff_users.c.changed_at <= statement.excluded.changed_at)
        & (staff_users.c.organization_id == statement.excluded.organization_id)))


def staff_user(session: Session, organization_id: str, user_id: str) -> dict | None:
    row = session.execute(select(staff_users).where(
        staff_users.c.organization_id == organization_id,
        staff_users.c.user_id == user_id)).mappings().first()
    return dict(row) if row else None


def active_staff(session: Session, organization_id: str, user_ids=None) -> dict[str, dict]:
    """The agency's active staff users (its practitioners), all or among ``user_ids``."""
    statement = select(staff_users.c.user_id, staff_users.c.name).where(
        staff_users.c.organization_id == organization_id, staff_users.c.active.is_(True))
    if user_ids is not None:
        statement = statement.where(staff_users.c.user_id.in_(list(user_ids)))
    return {str(r["user_id"]): dict(r) for r in session.execute(statement).mappings()}


def remember_timezone(session: Session, organization_id, timezone: str, changed_at) -> None:
    statement = pg_insert(organizations).values(organization_id=organization_id,
                                                timezone=timezone, changed_at=changed_at)
    session.execute(statement.on_conflict_do_update(
        index_elements=[organizations.c.organization_id],
        set_={"timezone": timezone, "changed_at": changed_at},
        where=organizations.c.changed_at <= changed_at))


def timezone_of(session: Session, organization_id: str) -> str:
    """The agency's time zone; UTC until identity's event about the agency has arrived."""
    found = session.execute(select(organizations.c.timezone).where(
        organizations.c.organization_id == organization_id)).scalar()
    return found or "UTC"


