"""Transaction-scoped advisory locks: two bookings of one practitioner at once are judged one
after the other, so both cannot pass the ``practitioner_busy`` check."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session


def practitioners(session: Session, organization_id: str, user_ids) -> None:
    for user_id in sorted(set(user_ids)):  # one order everywhere: no deadlock
        session.execute(select(func.pg_advisory_xact_lock(
            func.hashtextextended(f"scheduling:{organization_id}:{user_id}", 0))))
