"""Portal accounts and the global records they own (ID-4, ID-5), and the portal side of
login."""

from __future__ import annotations

from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ..models import global_record_links, global_records, organizations, portal_accounts


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


def account_by_username(session: Session, username: str) -> dict | None:
    row = session.execute(
        select(portal_accounts.c.id, portal_accounts.c.global_record_id, portal_accounts.c.active,
               portal_accounts.c.password_hash, portal_accounts.c.username)
        .where(portal_accounts.c.username == username)
    ).mappings().first()
    return dict(row) if row else None


def link_record(session: Session, global_record_id: str, organization_id: str,
                record_id: str) -> str:
    """Links the agency record to the global record; an existing link is kept as it is (one
    agency record, one person). Answers the global record the agency record is linked to."""
    session.execute(
        pg_insert(global_record_links).values(
            global_record_id=global_record_id, organization_id=organization_id,
            record_id=record_id)
        .on_conflict_do_nothing(index_elements=[global_record_links.c.organization_id,
                                                global_record_links.c.record_id]))
    return str(session.execute(
        select(global_record_links.c.global_record_id).where(
            global_record_links.c.organization_id == organization_id,
            global_record_links.c.record_id == record_id)).scalar_one())


def linked_records(session: Session, global_record_id: str) -> list[dict]:
    """The agency records linked to the global record, with their agency's portal settings."""
    rows = session.execute(
        select(global_record_links.c.record_id, global_record_links.c.organization_id,
               organizations.c.name.label("organization_name"),
               organizations.c.portal_enabled, organizations.c.portal_features)
        .join(organizations, organizations.c.id == global_record_links.c.organization_id)
        .where(global_record_links.c.global_record_id == global_record_id)
        .order_by(global_record_links.c.created_at, global_record_links.c.record_id)
    ).mappings()
    return [dict(r) for r in rows]


def lock_global_record(session: Session, global_record_id: str) -> dict | None:
    row = session.execute(
        select(global_records).where(global_records.c.id == global_record_id).with_for_update()
    ).mappings().first()
    return dict(row) if row else None


def update_global_record(session: Session, global_record_id: str, values: dict) -> None:
    session.execute(update(global_records).where(global_records.c.id == global_record_id)
                    .values(**values, updated_at=func.now()))


def organization_portal(session: Session, organization_id: str) -> dict | None:
    row = session.execute(
        select(organizations.c.id.label("organization_id"), organizations.c.name,
               organizations.c.portal_enabled, organizations.c.portal_features,
               organizations.c.invitation_ttl_hours)
        .where(organizations.c.id == organization_id)
    ).mappings().first()
    return dict(row) if row else None
