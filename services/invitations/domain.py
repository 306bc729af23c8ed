"""Rules of invitations, free of I/O (no nameko, SQLAlchemy or marshmallow here)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from casework.errors import (
    AlreadyHasAccount,
    ConfirmationRequired,
    InvitationInvalid,
    NoPrimaryEmail,
    PortalNotEnabled,
)

TOKEN_BYTES = 32  # 256 random bits (S3 asks for at least 128)
SLUG_BYTES = 16  # 128 random bits: a global link cannot be guessed


def new_id() -> str:
    return str(uuid.uuid4())


def new_token() -> tuple[str, str]:
    """A link's token and the SHA-256 under which it is kept (never the token itself, S3)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_slug() -> str:
    return secrets.token_hex(SLUG_BYTES)


def invitation_link(portal_url: str, token: str) -> str:
    return f"{portal_url}/invitations/{token}"


def join_link(portal_url: str, slug: str) -> str:
    return f"{portal_url}/join/{slug}"


def expiry(moment: datetime, ttl_hours: int) -> datetime:
    return moment + timedelta(hours=ttl_hours)


def email_key(invitation_id: str, sends: int) -> str:
    """The key of the invitation's e-mail: one per send, so a repeated call queues it once."""
    return f"invitation:{invitation_id}:{sends}"


def check_invitable(portal: dict, target: dict, confirmed: bool) -> str:
    """INV-1: each missing condition its own error; answers the address to invite."""
    if not portal["portal_enabled"]:
        raise PortalNotEnabled("the agency's portal is not enabled (settings: portal_enabled)")
    if target["portal_status"] is not None or target["global_record_id"] is not None:
        raise AlreadyHasAccount("the client already has a portal account with this agency")
    email = (target["email"] or "").strip()
    if not email:
        raise NoPrimaryEmail("the record has no primary e-mail to invite",
                             {"email": ["add the client's e-mail to the record first"]})
    if not confirmed:
        raise ConfirmationRequired(
            f"confirm that {email} is the client's e-mail and that they have no portal access "
            "yet", {"confirm": ["must be true"]})
    return email


def check_usable(invitation: dict | None, moment: datetime) -> dict:
    """INV-2, INV-3: a link works while pending and unexpired; unknown, used, superseded and
    expired links all answer the same 404."""
    if invitation is None or invitation["status"] != "pending" or \
            invitation["expires_at"] <= moment:
        raise InvitationInvalid("this invitation link is unknown, used, replaced or expired")
    return invitation
