"""Who is calling: the one way every service reads the caller the gateway (or another service
acting for that caller) passes as the first argument of an RPC call.

Three kinds of caller exist (API.md "Authentication"): staff inside one agency, a client's portal
account, and the platform operator. Each service turns the raw dict into one of these classes,
with the same checks everywhere: a staff caller without an agency or a user, a portal caller
without an account, or any other kind, is refused with 403 ``permission_denied`` before the
service opens a transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from casework.errors import NotFound, PermissionDenied

AGENCY_ADMIN = "agency_admin"  # ID-2: implies every other permission


def _text(raw: dict, key: str) -> str | None:
    value = raw.get(key)
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class StaffCaller:
    """A staff member acting inside one agency, as the gateway authenticated them (ID-1)."""

    organization_id: str
    user_id: str
    permissions: frozenset[str]
    request_id: str | None = None
    kind = "staff"

    def can(self, permission: str) -> bool:
        return AGENCY_ADMIN in self.permissions or str(permission) in self.permissions

    def require(self, permission: str) -> None:
        if not self.can(permission):
            raise PermissionDenied(f"this needs the {permission} permission")


@dataclass(frozen=True)
class PortalCaller:
    """A client signed in to the portal: their account and global record (ID-4)."""

    account_id: str
    global_record_id: str
    request_id: str | None = None
    kind = "portal"


@dataclass(frozen=True)
class OperatorCaller:
    """The platform operator (creates agencies)."""

    request_id: str | None = None
    kind = "operator"


def _kind(raw) -> str | None:
    return raw.get("kind") if isinstance(raw, dict) else None


def staff(raw) -> StaffCaller:
    """The staff caller of an RPC call, or 403."""
    if _kind(raw) != "staff" or not (_text(raw, "organization_id") and _text(raw, "user_id")):
        raise PermissionDenied("a staff caller inside an agency is required")
    permissions = raw.get("permissions") or ()
    if not isinstance(permissions, (list, tuple)) or not all(
            isinstance(p, str) for p in permissions):
        raise PermissionDenied("a staff caller inside an agency is required")
    return StaffCaller(known_id(raw["organization_id"], "organization", PermissionDenied),
                       known_id(raw["user_id"], "user", PermissionDenied),
                       frozenset(permissions), _text(raw, "request_id"))


def administrator(raw) -> StaffCaller:
    """A staff caller with ``agency_admin``, or 403."""
    caller = staff(raw)
    caller.require(AGENCY_ADMIN)
    return caller


def portal(raw) -> PortalCaller:
    """The portal caller of an RPC call, or 403."""
    if _kind(raw) != "portal" or not (_text(raw, "account_id")
                                      and _text(raw, "global_record_id")):
        raise PermissionDenied("a portal caller is required")
    return PortalCaller(known_id(raw["account_id"], "account", PermissionDenied),
                        known_id(raw["global_record_id"], "global record", PermissionDenied),
                        _text(raw, "request_id"))


def operator(raw) -> OperatorCaller:
    """The operator caller of an RPC call, or 403."""
    if _kind(raw) != "operator":
        raise PermissionDenied("only the platform operator may do this")
    return OperatorCaller(_text(raw, "request_id"))


def known_id(value, what: str = "record", error=NotFound) -> str:
    """A UUID in its canonical text, or the same 404 as an unknown id: another agency's ids
    answer the same as ids that do not exist (ID-1)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str) or len(value) > 64:
        raise error(f"{what} not found")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise error(f"{what} not found") from None
