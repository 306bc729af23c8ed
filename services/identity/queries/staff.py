"""Staff users of an agency, with their role, and the staff side of login."""

from __future__ import annotations

from sqlalchemy import func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ..domain import Permission
from ..models import organizations, roles, staff_users

USERS_WITH_ROLES = staff_users.join(roles, roles.c.id == staff_users.c.role_id)

USER_COLUMNS = [
    staff_users.c.id, staff_users.c.organization_id, staff_users.c.email,
    staff_users.c.first_name, staff_users.c.last_name,
    staff_users.c.role_id, roles.c.name.label("role_name"), roles.c.permissions,
    staff_users.c.active, staff_users.c.allow_client_initiated_contact,
    staff_users.c.created_at, staff_users.c.updated_at,
]


def list_users(session: Session, organization_id: str, limit: int, offset: int) -> list[dict]:
    rows = session.execute(
        select(*USER_COLUMNS).select_from(USERS_WITH_ROLES)
        .where(staff_users.c.organization_id == organization_id)
        .order_by(staff_users.c.last_name, staff_users.c.first_name, staff_users.c.id)
        .limit(limit + 1).offset(offset)
    ).mappings().all()
    return [dict(r) for r in rows]


def get_user(session: Session, organization_id: str, user_id: str) -> dict | None:
    row = session.execute(
        select(*USER_COLUMNS, staff_users.c.password_hash).select_from(USERS_WITH_ROLES)
        .where(staff_users.c.id == user_id, staff_users.c.organization_id == organization_id)
    ).mappings().first()
    return dict(row) if row else None


def email_taken(session: Session, organization_id: str, email: str,
                except_id: str | None = None) -> bool:
    conditions = [staff_users.c.organization_id == organization_id, staff_users.c.email == email]
    if except_id:
        conditions.append(staff_users.c.id != except_id)
    return session.execute(select(literal(1)).where(*conditions)).first() is not None


def insert_user(session: Session, values: dict) -> bool:
    """False when the e-mail is already a user of the agency (the unique constraint decides)."""
    return session.execute(
        pg_insert(staff_users).values(**values)
        .on_conflict_do_nothing(constraint="uq_staff_users_org_email")
        .returning(staff_users.c.id)
    ).first() is not None


def update_user(session: Session, organization_id: str, user_id: str, values: dict) -> None:
    session.execute(update(staff_users).where(staff_users.c.id == user_id,
                                              staff_users.c.organization_id == organization_id)
                    .values(**values, updated_at=func.now()))


def active_administrators(session: Session, organization_id: str) -> int:
    return session.execute(
        select(func.count()).select_from(USERS_WITH_ROLES)
        .where(staff_users.c.organization_id == organization_id, staff_users.c.active.is_(True),
               roles.c.permissions.contains([Permission.AGENCY_ADMIN.value]))
    ).scalar_one()


def login_candidate(session: Session, slug: str, email: str) -> dict | None:
    row = session.execute(
        select(staff_users.c.id, staff_users.c.organization_id, staff_users.c.active,
               staff_users.c.password_hash)
        .join(organizations, organizations.c.id == staff_users.c.organization_id)
        .where(organizations.c.slug == slug, staff_users.c.email == email)
    ).mappings().first()
    return dict(row) if row else None


def set_password_hash(session: Session, user_id: str, password_hash: str) -> None:
    session.execute(update(staff_users).where(staff_users.c.id == user_id)
                    .values(password_hash=password_hash))
