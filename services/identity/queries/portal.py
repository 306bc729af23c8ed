"""Portal accounts and the global records they own (ID-4, ID-5), and the portal side of
login."""

from __future__ import annotations

from sqlalchemy import insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ..models import global_records, portal_accounts


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


def login_candidate(session: Session, username: str) -> dict | None:
    row = session.execute(
        select(portal_accounts.c.id, portal_accounts.c.global_record_id, portal_accounts.c.active,
               portal_accounts.c.password_hash)
        .where(portal_accounts.c.username == username)
    ).mappings().first()
    return dict(row) if row else None


def set_password_hash(session: Session, account_id: str, password_hash: str) -> None:
    session.execute(update(portal_accounts).where(portal_accounts.c.id == account_id)
                    .values(password_hash=password_hash))
