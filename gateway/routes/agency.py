"""Staff routes of what agencies do with many records at once (issue 18): a departing
navigator's caseload moved, many records' status changed, deleted records listed to restore one,
records exported as CSV."""

from __future__ import annotations

import csv
import io
import json

from werkzeug.wrappers import Response

from casework import record_csv
from contracts.records import (
    AuditEntryPageSchema,
    AuditQuerySchema,
    BulkStatusBodySchema,
    BulkStatusSchema,
    CaseloadMoveBodySchema,
    CaseloadMoveSchema,
    DeletedRecordPageSchema,
    DeletedRecordQuerySchema,
    ExportQuerySchema,
)

from ..routing import route

RECORDS = "/api/v1/staff/records"
AUDIT = "/api/v1/staff/audit"
AUDIT_COLUMNS = ("at", "action", "actor_id", "actor_name", "actor_role", "record_id",
                 "record_ids", "contact_id", "request_id", "changes")


def _audit_cell(name: str, value) -> str:
    if value is None:
        return ""
    if name == "record_ids":
        return ";".join(value)
    if name == "changes":
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _csv(rows: list[list[str]], header=None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(header)
    writer.writerows([[record_csv.safe(c) for c in row] for row in rows])
    return out.getvalue()


class AgencyRoutes:
    @route("POST", "/api/v1/staff/navigators/<user_id>/caseload/move", audience="staff",
           permission="agency_admin", body=CaseloadMoveBodySchema(),
           responses={200: CaseloadMoveSchema}, tag="records")
    def move_caseload(self, call, user_id, body):
        """Move a departing navigator's whole caseload (their live records) to another staff
        member, or several evenly (in the order given), in one call, with a result per record;
        each record's audit trail and the navigator events say so (agency administrators)."""
        return self.rpc.records.move_caseload(call.caller, user_id, body)

    @route("POST", f"{RECORDS}/status/bulk", audience="staff", permission="agency_admin",
           body=BulkStatusBodySchema(), responses={200: BulkStatusSchema}, tag="records")
    def bulk_change_status(self, call, body):
        """Change the status of many records at once (up to 10,000), with a result per record:
        changed, unchanged (already_in_status) or failed (not_found); each change is in the
        record's status history and audit trail (agency administrators)."""
        return self.rpc.records.bulk_change_status(call.caller, body)

    @route("GET", f"{RECORDS}/deleted", audience="staff", permission="agency_admin",
           query=DeletedRecordQuerySchema(), responses={200: DeletedRecordPageSchema},
           tag="records")
    def deleted_records(self, call, query):
        """The agency's deleted records, most recently deleted first (``q``: part of the name,
        case number or e-mail), to find the one to restore (agency administrators, REC-9)."""
        return self.rpc.records.deleted_records(call.caller, query)

    @route("GET", f"{RECORDS}/export.csv", audience="staff", query=ExportQuerySchema(),
           tag="records")
    def export_records(self, call, query):
        """The records of a search (``q`` and the filters of the search) or of a group
        (``group_id``) as CSV (text/csv), in the columns ``casework import records`` reads.
        Without ``q`` every matching record; a ``q`` search is capped as the search is, and
        then says so in the header ``X-Casework-Truncated: true``. Every exported record's
        audit trail has the read (``record_exported``)."""
        parts, cursor, truncated = [], None, False
        while True:
            page = self.rpc.records.export_records(call.caller, {**query, "cursor": cursor})
            parts.append(record_csv.write(page["items"], header=not parts))
            truncated = truncated or page["truncated"]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        return Response("".join(parts), status=200, mimetype="text/csv", headers={
            "X-Request-Id": call.request_id, "X-Casework-Truncated": str(truncated).lower(),
            "Content-Disposition": 'attachment; filename="records.csv"',
            "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})

    @route("GET", AUDIT, audience="staff", permission="view_audit", query=AuditQuerySchema(),
           responses={200: AuditEntryPageSchema}, tag="records")
    def agency_audit(self, call, query):
        """The agency's whole audit trail (REC-15), newest first: by ``user_id``, ``record_id``
        (read or changed alone, or among a search's records), ``action`` and time range
        (``from`` inclusive, ``to`` exclusive); each entry names its actor with their name and
        role. Reading it is itself audited (``view_audit``)."""
        return self.rpc.records.agency_audit(call.caller, query)

    @route("GET", f"{AUDIT}/export.csv", audience="staff", permission="view_audit",
           query=AuditQuerySchema(), tag="records")
    def export_agency_audit(self, call, query):
        """The same trail as ``GET /api/v1/staff/audit`` with the same filters, every entry of
        it, as CSV (text/csv): at, action, actor_id, actor_name, actor_role, record_id,
        record_ids (separated by ``;``), contact_id, request_id, changes (JSON)."""
        parts, cursor = [], None
        while True:
            page = self.rpc.records.agency_audit(call.caller, {**query, "limit": 500,
                                                               "cursor": cursor})
            parts.append(_csv([[_audit_cell(n, e.get(n)) for n in AUDIT_COLUMNS]
                               for e in page["items"]], header=None if parts else AUDIT_COLUMNS))
            cursor = page["next_cursor"]
            if cursor is None:
                break
        return Response("".join(parts), status=200, mimetype="text/csv", headers={
            "X-Request-Id": call.request_id,
            "Content-Disposition": 'attachment; filename="audit.csv"',
            "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})
