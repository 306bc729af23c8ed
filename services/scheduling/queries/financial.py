"""Sessions and payments: the financial information that keeps a record from being deleted."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import payments, session_clients


def financial_links(session: Session, organization_id: str, record_id: str) -> tuple[int, int]:
    """How many sessions the record attends (cancelled ones too: they are its history) and
    how many payments it made (deleted payments no longer count), in the agency."""
    in_sessions = select(func.count()).select_from(session_clients).where(
        session_clients.c.organization_id == organization_id,
        session_clients.c.record_id == record_id).scalar_subquery()
    paid = select(func.count()).select_from(payments).where(
        payments.c.organization_id == organization_id,
        payments.c.client_id == record_id,
        payments.c.deleted_at.is_(None)).scalar_subquery()
    sessions, payment_count = session.execute(select(in_sessions, paid)).one()
    return sessions, payment_count
