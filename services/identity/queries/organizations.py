"""Agencies and their settings."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ..models import organizations, roles, staff_users

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


def first_administrator(session: Session, slug: str) -> dict | None:
    """The agency of ``slug`` and its longest-standing active administrator (builtin role)."""
    row = session.execute(
        select(organizations.c.id.label("organization_id"), staff_users.c.id.label("user_id"),
               (staff_users.c.first_name + " " + staff_users.c.last_name).label("name"))
        .join_from(organizations, staff_users,
                   staff_users.c.organization_id == organizations.c.id)
        .join(roles, roles.c.id == staff_users.c.role_id)
        .where(organizations.c.slug == slug, staff_users.c.active.is_(True),
               roles.c.builtin == "administrator")
        .order_by(staff_users.c.created_at, staff_users.c.id).limit(1)
    ).mappings().first()
    return dict(row) if row else None
