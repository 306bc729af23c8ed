"""Requests to clients and what fulfils them (REQ-1 to REQ-3): the agency's requestable
assessments, requests (assessment, document, location, release of information), the documents,
answers, locations and releases of information (ROIs) clients provide through the portal, and the
bulk RPC of mass sending (``create_requests``)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..common import ListQuerySchema, Strict, UtcDateTime, page_of, unique_list

REQUEST_TYPES = ("assessment", "document", "location", "roi")
REQUEST_STATUSES = ("requested", "fulfilled", "cancelled")
QUESTION_KINDS = ("text", "number", "yes_no", "choice")
BULK_REQUEST_LIMIT = 10000
BULK_REQUEST_OUTCOMES = ("sent", "skipped", "failed")
BULK_REQUEST_CODES = ("roi_active", "client_inactive", "no_portal_account", "not_found")
OTHER = "other"  # document_name of a document the catalogue does not name (with other_name)
MAX_ANSWER_LENGTH = 5000
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024  # a PDF; images keep the record image rules (5 MiB)

# The documents staff may ask for (REQ-1): one list for every agency, part of this contract, so
# that front ends and mass sends name them the same way. ``document_name`` is one of its
# category's names, or "other" with ``other_name``.
DOCUMENT_CATEGORIES = {
    "identity": ("Passport", "Driving licence", "National identity card", "Birth certificate"),
    "address": ("Proof of address", "Utility bill", "Tenancy agreement"),
    "income": ("Payslip", "Benefit award letter", "Bank statement", "Tax return"),
    "health": ("Medical letter", "Prescription", "Disability assessment"),
    "legal": ("Court order", "Immigration document", "Police report"),
    "housing": ("Eviction notice", "Housing application"),
    "other": (),
}

NAME = validate.Length(min=1, max=200)
QUESTION_ID = validate.Regexp(r"^[A-Za-z0-9_-]{1,50}$(?!\n)",
                              error="1 to 50 letters, digits, '_' or '-'")


# --- assessments -----------------------------------------------------------------------------

class QuestionSchema(Strict):
    id = fields.String(required=True, validate=QUESTION_ID)
    text = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    kind = fields.String(required=True, validate=validate.OneOf(QUESTION_KINDS))
    choices = unique_list(fields.String(validate=NAME), what="choice", load_default=None,
                          allow_none=True, validate=validate.Length(max=50), metadata={
                              "description": "the choices of a `choice` question (2 to 50); "
                                             "null for the other kinds"})

    @validates_schema
    def _choices_of_kind(self, data, **kwargs):
        choices = data.get("choices")
        if data.get("kind") == "choice":
            if not choices or len(choices) < 2:
                raise ValidationError("a choice question has at least 2 choices", "choices")
        elif choices:
            raise ValidationError("only a choice question has choices", "choices")


class AssessmentCreateSchema(Strict):
    name = fields.String(required=True, validate=NAME)
    questions = unique_list(fields.Nested(QuestionSchema), key=lambda q: q.get("id"),
                            what="question id", required=True,
                            validate=validate.Length(min=1, max=100))
    requestable = fields.Boolean(load_default=True, metadata={
        "description": "whether staff may ask clients for it (REQ-1); true unless said"})


class AssessmentPatchSchema(Strict):
    requestable = fields.Boolean(required=True)


class QuestionOutSchema(Schema):
    id = fields.String(required=True)
    text = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(QUESTION_KINDS))
    choices = fields.List(fields.String(), required=True, allow_none=True)


class AssessmentSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    questions = fields.List(fields.Nested(QuestionOutSchema), required=True)
    requestable = fields.Boolean(required=True)
    created_at = UtcDateTime(required=True)


class AssessmentQuerySchema(ListQuerySchema):
    """``GET /staff/assessments``: every assessment, or only the requestable ones."""

    requestable = fields.Boolean(load_default=None, allow_none=True)


# --- requests --------------------------------------------------------------------------------

class RequestCreateSchema(Strict):
    """``POST /staff/records/{id}/requests`` (REQ-1): the fields of its type only (null is as
    absent); ``private`` for assessment, document and location requests."""

    type = fields.String(required=True, validate=validate.OneOf(REQUEST_TYPES))
    assessment_id = fields.UUID(load_default=None, allow_none=True, metadata={
        "description": "an assessment the agency marked requestable (type assessment)"})
    document_category = fields.String(load_default=None, allow_none=True,
                                      validate=validate.OneOf(tuple(DOCUMENT_CATEGORIES)),
                                      metadata={"description": "type document"})
    document_name = fields.String(load_default=None, allow_none=True, validate=NAME, metadata={
        "description": "one of the category's predefined names, or `other` with other_name"})
    other_name = fields.String(load_default=None, allow_none=True, validate=NAME, metadata={
        "description": "the document's name when document_name is `other`"})
    private = fields.Boolean(load_default=False, metadata={
        "description": "not shared with other agencies (assessment, document, location)"})

    @validates_schema
    def _fields_of_type(self, data, **kwargs):
        kind = data.get("type")
        errors: dict[str, list[str]] = {}
        wanted = {"assessment": ("assessment_id",),
                  "document": ("document_category", "document_name")}.get(kind, ())
        for name in wanted:
            if data.get(name) is None:
                errors[name] = [f"required for the type {kind}"]
        for name in ("assessment_id", "document_category", "document_name", "other_name"):
            if data.get(name) is not None and name not in wanted and not (
                    name == "other_name" and kind == "document"):
                errors[name] = [f"not a field of the type {kind}"]
        if kind == "roi" and data.get("private"):
            errors["private"] = ["a release of information cannot be private"]
        if kind == "document" and not errors:
            names = DOCUMENT_CATEGORIES[data["document_category"]]
            if data["document_name"] == OTHER:
                if data.get("other_name") is None:
                    errors["other_name"] = ["required when document_name is 'other'"]
            else:
                if data["document_name"] not in names:
                    errors["document_name"] = [
                        f"one of {', '.join(names) or 'no predefined names'} or 'other'"]
                if data.get("other_name") is not None:
                    errors["other_name"] = ["only when document_name is 'other'"]
        if errors:
            raise ValidationError(errors)


class LocationSchema(Schema):
    latitude = fields.Float(required=True)
    longitude = fields.Float(required=True)
    address = fields.String(required=True, allow_none=True)


class RequestSchema(Schema):
    """A request as staff see it on the record (REQ-3), with what fulfilled it."""

    id = fields.UUID(required=True)
    record_id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.OneOf(REQUEST_TYPES))
    title = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(REQUEST_STATUSES))
    private = fields.Boolean(required=True)
    requested_by = fields.UUID(required=True, allow_none=True)
    requested_at = UtcDateTime(required=True)
    fulfilled_at = UtcDateTime(required=True, allow_none=True)
    cancelled_at = UtcDateTime(required=True, allow_none=True)
    assessment_id = fields.UUID(required=True, allow_none=True)
    document_category = fields.String(required=True, allow_none=True)
    document_name = fields.String(required=True, allow_none=True)
    answers = fields.Dict(required=True, allow_none=True, metadata={
        "description": "an assessment's answers: {question_id: value}"})
    location = fields.Nested(LocationSchema, required=True, allow_none=True)
    document_id = fields.UUID(required=True, allow_none=True)
    roi_id = fields.UUID(required=True, allow_none=True)


class PortalAssessmentSchema(Schema):
    id = fields.UUID(required=True)
    name = fields.String(required=True)
    questions = fields.List(fields.Nested(QuestionOutSchema), required=True)


class PortalRequestSchema(Schema):
    """A request as the client sees it in the portal: what to provide (an assessment with its
    questions) and whether it is done."""

    id = fields.UUID(required=True)
    record_id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.OneOf(REQUEST_TYPES))
    title = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(REQUEST_STATUSES))
    requested_at = UtcDateTime(required=True)
    fulfilled_at = UtcDateTime(required=True, allow_none=True)
    assessment = fields.Nested(PortalAssessmentSchema, required=True, allow_none=True)
    document_category = fields.String(required=True, allow_none=True)
    document_name = fields.String(required=True, allow_none=True)


class RequestQuerySchema(ListQuerySchema):
    """A record's requests, newest first, all or of one status."""

    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(REQUEST_STATUSES))


# --- fulfilment (the portal) -----------------------------------------------------------------

class FulfilBodySchema(Strict):
    """``POST /portal/requests/{id}/fulfil`` as JSON: the fields of the request's type only
    (assessment ``answers``; location ``latitude``, ``longitude``, ``address``; ROI
    ``starts_on``, ``expires_on``, ``signed_name``). A document is sent as the file itself."""

    answers = fields.Dict(keys=fields.String(validate=QUESTION_ID), values=fields.Raw(
        allow_none=True), validate=validate.Length(max=100))
    latitude = fields.Float(validate=validate.Range(min=-90, max=90), allow_nan=False)
    longitude = fields.Float(validate=validate.Range(min=-180, max=180), allow_nan=False)
    address = fields.String(allow_none=True, validate=validate.Length(max=500))
    starts_on = fields.Date()
    expires_on = fields.Date()
    signed_name = fields.String(validate=NAME)


class AnswersSchema(Strict):
    answers = fields.Dict(keys=fields.String(validate=QUESTION_ID), values=fields.Raw(
        allow_none=True), required=True, validate=validate.Length(max=100))


class LocationBodySchema(Strict):
    latitude = fields.Float(required=True, validate=validate.Range(min=-90, max=90),
                            allow_nan=False)
    longitude = fields.Float(required=True, validate=validate.Range(min=-180, max=180),
                             allow_nan=False)
    address = fields.String(load_default=None, allow_none=True,
                            validate=validate.Length(max=500))


class RoiBodySchema(Strict):
    starts_on = fields.Date(required=True)
    expires_on = fields.Date(required=True)
    signed_name = fields.String(required=True, validate=NAME)

    @validates_schema
    def _in_order(self, data, **kwargs):
        if data.get("starts_on") and data.get("expires_on") and \
                data["expires_on"] < data["starts_on"]:
            raise ValidationError("expires on or after starts_on", "expires_on")


class DocumentUploadSchema(Strict):
    """RPC request of a document: the bytes in base64 (RPC carries JSON) and the content type
    the client declared; the service decides the type by the bytes."""

    content_type = fields.String(load_default=None, allow_none=True)
    data = fields.String(required=True)


class DocumentSchema(Schema):
    id = fields.UUID(required=True)
    record_id = fields.UUID(required=True)
    request_id = fields.UUID(required=True, allow_none=True)
    category = fields.String(required=True)
    name = fields.String(required=True)
    content_type = fields.String(required=True)
    byte_size = fields.Integer(required=True)
    private = fields.Boolean(required=True)
    uploaded_at = UtcDateTime(required=True)
    url = fields.String(required=True, metadata={"description": "where staff download it"})


class DocumentFileSchema(DocumentSchema):
    """RPC reply of reading a document: its bytes in base64 (the gateway answers them raw) and
    the file name to offer, made of its id only (never of what a client typed)."""

    data = fields.String(required=True)
    filename = fields.String(required=True)


class RoiSchema(Schema):
    id = fields.UUID(required=True)
    record_id = fields.UUID(required=True)
    request_id = fields.UUID(required=True, allow_none=True)
    starts_on = fields.Date(required=True)
    expires_on = fields.Date(required=True)
    signed_name = fields.String(required=True)
    signed_at = UtcDateTime(required=True)
    active = fields.Boolean(required=True, metadata={
        "description": "started and not expired (today, UTC)"})


# --- mass sending (RPC only) -----------------------------------------------------------------

class BulkRequestsBodySchema(Strict):
    """``records.create_requests``: one request to many records, idempotent by (key,
    record_id): a repeat answers the request made first as sent and makes nothing new."""

    key = fields.String(required=True, validate=validate.Length(min=1, max=200))
    record_ids = unique_list(fields.UUID(), what="record id", required=True,
                             validate=validate.Length(min=1, max=BULK_REQUEST_LIMIT))
    request = fields.Nested(RequestCreateSchema, required=True)


class BulkRequestResultSchema(Schema):
    record_id = fields.UUID(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(BULK_REQUEST_OUTCOMES))
    code = fields.String(required=True, allow_none=True,
                         validate=validate.OneOf(BULK_REQUEST_CODES))
    request_id = fields.UUID(required=True, allow_none=True)


class BulkRequestsSchema(Schema):
    results = fields.List(fields.Nested(BulkRequestResultSchema), required=True)


AssessmentPageSchema = page_of(AssessmentSchema)
RequestPageSchema = page_of(RequestSchema)
PortalRequestPageSchema = page_of(PortalRequestSchema)
DocumentPageSchema = page_of(DocumentSchema)
RoiPageSchema = page_of(RoiSchema)


class DocumentCategorySchema(Schema):
    category = fields.String(required=True)
    names = fields.List(fields.String(), required=True, metadata={
        "description": "its predefined document names; any other is `other` with other_name"})


class DocumentCategoriesSchema(Schema):
    items = fields.List(fields.Nested(DocumentCategorySchema), required=True)
