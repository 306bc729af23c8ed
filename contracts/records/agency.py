"""What agencies do with many records at once (issue 18): search pages that say when they were
capped, caseload moves and status changes in bulk, CSV import batches and export pages, and the
list of deleted records administrators restore from."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from ..common import ListQuerySchema, Strict, UtcDateTime, page_of, unique_list
from .catalogue import BULK_LIMIT
from .record import KINDS, STATUSES, RecordCreateSchema, RecordSchema

MAX_TARGETS = 50  # staff members one caseload is shared between
IMPORT_BATCH_LIMIT = 2000  # rows of one import batch (one RPC call, one set-based insert)
EXPORT_PAGE_LIMIT = 1000  # records of one export page (one RPC call)


class RecordSearchPageSchema(Schema):
    """A page of search results. A ``q`` search ranks at most 200 matches by text and 200 by
    name: when it matched more, every page of it says ``truncated: true`` with a ``detail`` on
    how to narrow it, rather than ending quietly."""

    items = fields.List(fields.Nested(RecordSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
    truncated = fields.Boolean(required=True, metadata={
        "description": "true when the query matched more records than a search ranks: the "
                       "pages show the best of those ranked; narrow the query (more of the "
                       "name, a filter) to see the others"})
    detail = fields.String(required=True, allow_none=True, metadata={
        "description": "why the result was capped and how to narrow it; null otherwise"})


# --- caseload moves and bulk status ---------------------------------------------------------

class CaseloadMoveBodySchema(Strict):
    to = unique_list(fields.UUID(), required=True, what="staff user",
                     validate=validate.Length(min=1, max=MAX_TARGETS), metadata={
                         "description": "active staff users of the agency; the caseload is "
                                        "shared evenly between them, in this order"})


class CaseloadResultSchema(Schema):
    record_id = fields.UUID(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(("moved",)))
    to_user_id = fields.UUID(required=True)
    code = fields.String(required=True, allow_none=True, metadata={
        "description": "already_navigator when the new navigator was one already; else null"})


class CaseloadMoveSchema(Schema):
    moved = fields.Integer(required=True)
    results = fields.List(fields.Nested(CaseloadResultSchema), required=True)


class BulkStatusBodySchema(Strict):
    record_ids = fields.List(fields.UUID(), required=True,
                             validate=validate.Length(min=1, max=BULK_LIMIT))
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))


class BulkStatusResultSchema(Schema):
    record_id = fields.UUID(required=True)
    outcome = fields.String(required=True,
                            validate=validate.OneOf(("changed", "unchanged", "failed")))
    code = fields.String(required=True, allow_none=True, metadata={
        "description": "already_in_status or not_found; null when it changed"})


class BulkStatusSchema(Schema):
    changed = fields.Integer(required=True)
    results = fields.List(fields.Nested(BulkStatusResultSchema), required=True)


# --- deleted records ------------------------------------------------------------------------

class DeletedRecordSchema(RecordSchema):
    deleted_at = UtcDateTime(required=True)
    deleted_by = fields.UUID(required=True, allow_none=True)


class DeletedRecordQuerySchema(ListQuerySchema):
    q = fields.String(load_default=None, validate=validate.Length(max=200), metadata={
        "description": "part of the name, case number or e-mail"})


DeletedRecordPageSchema = page_of(DeletedRecordSchema)


# --- CSV import (RPC only: ``casework import records``) and export --------------------------

class ImportRowSchema(RecordCreateSchema):
    """One CSV row as the import sends it: the columns of ``POST /staff/records`` with the row's
    number in the file (the report names it)."""

    row = fields.Integer(required=True, validate=validate.Range(min=1))


class ImportBatchSchema(Strict):
    rows = fields.List(fields.Dict(), required=True,
                       validate=validate.Length(min=1, max=IMPORT_BATCH_LIMIT))
    dry_run = fields.Boolean(load_default=False)


class ImportOutcomeSchema(Schema):
    row = fields.Integer(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(
        ("created", "would_create", "duplicate", "refused")))
    record_id = fields.UUID(required=True, allow_none=True)
    case_number = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True, allow_none=True)
    # for ``casework import`` to compare a row with the file's earlier batches
    # (casework.record_csv.EarlierRows): what a duplicate matched (``row``, ``case_number`` or
    # ``person``), and, in a dry run, what each row it would create would be compared by
    match = fields.String(required=True, allow_none=True,
                          validate=validate.OneOf(("row", "case_number", "person")))
    keys = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                       allow_none=True)


class ImportBatchResultSchema(Schema):
    created = fields.Integer(required=True)
    results = fields.List(fields.Nested(ImportOutcomeSchema), required=True)


class ExportQuerySchema(Schema):
    """What to export: a search (``q`` and filters) or a group (``group_id``)."""

    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default=None, validate=validate.Length(max=200))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    client_type_id = fields.UUID(load_default=None)
    group_id = fields.UUID(load_default=None)
    navigator_id = fields.UUID(load_default=None)


class ExportPageQuerySchema(ExportQuerySchema):
    """RPC request of one export page."""

    cursor = fields.String(load_default=None, allow_none=True,
                           validate=validate.Length(max=500))
    limit = fields.Integer(load_default=EXPORT_PAGE_LIMIT,
                           validate=validate.Range(min=1, max=EXPORT_PAGE_LIMIT))


class ExportPageSchema(Schema):
    items = fields.List(fields.Nested(RecordSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)
    truncated = fields.Boolean(required=True)


# --- the agency's audit trail ---------------------------------------------------------------

def _audit_query():
    query = ListQuerySchema.from_dict({
        "user_id": fields.UUID(load_default=None, metadata={"description": "who did it"}),
        "record_id": fields.UUID(load_default=None, metadata={
            "description": "about this record: read or changed alone, or among the records a "
                           "search returned"}),
        "action": fields.String(load_default=None, validate=validate.Length(max=50), metadata={
            "description": "e.g. record_read, record_updated, records_searched"}),
        "from": fields.AwareDateTime(load_default=None, metadata={
            "description": "from this moment on (inclusive), with its time zone"}),
        "to": fields.AwareDateTime(load_default=None, metadata={
            "description": "before this moment (exclusive), with its time zone"}),
    }, name="AuditQuerySchema")
    query.__module__ = __name__
    return query


# ("from" is a keyword in Python: the schema is made from a dict, its fields keep their names)
AuditQuerySchema = _audit_query()
