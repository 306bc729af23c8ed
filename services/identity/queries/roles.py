"""Roles of an agency (ID-2)."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, literal, select, update
from sqlalchemy.orm import Session

from ..models import roles, staff_users

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
