"""Weekly availability of clients and practitioners (SCH-1), one row per person."""

from __future__ import annotations

from sqlalchemy import and_, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ..models import availability, clients, staff_users


def get(session: Session, organization_id: str, owner_kind: str, owner_id: str) -> dict | None:
    row = session.execute(select(availability.c.weekly, availability.c.updated_at).where(
        availability.c.organization_id == organization_id,
        availability.c.owner_kind == owner_kind,
        availability.c.owner_id == owner_id)).mappings().first()
    return dict(row) if row else None


def put(session: Session, organization_id: str, owner_kind: str, owner_id: str, weekly: dict,
        updated_by: str | None) -> dict:
    statement = pg_insert(availability).values(
        organization_id=organization_id, owner_kind=owner_kind, owner_id=owner_id,
        weekly=weekly, updated_by=updated_by)
    row = session.execute(statement.on_conflict_do_update(
        constraint="pk_availability",
        set_={"weekly": weekly, "updated_by": updated_by, "updated_at": func.now()},
        where=availability.c.organization_id == organization_id,
    ).returning(availability.c.weekly, availability.c.updated_at)).mappings().first()
    return dict(row)


def of_many(session: Session, organization_id: str, owner_kind: str, owner_ids) -> dict[str, dict]:
    """``{owner_id: weekly}`` of those among ``owner_ids`` who have any."""
    rows = session.execute(select(availability.c.owner_id, availability.c.weekly).where(
        availability.c.organization_id == organization_id,
        availability.c.owner_kind == owner_kind,
        availability.c.owner_id.in_(list(owner_ids))))
    return {str(owner): weekly for owner, weekly in rows}


def of_active_practitioners(session: Session, organization_id: str) -> dict[str, tuple]:
    """``{user_id: (name, weekly)}`` of the agency's active staff users with availability."""
    rows = session.execute(
        select(staff_users.c.user_id, staff_users.c.name, availability.c.weekly)
        .join(availability, and_(availability.c.owner_id == staff_users.c.user_id,
                                 availability.c.owner_kind == "practitioner",
                                 availability.c.organization_id == organization_id))
        .where(staff_users.c.organization_id == organization_id,
               staff_users.c.active.is_(True)))
    return {str(user_id): (name, weekly) for user_id, name, weekly in rows}


def of_bookable_clients(session: Session, organization_id: str) -> list[dict]:
    """Weekly availability of the agency's live clients that may be booked (not inactive)."""
    return list(session.execute(
        select(availability.c.weekly)
        .join(clients, and_(clients.c.record_id == availability.c.owner_id,
                            clients.c.organization_id == organization_id))
        .where(availability.c.organization_id == organization_id,
               availability.c.owner_kind == "client", clients.c.deleted.is_(False),
               clients.c.kind == "client", clients.c.status != "inactive")).scalars())
