"""Scheduling's own view of the records it may book (kept from records.events)."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ..models import clients


def remember_client(session: Session, organization_id, record_id, *, kind: str,
                    status: str) -> None:
    """Keep a record that sessions may be booked for; a record already known stays as it is."""
    session.execute(
        pg_insert(clients).values(record_id=record_id, organization_id=organization_id,
                                  kind=kind, status=status)
        .on_conflict_do_nothing())
