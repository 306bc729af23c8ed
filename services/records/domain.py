"""Rules of the client record, free of I/O (no nameko, SQLAlchemy or marshmallow here)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from casework.errors import PermissionDenied, ValidationFailed


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


CASE_NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_/.]{0,49}$")


def generated_case_number(sequence: int) -> str:
    """The case number given when none is (REC-3): ``C-000123``, unique per agency."""
    return f"C-{sequence:06d}"


def check_case_number(value: str) -> str:
    value = value.strip()
    if not CASE_NUMBER_PATTERN.match(value):
        raise ValidationFailed(
            "case number is invalid",
            {"case_number": ["1 to 50 letters, digits, '-', '_', '/' or '.'"]},
        )
    return value


def phone_digits(phones: list[dict]) -> list[str]:
    return ["".join(ch for ch in p.get("number", "") if ch.isdigit()) for p in phones or []]


def search_text(first_name: str, last_name: str, email: str | None, case_number: str,
                phones: list[dict]) -> str:
    """The text global search matches (REC-11): name, e-mail, case number and phone digits."""
    parts = [first_name, last_name, email or "", case_number, *phone_digits(phones)]
    return " ".join(p.strip().lower() for p in parts if p and p.strip())


def normalise_query(q: str) -> str:
    q = " ".join(q.lower().split())
    digits = "".join(ch for ch in q if ch.isdigit())
    # "+44 (0)20 7946-0000" should match the stored digits
    if digits and len(digits) >= 5 and not any(ch.isalpha() for ch in q):
        return digits
    return q
