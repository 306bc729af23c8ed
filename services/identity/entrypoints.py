"""Helpers every identity entrypoint shares: who may call, ids, pages."""

from __future__ import annotations

import uuid

from casework.errors import NotFound, ValidationFailed
from casework.validation import load

from . import repository
from .domain import Permission, StaffCaller
from .schemas import list_schema


def administrator(caller) -> StaffCaller:
    """API.md "Staff: agency administration" needs agency_admin; checked here as well as in the
    gateway, so that a wrong caller from anywhere still cannot administer an agency."""
    staff = StaffCaller.from_rpc(caller)
    staff.require(Permission.AGENCY_ADMIN)
    return staff


def known_id(value, what: str) -> str:
    """A UUID, or the same 404 as an unknown id (another agency's ids answer the same, ID-1)."""
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        raise NotFound(f"{what} not found") from None


def page_params(params) -> tuple[int, int]:
    data = load(list_schema, params or {})
    offset = repository.decode_cursor(data["cursor"])
    if offset < 0:
        raise ValidationFailed("the cursor is invalid", {"cursor": ["not a cursor we gave"]})
    return data["limit"], offset
