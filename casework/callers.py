"""Who is calling: the one way every service reads the caller the gateway (or another service
acting for that caller) passes as the first argument of an RPC call.

Three kinds of caller exist (API.md "Authentication"): staff inside one agency, a client's portal
account, and the platform operator. Each service turns the raw dict into one of these classes,
with the same checks everywhere: a staff caller without an agency or a user, a portal caller
without an account, or any other kind, is refused with 403 ``permission_denied`` before the
service opens a transaction.

Signed: the gateway signs the caller it passes (``sign``: HMAC-SHA256 with
``CASEWORK_CALLER_SIGNING_KEY`` over the caller's canonical JSON, with an expiry), and every
reader here checks the signature and the expiry first (``verify``), so that a caller made up by
anyone else on the bus, or a signed caller with an edited field, is refused with 403 whatever it
says. A service calling another service for its caller forwards the raw caller it received,
unchanged. Signing is local (no broker round trip): a few microseconds per call.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass

from casework.config import settings
from casework.errors import NotFound, PermissionDenied

AGENCY_ADMIN = "agency_admin"  # ID-2: implies every other permission
SIGNATURE = "signature"  # hex HMAC-SHA256 of the caller's canonical JSON without this key
EXPIRES = "expires"  # epoch seconds after which the signed caller is refused
LIFETIME = 120  # seconds a signed caller is good for: longer than any request runs


def canonical(raw: dict) -> bytes:
    """The bytes a signature covers: the caller's JSON with sorted keys, no spaces, without its
    signature (lists keep their order, so the permissions are signed as sent)."""
    return json.dumps({k: v for k, v in raw.items() if k != SIGNATURE}, sort_keys=True,
                      separators=(",", ":"), ensure_ascii=True).encode()


def _digest(raw: dict, key: str) -> str:
    return hmac.new(key.encode(), canonical(raw), hashlib.sha256).hexdigest()


def sign(caller: dict, *, key: str | None = None, lifetime: float = LIFETIME,
         now: float | None = None) -> dict:
    """The caller with an expiry and its signature, as the gateway passes it to a service."""
    signed = {k: v for k, v in caller.items() if k != SIGNATURE}
    signed[EXPIRES] = int((time.time() if now is None else now) + lifetime)
    signed[SIGNATURE] = _digest(signed, key or settings().caller_signing_key)
    return signed


def verify(raw, *, key: str | None = None, now: float | None = None) -> dict:
    """``raw`` if it is a caller signed with the key and not expired, else 403."""
    if not isinstance(raw, dict):
        raise PermissionDenied("a signed caller is required")
    signature, expires = raw.get(SIGNATURE), raw.get(EXPIRES)
    if not isinstance(signature, str) or not isinstance(expires, int) or isinstance(
            expires, bool):
        raise PermissionDenied("a signed caller is required")
    try:
        expected = _digest(raw, key or settings().caller_signing_key)
    except (TypeError, ValueError):  # not JSON (a forged caller with odd values)
        raise PermissionDenied("the caller's signature does not match") from None
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise PermissionDenied("the caller's signature does not match")
    if (time.time() if now is None else now) > expires:
        raise PermissionDenied("the signed caller has expired")
    return raw

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
    verify(raw)
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
    verify(raw)
    if _kind(raw) != "portal" or not (_text(raw, "account_id")
                                      and _text(raw, "global_record_id")):
        raise PermissionDenied("a portal caller is required")
    return PortalCaller(known_id(raw["account_id"], "account", PermissionDenied),
                        known_id(raw["global_record_id"], "global record", PermissionDenied),
                        _text(raw, "request_id"))


def operator(raw) -> OperatorCaller:
    """The operator caller of an RPC call, or 403."""
    verify(raw)
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
