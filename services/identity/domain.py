"""Rules of identity and access, free of I/O (no nameko, SQLAlchemy or marshmallow here)."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from casework.errors import LastAdministrator, RoleInUse, RoleProtected, ValidationFailed


class Permission(StrEnum):
    """ID-2. ``agency_admin`` implies every other permission."""

    AGENCY_ADMIN = "agency_admin"
    CASE_NUMBERS = "case_numbers"
    DELETE_CLIENTS = "delete_clients"
    CLIENT_ACCOUNT_INVITATIONS = "client_account_invitations"
    VIEW_AUDIT = "view_audit"
    MANAGE_GROUPS = "manage_groups"
    SCHEDULE_ANY_CLIENT = "schedule_any_client"


ALL_PERMISSIONS = tuple(p.value for p in Permission)


class BuiltinRole(StrEnum):
    ADMINISTRATOR = "administrator"
    STAFF = "staff"


# The roles every agency starts with (ID-2): name, permissions, builtin marker.
STARTING_ROLES = (
    ("Agency Administrator", ALL_PERMISSIONS, BuiltinRole.ADMINISTRATOR),
    ("Staff", (), BuiltinRole.STAFF),
)

PORTAL_FEATURES = ("profile_editing", "availability", "sessions", "messages", "requests")


def portal_features(chosen) -> list[str]:
    """The chosen portal features, in the canonical order."""
    return [f for f in PORTAL_FEATURES if f in set(chosen)]


def check_permissions(permissions) -> list[str]:
    unknown = sorted(set(permissions) - set(ALL_PERMISSIONS))
    if unknown:
        raise ValidationFailed("unknown permissions", {"permissions": [
            f"unknown: {', '.join(unknown)}; known: {', '.join(ALL_PERMISSIONS)}"]})
    # stored in the canonical order so that equal roles look equal
    return [p for p in ALL_PERMISSIONS if p in set(permissions)]


def check_role_change(builtin: str | None, permissions: list[str] | None) -> None:
    """The Agency Administrator role keeps agency_admin, so an agency always has an admin role."""
    if builtin == BuiltinRole.ADMINISTRATOR and permissions is not None and (
            Permission.AGENCY_ADMIN not in permissions):
        raise RoleProtected("the Agency Administrator role cannot lose agency_admin")


def check_role_deletion(builtin: str | None, users_with_role: int) -> None:
    if builtin == BuiltinRole.ADMINISTRATOR:
        raise RoleProtected("the Agency Administrator role cannot be deleted")
    if users_with_role:
        raise RoleInUse(f"{users_with_role} staff user(s) still have this role; "
                        "give them another role first")


def check_administrators_remain(active_administrators: int) -> None:
    """An agency must never be left without an active user holding agency_admin."""
    if active_administrators < 1:
        raise LastAdministrator("this would leave the agency without an active administrator; "
                                "make someone else an administrator first")


def new_id() -> str:
    return str(uuid.uuid4())


def display_name(first_name: str, last_name: str) -> str:
    return f"{first_name} {last_name}".strip()


def user_view(user: dict) -> dict:
    """A staff user as the API shows them: with the display name."""
    return {**user, "name": display_name(user["first_name"], user["last_name"])}


def role_view(role: dict, users: int) -> dict:
    """A role as the API shows it: whether it is one of the starting roles, how many have it."""
    return {**role, "builtin": role["builtin"] is not None, "users": users}


def normalise_email(email: str) -> str:
    return email.strip().lower()


STAFF_EVENT_FIELDS = ("email", "first_name", "last_name", "active",
                      "allow_client_initiated_contact", "role_name")


def staff_user_event(user: dict) -> dict:
    """The data of staff_user_created / staff_user_updated (EVENTS.md): who is staff of which
    agency, for the services that keep their own copy (records, notifications, scheduling)."""
    return {"user_id": str(user["id"]), "email": user["email"], "first_name": user["first_name"],
            "last_name": user["last_name"], "name": display_name(user["first_name"],
                                                                  user["last_name"]),
            "active": user["active"],
            "allow_client_initiated_contact": user["allow_client_initiated_contact"],
            # the role's name: audit trails and status histories say who by name and role
            "role": user.get("role_name")}


# --- tokens (S3) ----------------------------------------------------------------------------

TOKEN_BYTES = 32  # 256 random bits


def new_token() -> tuple[str, str]:
    """A bearer token and the digest stored in its place. The token is random, so a plain
    SHA-256 is enough: there is nothing to guess that a slow hash would protect."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


DIGEST_PATTERN = re.compile(r"[0-9a-f]{64}")  # the whole string (fullmatch)


def is_digest(value) -> bool:
    return isinstance(value, str) and DIGEST_PATTERN.fullmatch(value) is not None


# --- login throttling (ID-3, S2) -------------------------------------------------------------
#
# Slow the attacker, not the owner (OWASP's authentication and lockout guidance):
# - "pair": failures of one account from one address. Past the per-account figure that address
#   waits for that account (429, Retry-After), with a lock that doubles with each further failure
#   up to 15 minutes. Nobody else is affected.
# - "address": failures from one address over every account. Past the per-address figure the
#   address waits for every account (one address spraying many accounts). A successful login
#   takes its own account's failures from that address off this count, so an office or a shelter
#   behind one address is not locked out by the sum of its staff's typos.
# - "account": failures of one account from every address: a soft limit (a botnet spreading its
#   guesses over many addresses). Past the per-account figure the account waits, but only from
#   addresses it never logged in from: an address it logged in from before (remembered per
#   account, as a hash) is never refused by it.
# A successful login clears its own (account, address) failures, and takes them off that
# address's and that account's counts; the failures of other accounts and addresses stay.
# Everything is keyed on the login name as typed, whether or not such an account exists, so an
# unknown user and a wrong password answer alike.

MAX_LOCKOUT_SECONDS = 15 * 60
FAILURE_MEMORY_SECONDS = 15 * 60  # failures older than this are forgotten
KNOWN_ADDRESS_MEMORY_DAYS = 365  # an address not logged in from for a year is no longer known


@dataclass(frozen=True)
class ThrottlePolicy:
    account_limit: int  # per (account, address), and the soft limit of an account over addresses
    address_limit: int
    lockout_seconds: int

    def limit(self, scope: str) -> int:
        return self.address_limit if scope == "address" else self.account_limit

    def lockout_after(self, scope: str, failures: int) -> int:
        """Seconds to lock after the ``failures``-th failure in a row: none below the limit, then
        the base lock, doubling with each further failure, at most 15 minutes."""
        over = failures - self.limit(scope)
        if over < 0:
            return 0
        return min(self.lockout_seconds * 2 ** min(over, 20), MAX_LOCKOUT_SECONDS)


@dataclass(frozen=True)
class LoginKeys:
    """What one login attempt is counted and checked on."""

    account: str
    address: str

    @property
    def pair(self) -> str:
        """The (account, address) counter's key: a hash, so no length bound cuts the address."""
        return hashlib.sha256(f"pair\0{self.account}\0{self.address}".encode()).hexdigest()

    @property
    def known(self) -> str:
        """How a known address of the account is remembered: a hash of both, never the
        address itself."""
        return hashlib.sha256(f"known\0{self.account}\0{self.address}".encode()).hexdigest()

    def counted(self) -> list[tuple[str, str]]:
        """The counters a failure adds to."""
        return [("pair", self.pair), ("account", self.account), ("address", self.address)]

    def checked(self, known_address: bool) -> list[tuple[str, str]]:
        """The locks that refuse this attempt: the account-wide one only from an address the
        account never logged in from."""
        keys = [("pair", self.pair), ("address", self.address)]
        return keys if known_address else [*keys, ("account", self.account)]


def login_keys(address: str | None, kind: str, *parts: str) -> LoginKeys:
    return LoginKeys(account_key(kind, *parts), address_key(address))


def retry_after(locked_until: datetime, now: datetime) -> int:
    return max(1, int((locked_until - now) / timedelta(seconds=1) + 0.999))


def account_key(kind: str, *parts: str) -> str:
    """What per-account throttling counts on: the login name as typed (normalised), whether or
    not such an account exists, so that a lock says nothing about existence."""
    return ":".join([kind, *(p.strip().lower() for p in parts)])[:500]


def address_key(address: str | None) -> str:
    return (address or "unknown")[:500]


# --- global records (ID-4) -------------------------------------------------------------------

GLOBAL_RECORD_FIELDS = ("first_name", "last_name", "email", "phones",
                        "preferred_contact_methods")


def global_record_changes(current: dict, patch: dict) -> dict:
    """The fields of ``patch`` whose value differs from the global record's, with new values."""
    return {name: patch[name] for name in GLOBAL_RECORD_FIELDS
            if name in patch and patch[name] != current[name]}


def bumped_field_versions(field_versions: dict, changed, version: int) -> dict:
    """Each changed field's version becomes the record's new ``version``; the others keep
    theirs (a copy compares field by field, so two updates of different fields never undo each
    other, QUALITY F9)."""
    return {**field_versions, **{name: version for name in changed}}


# --- password reset links --------------------------------------------------------------------

RESET_TTL_SECONDS = 60 * 60  # a reset link works for one hour, once
RESET_ANSWER_SECONDS = 0.25  # every reset request answers after at least this long (see below)


def reset_link(portal_url: str, token: str) -> str:
    """The one page that sets a new password, for clients and staff alike (the token says whose
    account it is)."""
    return f"{portal_url}/password-reset/{token}"
