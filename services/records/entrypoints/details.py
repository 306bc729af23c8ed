"""Delete and restore (REC-9), the image (REC-2), staff-only notes (REC-13) and the audit trail
(REC-15)."""

from __future__ import annotations

import base64
import binascii

import eventlet
from eventlet import tpool
from sqlalchemy import func

from casework import cursors
from casework.callers import known_id, staff
from casework.dumping import page_dumper
from casework.errors import (
    CaseworkError,
    Conflict,
    NotFound,
    ServiceUnavailable,
    UnsupportedMediaType,
    ValidationFailed,
)
from casework.rpc import rpc
from casework.validation import load
from contracts.common import ListQuerySchema
from contracts.records import (
    AuditEntrySchema,
    ImageInfoSchema,
    ImageSchema,
    ImageUploadSchema,
    NotesBodySchema,
    NotesSchema,
)

from .. import domain
from ..queries import audit, record_details, records
from .common import locked_record, one_dumper, request_id, require_record, view

SCHEDULING_TIMEOUT = 5.0
list_query, notes_schema = ListQuerySchema(), NotesBodySchema()
upload_schema = ImageUploadSchema()
dump_notes, dump_entries = one_dumper(NotesSchema()), page_dumper(AuditEntrySchema())
dump_image_info, dump_image = one_dumper(ImageInfoSchema()), one_dumper(ImageSchema())


class DetailEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def delete_record(self, caller, record_id):
        """Soft delete with ``delete_clients``, refused while scheduling holds sessions or
        payments for the record (REC-9). Deleted records are hidden, never scrubbed."""
        reader, record_id = staff(caller), known_id(record_id)
        reader.require(domain.Permission.DELETE_CLIENTS)
        # a read: it ends at once rather than stay open across the call below
        with self.db.read() as session:
            require_record(session, reader, record_id)
        domain.check_deletable(self._financial_links(caller, record_id))
        with self.db.transaction() as uow:
            row = locked_record(uow.session, reader, record_id)
            records.update_record(uow.session, reader.organization_id, record_id,
                                     {"deleted_at": func.now(), "deleted_by": reader.user_id})
            audit.write(uow.session, reader, reader.organization_id, record_id, "record_deleted",
                        request_id=request_id(reader, uow))
            uow.emit("record_deleted", {"record_id": record_id, "kind": row["kind"]},
                     organization_id=reader.organization_id)

    def _financial_links(self, caller: dict, record_id: str) -> dict:
        """Scheduling answers from its own tables; without its answer nothing is deleted."""
        try:
            with eventlet.Timeout(SCHEDULING_TIMEOUT):
                return self.scheduling.financial_links(caller, record_id)
        except eventlet.Timeout:
            raise ServiceUnavailable(
                "the scheduling service did not answer; the record was not deleted") from None

    @rpc(expected_exceptions=CaseworkError)
    def restore_record(self, caller, record_id):
        """An administrator brings a deleted record back, as it was (REC-9)."""
        caller, record_id = staff(caller), known_id(record_id)
        caller.require(domain.Permission.AGENCY_ADMIN)
        org = caller.organization_id
        with self.db.transaction() as uow:
            row = records.lock_record(uow.session, org, record_id, deleted=None)
            if row is None:
                raise NotFound("record not found")
            if row["deleted_at"] is None:
                raise Conflict("the record is not deleted")
            records.update_record(uow.session, org, record_id,
                                     {"deleted_at": None, "deleted_by": None})
            audit.write(uow.session, caller, org, record_id, "record_restored",
                        request_id=request_id(caller, uow))
            uow.emit("record_restored", {"record_id": record_id, "kind": row["kind"]},
                     organization_id=org)
            return view(uow.session, caller, record_id)

    @rpc(expected_exceptions=CaseworkError)
    def get_notes(self, caller, record_id):
        """Staff-only notes (REC-13): only ever answered to staff of the agency."""
        caller, record_id = staff(caller), known_id(record_id)
        with self.db.transaction(rerunnable=True) as uow:
            require_record(uow.session, caller, record_id)
            notes = record_details.notes(uow.session, caller.organization_id, record_id)
            audit.write(uow.session, caller, caller.organization_id, record_id,
                        "notes_read", request_id=request_id(caller, uow), call_id=uow.call_id)
        return dump_notes(notes)

    @rpc(expected_exceptions=CaseworkError)
    def save_notes(self, caller, record_id, payload):
        caller, record_id = staff(caller), known_id(record_id)
        body = load(notes_schema, payload)["body"]
        org = caller.organization_id
        with self.db.transaction() as uow:
            locked_record(uow.session, caller, record_id)
            before = record_details.notes(uow.session, org, record_id)
            notes = record_details.save_notes(uow.session, org, record_id, body, caller.user_id)
            if before["body"] != body:
                audit.write(uow.session, caller, org, record_id, "notes_changed",
                            {"notes": {"old": before["body"], "new": body}},
                            request_id(caller, uow))
        return dump_notes(notes)

    @rpc(expected_exceptions=CaseworkError)
    def upload_image(self, caller, record_id, payload):
        """REC-2: JPEG, PNG, GIF or WebP by content, at most 5 MiB and 25 megapixels; stored
        re-encoded from its pixels, without metadata; replaces the old one. ``payload``:
        ``{"content_type", "data"}`` with the bytes in base64 (JSON over RPC)."""
        caller, record_id = staff(caller), known_id(record_id)
        upload, declared = _image_bytes(payload)
        domain.check_image(upload, declared)  # the cheap refusals, before a thread is taken
        # decoding and re-encoding is CPU work: in a native thread, so that this service's other
        # workers (the P1 reads) go on meanwhile
        content_type, data = tpool.execute(domain.clean_image, upload, declared)
        org = caller.organization_id
        with self.db.transaction() as uow:
            row = locked_record(uow.session, caller, record_id)
            before = record_details.image(uow.session, org, record_id, with_data=False)
            saved = record_details.save_image(uow.session, org, record_id, content_type, data,
                                              caller.user_id)
            old = ({k: before[k] for k in ("content_type", "byte_size")} if before else None)
            audit.write(uow.session, caller, org, record_id, "image_uploaded", {"image": {
                "old": old, "new": {"content_type": content_type, "byte_size": len(data)}}},
                request_id(caller, uow))
            uow.emit("record_updated", {"record_id": record_id, "kind": row["kind"],
                                        "changed_fields": ["image"]}, organization_id=org)
        return dump_image_info(_image_info(saved))

    @rpc(expected_exceptions=CaseworkError)
    def get_image(self, caller, record_id):
        caller, record_id = staff(caller), known_id(record_id)
        with self.db.transaction(rerunnable=True) as uow:
            require_record(uow.session, caller, record_id)
            found = record_details.image(uow.session, caller.organization_id, record_id,
                                         with_data=True)
            if found is None:
                raise NotFound("the record has no image")
            audit.write(uow.session, caller, caller.organization_id, record_id,
                        "image_read", request_id=request_id(caller, uow), call_id=uow.call_id)
        return dump_image({**_image_info(found),
                           "data": base64.b64encode(found["data"]).decode("ascii")})

    @rpc(expected_exceptions=CaseworkError)
    def audit_trail(self, caller, record_id, params):
        """REC-15, with ``view_audit``: newest first. Deleted records keep their trail, and
        reading it is itself audited."""
        caller, record_id = staff(caller), known_id(record_id)
        caller.require(domain.Permission.VIEW_AUDIT)
        page = load(list_query, params)
        before = cursors.before_moment(page["cursor"])
        org = caller.organization_id
        with self.db.transaction(rerunnable=True) as uow:
            require_record(uow.session, caller, record_id, include_deleted=True)
            rows = audit.page(uow.session, org, record_id, before=before, limit=page["limit"])
            audit.write(uow.session, caller, org, record_id,
                        "audit_read", request_id=request_id(caller, uow), call_id=uow.call_id)
        items, next_cursor = cursors.moment_page(rows, page["limit"], "at")
        return {"items": dump_entries(items), "next_cursor": next_cursor}


def _image_bytes(payload) -> tuple[bytes, str | None]:
    try:
        upload = load(upload_schema, payload)
    except ValidationFailed:
        raise UnsupportedMediaType("send the image bytes") from None
    try:
        return base64.b64decode(upload["data"], validate=True), upload["content_type"]
    except (binascii.Error, ValueError):
        raise UnsupportedMediaType("the image bytes could not be read") from None


def _image_info(image: dict) -> dict:
    return {**image, "url": domain.image_url(image["record_id"])}
