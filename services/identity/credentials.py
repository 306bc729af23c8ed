"""Persistence of credentials: login candidates, tokens (by digest) and the login failure
counters every identity instance shares (ID-3; QUALITY S2, S3)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from .domain import FAILURE_MEMORY_SECONDS, ThrottlePolicy
from .models import (
    access_tokens,
    login_failures,
    organizations,
    portal_accounts,
    roles,
    staff_users,
)


def staff_login_candidate(session: Session, slug: str, email: str) -> dict | None:
    row = session.execute(
        select(staff_users.c.id, staff_users.c.organization_id, staff_users.c.active,
               staff_users.c.password_hash)
        .join(organizations, organizations.c.id == staff_users.c.organization_id)
        .where(organizations.c.slug == slug, staff_users.c.email == email)
    ).mappings().first()
    return dict(row) if row else None


def set_staff_password_hash(session: Session, user_id: str, password_hash: str) -> None:
    session.execute(update(staff_users).where(staff_users.c.id == user_id)
                    .values(password_hash=password_hash))


# --- tokens ----------------------------------------------------------------------------------

def insert_token(session: Session, *, digest: str, kind: str, expires_at: datetime,
                 organization_id=None, user_id=None, account_id=None) -> None:
    session.execute(insert(access_tokens).values(
        token_hash=digest, kind=kind, organization_id=organization_id, user_id=user_id,
        account_id=account_id, expires_at=expires_at))


def token_caller(session: Session, digest: str, now: datetime) -> dict | None:
    """Who a live token stands for, in one indexed read: a revoked or expired token, or one of a
    deactivated user or account, is nobody."""
    row = session.execute(
        select(access_tokens.c.kind, access_tokens.c.expires_at, access_tokens.c.organization_id,
               access_tokens.c.user_id, access_tokens.c.account_id,
               roles.c.permissions, portal_accounts.c.global_record_id)
        .select_from(
            access_tokens
            .outerjoin(staff_users, and_(staff_users.c.id == access_tokens.c.user_id,
                                         staff_users.c.active.is_(True)))
            .outerjoin(roles, roles.c.id == staff_users.c.role_id)
            .outerjoin(portal_accounts, and_(portal_accounts.c.id == access_tokens.c.account_id,
                                             portal_accounts.c.active.is_(True))))
        .where(access_tokens.c.token_hash == digest, access_tokens.c.revoked_at.is_(None),
               access_tokens.c.expires_at > now)
    ).mappings().first()
    if row is None:
        return None
    if row["kind"] == "staff" and row["permissions"] is not None:
        return {"kind": "staff", "organization_id": str(row["organization_id"]),
                "user_id": str(row["user_id"]), "permissions": list(row["permissions"]),
                "expires_at": row["expires_at"]}
    if row["kind"] == "portal" and row["global_record_id"] is not None:
        return {"kind": "portal", "account_id": str(row["account_id"]),
                "global_record_id": str(row["global_record_id"]),
                "expires_at": row["expires_at"]}
    return None


def revoke_token(session: Session, digest: str, now: datetime) -> bool:
    return session.execute(
        update(access_tokens)
        .where(access_tokens.c.token_hash == digest, access_tokens.c.revoked_at.is_(None),
               access_tokens.c.expires_at > now)
        .values(revoked_at=now).returning(access_tokens.c.token_hash)
    ).first() is not None


def revoke_user_tokens(session: Session, user_id: str, now: datetime,
                       except_digest: str | None = None) -> int:
    conditions = [access_tokens.c.user_id == user_id, access_tokens.c.revoked_at.is_(None)]
    if except_digest:
        conditions.append(access_tokens.c.token_hash != except_digest)
    return session.execute(update(access_tokens).where(*conditions).values(revoked_at=now)
                           ).rowcount


def purge_tokens(session: Session, before: datetime) -> int:
    """Expired tokens are worthless; keep a day of them for investigation, then drop them."""
    return session.execute(delete(access_tokens).where(access_tokens.c.expires_at < before)
                           ).rowcount


# --- login throttling ------------------------------------------------------------------------

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


def portal_login_candidate(session: Session, username: str) -> dict | None:
    row = session.execute(
        select(portal_accounts.c.id, portal_accounts.c.global_record_id, portal_accounts.c.active,
               portal_accounts.c.password_hash)
        .where(portal_accounts.c.username == username)
    ).mappings().first()
    return dict(row) if row else None


def set_portal_password_hash(session: Session, account_id: str, password_hash: str) -> None:
    session.execute(update(portal_accounts).where(portal_accounts.c.id == account_id)
                    .values(password_hash=password_hash))
