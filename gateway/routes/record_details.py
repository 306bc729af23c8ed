"""Staff routes of a record's lifecycle and details: delete and restore (REC-9), status history
(REC-5), image (REC-2), staff-only notes (REC-13) and audit trail (REC-15)."""

from __future__ import annotations

import base64

from werkzeug.wrappers import Response

from contracts.common import ListQuerySchema
from contracts.records import (
    AuditEntryPageSchema,
    ImageInfoSchema,
    NotesBodySchema,
    NotesSchema,
    RecordViewSchema,
    StatusChangePageSchema,
)

from ..routing import route

RECORD = "/api/v1/staff/records/<record_id>"
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "application/octet-stream")
MAX_IMAGE_BYTES = 5 * 1024 * 1024


class RecordDetailRoutes:
    @route("DELETE", RECORD, audience="staff", permission="delete_clients",
           responses={204: None}, errors=(409,), tag="records")
    def delete_record(self, call, record_id):
        """Delete (REC-9): needs ``delete_clients``; 409 ``record_has_financial_links`` while
        the record has sessions or payments. Deleted records are hidden, never scrubbed."""
        self.rpc.records.delete_record(call.caller, record_id)
        return 204, None

    @route("POST", f"{RECORD}/restore", audience="staff", permission="agency_admin",
           responses={200: RecordViewSchema}, errors=(409,), tag="records")
    def restore_record(self, call, record_id):
        """Restore a deleted record (REC-9, administrators); 409 if it is not deleted."""
        return self.rpc.records.restore_record(call.caller, record_id)

    @route("GET", f"{RECORD}/status-history", audience="staff", query=ListQuerySchema(),
           responses={200: StatusChangePageSchema}, tag="records")
    def record_status_history(self, call, record_id, query):
        """Every status change of the record with who and when, newest first (REC-5)."""
        return self.rpc.records.status_history(call.caller, record_id, query)

    @route("PUT", f"{RECORD}/image", audience="staff", raw_body=IMAGE_TYPES,
           max_body_bytes=MAX_IMAGE_BYTES, responses={200: ImageInfoSchema},
           errors=(413, 415), tag="records")
    def upload_record_image(self, call, record_id, body):
        """Upload the record's image as the raw body (REC-2): JPEG, PNG, GIF or WebP, checked
        by its bytes, at most 5 MiB; replaces the old one."""
        return self.rpc.records.upload_image(call.caller, record_id, {
            "content_type": call.request.mimetype or None,
            "data": base64.b64encode(body).decode("ascii")})

    @route("GET", f"{RECORD}/image", audience="staff", tag="records")
    def get_record_image(self, call, record_id):
        """The record's image bytes with their content type (an audited read)."""
        image = self.rpc.records.get_image(call.caller, record_id)
        return Response(base64.b64decode(image["data"]), status=200,
                        mimetype=image["content_type"], headers={
                            "X-Request-Id": call.request_id, "Cache-Control": "private, no-cache",
                            "X-Content-Type-Options": "nosniff"})

    @route("GET", f"{RECORD}/notes", audience="staff", responses={200: NotesSchema},
           tag="records")
    def get_record_notes(self, call, record_id):
        """Staff-only notes (REC-13): never shown to the client."""
        return self.rpc.records.get_notes(call.caller, record_id)

    @route("PUT", f"{RECORD}/notes", audience="staff", body=NotesBodySchema(),
           responses={200: NotesSchema}, tag="records")
    def save_record_notes(self, call, record_id, body):
        """Replace the staff-only notes (REC-13)."""
        return self.rpc.records.save_notes(call.caller, record_id, body)

    @route("GET", f"{RECORD}/audit", audience="staff", permission="view_audit",
           query=ListQuerySchema(), responses={200: AuditEntryPageSchema}, tag="records")
    def record_audit_trail(self, call, record_id, query):
        """Who read and changed the record, when, and what changed (REC-15; ``view_audit``)."""
        return self.rpc.records.audit_trail(call.caller, record_id, query)
