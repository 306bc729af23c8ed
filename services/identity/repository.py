"""Persistence of identity: every staff query takes the caller's agency and filters on it (ID-1)."""

from __future__ import annotations

import base64
import json
import uuid

from sqlalchemy import delete, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from .domain import Permission
from .models import (
    global_records,
    organizations,
    portal_accounts,
    roles,
    staff_users,
)


def new_id() -> str:
    return str(uuid.uuid4())


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    """The offset a cursor stands for, or -1 when it is not one we gave out."""
    if not cursor:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(cursor.encode()))["o"]
    except (ValueError, KeyError, TypeError):
        return -1
    return offset if isinstance(offset, int) and offset >= 0 else -1


def page(rows, limit: int, offset: int, dump) -> dict:
    more = len(rows) > limit
    return {"items": dump(rows[:limit]),
            "next_cursor": encode_cursor(offset + limit) if more else None}


# --- organisations ---------------------------------------------------------------------------

SETTINGS_COLUMNS = [
    organizations.c.name, organizations.c.slug, organizations.c.portal_enabled,
    organizations.c.portal_features, organizations.c.disable_notifications_for_closed_records,
    organizations.c.invitation_ttl_hours, organizations.c.timezone, organizations.c.sender_name,
    organizations.c.welcome_template,
]


def insert_organization(session: Session, values: dict) -> bool:
    """False when the slug is taken (the unique index decides, so concurrent creations agree)."""
    created = session.execute(
        pg_insert(organizations).values(**values)
        .on_conflict_do_nothing(index_elements=[organizations.c.slug])
        .returning(organizations.c.id)
    ).first()
    return created is not None


def lock_organization(session: Session, organization_id: str) -> bool:
    """Serialises the changes that could leave an agency without an administrator."""
    return session.execute(
        select(organizations.c.id).where(organizations.c.id == organization_id).with_for_update()
    ).first() is not None


def get_settings(session: Session, organization_id: str) -> dict | None:
    row = session.execute(
        select(*SETTINGS_COLUMNS).where(organizations.c.id == organization_id)
    ).mappings().first()
    return dict(row) if row else None


def update_settings(session: Session, organization_id: str, values: dict) -> dict | None:
    row = session.execute(
        update(organizations).where(organizations.c.id == organization_id)
        .values(**values, updated_at=func.now()).returning(*SETTINGS_COLUMNS)
    ).mappings().first()
    return dict(row) if row else None


USERS_WITH_ROLES = staff_users.join(roles, roles.c.id == staff_users.c.role_id)


# --- roles -----------------------------------------------------------------------------------

ROLE_COLUMNS = [roles.c.id, roles.c.name, roles.c.permissions, roles.c.builtin,
                roles.c.created_at, roles.c.updated_at]


def _users_per_role():
    return (select(staff_users.c.role_id, func.count().label("users"))
            .group_by(staff_users.c.role_id).subquery())


def list_roles(session: Session, organization_id: str, limit: int, offset: int) -> list[dict]:
    counts = _users_per_role()
    rows = session.execute(
        select(*ROLE_COLUMNS, func.coalesce(counts.c.users, 0).label("users"))
        .outerjoin(counts, counts.c.role_id == roles.c.id)
        .where(roles.c.organization_id == organization_id)
        # the starting roles first (administrator, staff), then the agency's own by age
        .order_by(roles.c.builtin.is_(None), roles.c.builtin, roles.c.created_at, roles.c.id)
        .limit(limit + 1).offset(offset)
    ).mappings().all()
    return [dict(r) for r in rows]


def get_role(session: Session, organization_id: str, role_id: str,
             for_update: bool = False) -> dict | None:
    statement = select(*ROLE_COLUMNS).where(roles.c.id == role_id,
                                            roles.c.organization_id == organization_id)
    if for_update:
        statement = statement.with_for_update()
    row = session.execute(statement).mappings().first()
    return dict(row) if row else None


def builtin_role_id(session: Session, organization_id: str, builtin: str) -> str | None:
    return session.execute(
        select(roles.c.id).where(roles.c.organization_id == organization_id,
                                 roles.c.builtin == builtin)
    ).scalar()


def role_name_taken(session: Session, organization_id: str, name: str,
                    except_id: str | None = None) -> bool:
    conditions = [roles.c.organization_id == organization_id,
                  func.lower(roles.c.name) == name.strip().lower()]
    if except_id:
        conditions.append(roles.c.id != except_id)
    return session.execute(select(literal(1)).where(*conditions)).first() is not None


def insert_roles(session: Session, rows: list[dict]) -> None:
    session.execute(insert(roles), rows)


def update_role(session: Session, organization_id: str, role_id: str, values: dict) -> None:
    session.execute(update(roles).where(roles.c.id == role_id,
                                        roles.c.organization_id == organization_id)
                    .values(**values, updated_at=func.now()))


def delete_role(session: Session, organization_id: str, role_id: str) -> None:
    session.execute(delete(roles).where(roles.c.id == role_id,
                                        roles.c.organization_id == organization_id))


def users_with_role(session: Session, organization_id: str, role_id: str) -> int:
    return session.execute(
        select(func.count()).select_from(staff_users)
        .where(staff_users.c.organization_id == organization_id,
               staff_users.c.role_id == role_id)
    ).scalar_one()


def active_administrators(session: Session, organization_id: str) -> int:
    return session.execute(
        select(func.count()).select_from(USERS_WITH_ROLES)
        .where(staff_users.c.organization_id == organization_id, staff_users.c.active.is_(True),
               roles.c.permissions.contains([Permission.AGENCY_ADMIN.value]))
    ).scalar_one()


# --- staff users -----------------------------------------------------------------------------

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


# --- portal accounts and global records ------------------------------------------------------

def username_taken(session: Session, username: str) -> bool:
    return session.execute(
        select(literal(1)).where(portal_accounts.c.username == username)).first() is not None


def insert_global_record(session: Session, values: dict) -> None:
    session.execute(insert(global_records).values(**values))


def insert_portal_account(session: Session, values: dict) -> bool:
    """False when the username exists (one person, one account: ID-5, INV-4)."""
    return session.execute(
        pg_insert(portal_accounts).values(**values)
        .on_conflict_do_nothing(index_elements=[portal_accounts.c.username])
        .returning(portal_accounts.c.id)
    ).first() is not None


def get_portal_profile(session: Session, account_id: str) -> dict | None:
    row = session.execute(
        select(portal_accounts.c.id.label("account_id"), portal_accounts.c.username,
               global_records.c.id, global_records.c.first_name, global_records.c.last_name,
               global_records.c.email, global_records.c.phones,
               global_records.c.preferred_contact_methods, global_records.c.version,
               global_records.c.updated_at)
        .join(global_records, global_records.c.id == portal_accounts.c.global_record_id)
        .where(portal_accounts.c.id == account_id, portal_accounts.c.active.is_(True))
    ).mappings().first()
    return dict(row) if row else None
