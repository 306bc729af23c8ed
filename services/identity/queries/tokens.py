"""Access tokens, kept by their SHA-256 digest only (S3)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.orm import Session

from ..models import access_tokens, portal_accounts, roles, staff_users


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
