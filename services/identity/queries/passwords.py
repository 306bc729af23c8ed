"""Password changes and reset links (by the SHA-256 of the link's token only, S3)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from ..models import (
    access_tokens,
    global_records,
    organizations,
    password_resets,
    portal_accounts,
    staff_users,
)


def staff_account(session: Session, user_id: str) -> dict | None:
    """A staff user with what its login throttles on (the agency's slug and the e-mail)."""
    row = session.execute(
        select(staff_users.c.id, staff_users.c.email, staff_users.c.active,
               staff_users.c.password_hash, organizations.c.slug)
        .join(organizations, organizations.c.id == staff_users.c.organization_id)
        .where(staff_users.c.id == user_id)
    ).mappings().first()
    return dict(row) if row else None


def portal_account(session: Session, account_id: str) -> dict | None:
    row = session.execute(
        select(portal_accounts.c.id, portal_accounts.c.username, portal_accounts.c.active,
               portal_accounts.c.password_hash)
        .where(portal_accounts.c.id == account_id)
    ).mappings().first()
    return dict(row) if row else None


def staff_for_reset(session: Session, slug: str, email: str) -> dict | None:
    """An active staff user by agency slug and e-mail (its login name)."""
    row = session.execute(
        select(staff_users.c.id, staff_users.c.email, staff_users.c.organization_id)
        .join(organizations, organizations.c.id == staff_users.c.organization_id)
        .where(organizations.c.slug == slug, staff_users.c.email == email,
               staff_users.c.active.is_(True))
    ).mappings().first()
    return dict(row) if row else None


def portal_for_reset(session: Session, username: str) -> dict | None:
    """An active portal account by username, with the e-mail of its global record now (where
    the client reads their mail: the username is the address the account was made with)."""
    row = session.execute(
        select(portal_accounts.c.id, global_records.c.email)
        .join(global_records, global_records.c.id == portal_accounts.c.global_record_id)
        .where(portal_accounts.c.username == username, portal_accounts.c.active.is_(True))
    ).mappings().first()
    return dict(row) if row else None


def _owner(kind: str, owner_id: str):
    return (password_resets.c.user_id if kind == "staff"
            else password_resets.c.account_id) == owner_id


def void_resets(session: Session, kind: str, owner_id: str, now: datetime) -> None:
    """Every unused link of the account stops working (a new request, a change, a reset)."""
    session.execute(update(password_resets)
                    .where(_owner(kind, owner_id), password_resets.c.used_at.is_(None),
                           password_resets.c.voided_at.is_(None))
                    .values(voided_at=now))


def resets_since(session: Session, kind: str, owner_id: str, since: datetime) -> int:
    """How many reset links the account was sent since ``since`` (used, voided or not)."""
    return session.execute(select(func.count()).select_from(password_resets).where(
        _owner(kind, owner_id), password_resets.c.created_at >= since)).scalar_one()


def insert_reset(session: Session, *, digest: str, kind: str, owner_id: str,
                 expires_at: datetime) -> None:
    owner = {"user_id": owner_id} if kind == "staff" else {"account_id": owner_id}
    session.execute(insert(password_resets).values(token_hash=digest, kind=kind,
                                                   expires_at=expires_at, **owner))


def usable_reset(session: Session, digest: str, now: datetime) -> dict | None:
    row = session.execute(
        select(password_resets.c.kind, password_resets.c.user_id, password_resets.c.account_id)
        .where(password_resets.c.token_hash == digest, password_resets.c.used_at.is_(None),
               password_resets.c.voided_at.is_(None), password_resets.c.expires_at > now)
    ).mappings().first()
    return dict(row) if row else None


def use_reset(session: Session, digest: str, now: datetime) -> dict | None:
    """Mark the link used, once: the one caller that gets the row back may set the password."""
    row = session.execute(
        update(password_resets)
        .where(password_resets.c.token_hash == digest, password_resets.c.used_at.is_(None),
               password_resets.c.voided_at.is_(None), password_resets.c.expires_at > now)
        .values(used_at=now)
        .returning(password_resets.c.kind, password_resets.c.user_id,
                   password_resets.c.account_id)
    ).mappings().first()
    return dict(row) if row else None


def revoke_account_tokens(session: Session, kind: str, owner_id: str, now: datetime) -> int:
    """Every live token of the staff user or portal account stops working."""
    column = access_tokens.c.user_id if kind == "staff" else access_tokens.c.account_id
    return session.execute(update(access_tokens)
                           .where(column == owner_id, access_tokens.c.revoked_at.is_(None))
                           .values(revoked_at=now)).rowcount
