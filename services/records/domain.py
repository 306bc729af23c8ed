"""Rules of the client record, free of I/O (no nameko, SQLAlchemy or marshmallow here)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from casework.errors import (
    NoClientAccount,
    PermissionDenied,
    RecordHasFinancialLinks,
    ValidationFailed,
)

MAX_CUSTOM_FIELDS = 50  # custom fields of one record


class RecordKind(StrEnum):
    CLIENT = "client"
    EMPLOYEE = "employee"


class RecordStatus(StrEnum):
    PROSPECT = "prospect"
    ACTIVE = "active"
    INACTIVE = "inactive"
    CLOSED = "closed"


class PortalStatus(StrEnum):
    ENROLLMENT_PENDING = "enrollment_pending"
    ACTIVE = "active"
    BANNED = "banned"


class Permission(StrEnum):
    AGENCY_ADMIN = "agency_admin"
    CASE_NUMBERS = "case_numbers"
    DELETE_CLIENTS = "delete_clients"
    VIEW_AUDIT = "view_audit"
    MANAGE_GROUPS = "manage_groups"


@dataclass(frozen=True)
class Caller:
    """Who is asking, as the gateway authenticated them. Every query is scoped by its agency."""

    organization_id: str
    user_id: str | None
    permissions: frozenset[str]
    request_id: str | None = None

    @classmethod
    def from_rpc(cls, caller: dict) -> Caller:
        if not isinstance(caller, dict) or not caller.get("organization_id"):
            raise PermissionDenied("a staff caller inside an agency is required")
        return cls(
            organization_id=str(caller["organization_id"]),
            user_id=caller.get("user_id"),
            permissions=frozenset(caller.get("permissions") or ()),
            request_id=caller.get("request_id"),
        )

    def can(self, permission: Permission) -> bool:
        return Permission.AGENCY_ADMIN in self.permissions or permission in self.permissions

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDenied(f"this needs the {permission.value} permission")


# --- case numbers (REC-3) -------------------------------------------------------------------

CASE_NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_/.]{0,49}$")


def generated_case_number(sequence: int) -> str:
    """The case number given when none is (REC-3): ``C-000123``, unique per agency."""
    return f"C-{sequence:06d}"


def check_case_number(value: str) -> str:
    value = (value or "").strip()
    if not CASE_NUMBER_PATTERN.match(value):
        raise ValidationFailed(
            "case number is invalid",
            {"case_number": ["1 to 50 letters, digits, '-', '_', '/' or '.'"]},
        )
    return value


# --- what search matches (REC-11) -----------------------------------------------------------

def phone_digits(phones: list[dict]) -> list[str]:
    return ["".join(ch for ch in p.get("number", "") if ch.isdigit()) for p in phones or []]


def search_text(first_name: str, last_name: str, email: str | None, case_number: str,
                phones: list[dict]) -> str:
    """The text substring search matches: name, e-mail, case number and phone digits."""
    parts = [first_name, last_name, email or "", case_number, *phone_digits(phones)]
    return " ".join(p.strip().lower() for p in parts if p and p.strip())


def name_text(first_name: str, last_name: str) -> str:
    """The text a misspelt name is compared with (trigram word similarity)."""
    return f"{first_name.strip()} {last_name.strip()}".lower()


def sort_name(first_name: str, last_name: str) -> str:
    return f"{last_name.strip()} {first_name.strip()}".lower()


def search_columns(record: dict) -> dict:
    """The derived search columns of a record, from its current values."""
    return {
        "search_text": search_text(record["first_name"], record["last_name"], record["email"],
                                   record["case_number"], record["phones"]),
        "name_text": name_text(record["first_name"], record["last_name"]),
        "sort_name": sort_name(record["first_name"], record["last_name"]),
    }


def normalise_query(q: str) -> str:
    q = " ".join(q.lower().split())
    digits = "".join(ch for ch in q if ch.isdigit())
    # "+44 (0)20 7946-0000" should match the stored digits
    if digits and len(digits) >= 5 and not any(ch.isalpha() for ch in q):
        return digits
    return q


# --- changes and the audit trail (REC-15) ---------------------------------------------------

def plain(value):
    """A value as the audit trail and events store it (JSON)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def changes(old: dict, new: dict) -> dict:
    """``{field: {"old": .., "new": ..}}`` for every field of ``new`` whose value differs."""
    return {
        name: {"old": plain(old.get(name)), "new": plain(value)}
        for name, value in new.items()
        if plain(old.get(name)) != plain(value)
    }


def merge_custom_fields(current: dict, patch: dict) -> dict:
    """PATCH semantics for custom fields (RFC 7396): a key set to null is removed. The limit of
    fields holds for the record, not only for one request (two PATCHes of 50 new names each
    used to leave 100)."""
    merged = dict(current or {})
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    if len(merged) > MAX_CUSTOM_FIELDS:
        raise ValidationFailed(f"a record has at most {MAX_CUSTOM_FIELDS} custom fields",
                               {"custom_fields": [f"at most {MAX_CUSTOM_FIELDS} on the record; "
                                                  "remove some (null) to add others"]})
    return merged


# --- client types, warning indicators (REC-4, REC-14) ---------------------------------------

def check_client_type(client_type_id: str | None, agency_type_count: int,
                      chosen: dict | None) -> None:
    """A type can be set only once the agency has types, and only to one of its active ones."""
    if client_type_id is None:
        return
    if agency_type_count == 0:
        raise ValidationFailed("the agency has no client types yet", {"client_type_id": [
            "an agency administrator defines client types before records can have one"]})
    if chosen is None or not chosen["active"]:
        raise ValidationFailed("unknown or inactive client type", {"client_type_id": [
            "not one of this agency's active client types"]})


def check_warning_indicators(requested: list[str], known: dict[str, bool],
                             current: set[str]) -> None:
    """Each indicator must be the agency's; newly selected ones must be active (REC-14).
    ``known`` maps the agency's indicator ids among ``requested`` to whether they are active."""
    unusable = [i for i in requested
                if i not in known or (not known[i] and i not in current)]
    if unusable:
        raise ValidationFailed("unknown or inactive warning indicators", {
            "warning_indicator_ids": [f"{i} is not one of this agency's active warning indicators"
                                      for i in unusable]})


# --- statuses (REC-5, REC-6) ----------------------------------------------------------------

def check_portal_status_change(current: str | None) -> None:
    if current is None:
        raise NoClientAccount(
            "portal status applies only to a record with a client account; invite the client "
            "to the portal first")


def portal_status_after_enrollment(current: str | None) -> str | None:
    """The agency's enrollment programme reported the client enrolled (REC-6): pending turns
    active; an active or banned client is left as they are (a ban is never lifted this way)."""
    if current == PortalStatus.ENROLLMENT_PENDING:
        return PortalStatus.ACTIVE.value
    return None


# --- delete (REC-9) -------------------------------------------------------------------------

def check_deletable(links: dict) -> None:
    sessions, payments = links.get("sessions", 0), links.get("payments", 0)
    if sessions or payments:
        held = " and ".join(part for part in (
            f"{sessions} session{'s' * (sessions != 1)}" if sessions else "",
            f"{payments} payment{'s' * (payments != 1)}" if payments else "") if part)
        raise RecordHasFinancialLinks(
            f"this record has financial information ({held}) and cannot be deleted; set its "
            "status to inactive or prospect instead",
            # (extra members cross RPC as strings, so the counts stay in the detail)
            extra={"suggested_statuses": [RecordStatus.INACTIVE.value,
                                          RecordStatus.PROSPECT.value]})


# --- bulk group membership (REC-7) ----------------------------------------------------------

def check_bulk(add: list[str], remove: list[str]) -> tuple[list[str], list[str]]:
    """Each list without repeats (first occurrence kept); an id in both lists is refused."""
    add, remove = list(dict.fromkeys(add)), list(dict.fromkeys(remove))
    both = set(add) & set(remove)
    if both:
        raise ValidationFailed("a record cannot be both added and removed", {
            "remove": [f"{i} is also in add" for i in sorted(both)]})
    return add, remove
