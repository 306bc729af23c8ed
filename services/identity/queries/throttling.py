"""The login failure counters every identity instance shares (ID-3; QUALITY S2)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ..domain import FAILURE_MEMORY_SECONDS, ThrottlePolicy
from ..models import login_failures


def locked_until(session: Session, keys: list[tuple[str, str]], now: datetime):
    """The latest lock among ``keys`` ((scope, key) pairs) still in force, or None."""
    return session.execute(
        select(func.max(login_failures.c.locked_until))
        .where(func.row(login_failures.c.scope, login_failures.c.key).in_(keys),
               login_failures.c.locked_until > now)
    ).scalar()


def record_failure(session: Session, scope: str, key: str, now: datetime,
                   policy: ThrottlePolicy) -> int:
    """Count a failed login for (scope, key); lock it once the limit is reached (ID-3)."""
    forget_before = now - timedelta(seconds=FAILURE_MEMORY_SECONDS)
    statement = pg_insert(login_failures).values(scope=scope, key=key, failures=1,
                                                 last_failure_at=now)
    failures = session.execute(
        statement.on_conflict_do_update(
            index_elements=[login_failures.c.scope, login_failures.c.key],
            # failures in a row, unless the last one is old enough to be forgotten
            set_={"failures": case((login_failures.c.last_failure_at >= forget_before,
                                    login_failures.c.failures + 1), else_=1),
                  "last_failure_at": now},
        ).returning(login_failures.c.failures)
    ).scalar_one()
    lock = policy.lockout_after(scope, failures)
    if lock:
        session.execute(update(login_failures)
                        .where(login_failures.c.scope == scope, login_failures.c.key == key)
                        .values(locked_until=now + timedelta(seconds=lock)))
    return failures


def clear_failures(session: Session, scope: str, key: str) -> None:
    session.execute(delete(login_failures).where(login_failures.c.scope == scope,
                                                 login_failures.c.key == key))


def purge_failures(session: Session, now: datetime) -> int:
    forget_before = now - timedelta(seconds=FAILURE_MEMORY_SECONDS)
    return session.execute(delete(login_failures).where(
        login_failures.c.last_failure_at < forget_before,
        (login_failures.c.locked_until.is_(None)) | (login_failures.c.locked_until < now),
    )).rowcount
