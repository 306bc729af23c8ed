"""What every records entrypoint shares: the locked record, the record view and how replies are
dumped. Callers and ids are read with the kernel (``casework.callers``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from casework.callers import StaffCaller
from casework.dumping import page_dumper
from casework.errors import NotFound
from contracts.records import RecordViewSchema

from ..queries import records


def one_dumper(schema):
    """``dump(row)`` as the contract ``schema`` dumps it, by a plan read from it once
    (casework/dumping.py): no marshmallow work per reply."""
    dump = page_dumper(schema)
    return lambda row: dump((row,))[0]


# The record view is the hot read (REC-1, QUALITY P1); its statement already computes what the
# view derives (queries/records.py), so the row is dumped as it comes.
dump_view = one_dumper(RecordViewSchema())


def locked_record(session: Session, caller: StaffCaller, record_id: str) -> dict:
    """The live record of the caller's agency, locked for this transaction, or 404."""
    row = records.lock_record(session, caller.organization_id, record_id)
    if row is None:
        raise NotFound("record not found")
    return row


def require_record(session: Session, caller: StaffCaller, record_id: str, *,
                   include_deleted: bool = False) -> None:
    """404 unless the record is the caller's agency's (and live, unless ``include_deleted``)."""
    if not records.record_exists(session, caller.organization_id, record_id,
                                    include_deleted=include_deleted):
        raise NotFound("record not found")


def view(session: Session, caller: StaffCaller, record_id: str) -> dict:
    """The record as REC-1 shows it, after a change (the change is audited, not this read)."""
    return dump_view(records.read_view(session, caller.organization_id, record_id))


def request_id(caller: StaffCaller, uow) -> str | None:
    return caller.request_id or uow.correlation_id
