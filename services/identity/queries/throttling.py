"""The login failure counters every identity instance shares (ID-3; QUALITY S2)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ..domain import (
    FAILURE_MEMORY_SECONDS,
    KNOWN_ADDRESS_MEMORY_DAYS,
    LoginKeys,
    ThrottlePolicy,
)
from ..models import login_failures, login_known_addresses


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


def is_known_address(session: Session, keys: LoginKeys) -> bool:
    """Whether the account logged in from this address before (the same query whether or not
    the account exists)."""
    return session.execute(select(login_known_addresses.c.digest)
                           .where(login_known_addresses.c.digest == keys.known)).first() is not None


def logged_in(session: Session, keys: LoginKeys, now: datetime) -> None:
    """A successful login: clear this (account, address)'s failures, take them off the address's
    and the account's counts (other accounts' and addresses' failures stay), and remember the
    address as known to the account."""
    cleared = session.execute(
        delete(login_failures)
        .where(login_failures.c.scope == "pair", login_failures.c.key == keys.pair)
        .returning(login_failures.c.failures)).scalar()
    if cleared:
        session.execute(
            update(login_failures)
            .where(func.row(login_failures.c.scope, login_failures.c.key).in_(
                [("address", keys.address), ("account", keys.account)]))
            .values(failures=func.greatest(login_failures.c.failures - cleared, 0)))
    statement = pg_insert(login_known_addresses).values(digest=keys.known, last_login_at=now)
    session.execute(statement.on_conflict_do_update(
        index_elements=[login_known_addresses.c.digest], set_={"last_login_at": now}))


def clear_failures(session: Session, scope: str, key: str) -> None:
    """Forget one counter's failures (a password reset proves the account's owner)."""
    session.execute(delete(login_failures).where(login_failures.c.scope == scope,
                                                 login_failures.c.key == key))


def purge_failures(session: Session, now: datetime) -> int:
    forget_before = now - timedelta(seconds=FAILURE_MEMORY_SECONDS)
    purged = session.execute(delete(login_failures).where(
        login_failures.c.last_failure_at < forget_before,
        (login_failures.c.locked_until.is_(None)) | (login_failures.c.locked_until < now),
    )).rowcount
    session.execute(delete(login_known_addresses).where(
        login_known_addresses.c.last_login_at < now - timedelta(days=KNOWN_ADDRESS_MEMORY_DAYS)))
    return purged
