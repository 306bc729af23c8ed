"""Direct invitations (INV-1 to INV-4)."""

from __future__ import annotations

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from ..models import invitations


def supersede(session: Session, organization_id: str, record_id: str) -> None:
    """Every earlier pending invitation of the record stops working (INV-3)."""
    session.execute(
        update(invitations)
        .where(invitations.c.organization_id == organization_id,
               invitations.c.record_id == record_id, invitations.c.status == "pending")
        .values(status="superseded", token_hash=None))


def insert_invitation(session: Session, values: dict) -> dict:
    return dict(session.execute(insert(invitations).values(**values).returning(invitations))
                .mappings().one())


def lock_record_invitations(session: Session, record_id: str) -> None:
    """Invitations of one record, one writer at a time (a transaction-scoped advisory lock):
    the earlier invitation is superseded, never two live at once."""
    session.execute(select(func.pg_advisory_xact_lock(func.hashtext(record_id))))


def latest(session: Session, organization_id: str, record_id: str, *,
           lock: bool = False) -> dict | None:
    """The record's latest invitation (locked for this transaction with ``lock``)."""
    statement = (select(invitations)
                 .where(invitations.c.organization_id == organization_id,
                        invitations.c.record_id == record_id)
                 .order_by(invitations.c.created_at.desc(), invitations.c.id).limit(1))
    if lock:
        statement = statement.with_for_update()
    row = session.execute(statement).mappings().first()
    return dict(row) if row else None


def resend(session: Session, invitation_id: str, values: dict) -> dict:
    """A new token (the old one's hash is replaced: its link is dead, INV-3)."""
    return dict(session.execute(
        update(invitations).where(invitations.c.id == invitation_id)
        .values(**values, sends=invitations.c.sends + 1).returning(invitations)
    ).mappings().one())


def by_token(session: Session, digest: str, *, lock: bool = False) -> dict | None:
    statement = select(invitations).where(invitations.c.token_hash == digest)
    if lock:
        statement = statement.with_for_update()
    row = session.execute(statement).mappings().first()
    return dict(row) if row else None


def mark_accepted(session: Session, invitation_id: str, values: dict) -> None:
    session.execute(update(invitations).where(invitations.c.id == invitation_id)
                    .values(**values, status="accepted", token_hash=None))
