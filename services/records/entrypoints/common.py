"""What every records entrypoint shares: ids, the locked record, the record view."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from casework.errors import NotFound

from .. import repository
from ..domain import Caller
from ..schemas import record_view_schema


def known_id(value, what: str = "record") -> str:
    """A UUID, or the same 404 as an unknown id (another agency's ids answer the same, ID-1)."""
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        raise NotFound(f"{what} not found") from None


def staff_call(caller, record_id=None) -> tuple[Caller, str | None]:
    return Caller.from_rpc(caller), known_id(record_id) if record_id is not None else None


def locked_record(session: Session, caller: Caller, record_id: str) -> dict:
    """The live record of the caller's agency, locked for this transaction, or 404."""
    row = repository.lock_record(session, caller.organization_id, record_id)
    if row is None:
        raise NotFound("record not found")
    return row


def require_record(session: Session, caller: Caller, record_id: str, *,
                   include_deleted: bool = False) -> None:
    """404 unless the record is the caller's agency's (and live, unless ``include_deleted``)."""
    if not repository.record_exists(session, caller.organization_id, record_id,
                                    include_deleted=include_deleted):
        raise NotFound("record not found")


def view(session: Session, caller: Caller, record_id: str) -> dict:
    """The record as REC-1 shows it, after a change (the change is audited, not this read)."""
    return record_view_schema.dump(
        repository.read_view(session, caller.organization_id, record_id))


def request_id(caller: Caller, uow) -> str | None:
    return caller.request_id or uow.correlation_id
