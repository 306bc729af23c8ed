"""Requests to clients and what fulfils them (REQ-1 to REQ-3): the agency's assessments, the
requests of a record with the documents and releases of information (ROIs) clients provided, and
the portal's side: the client's requests and their fulfilment."""

from __future__ import annotations

import base64
import json

from werkzeug.wrappers import Response

from casework.errors import MalformedRequest, PayloadTooLarge
from casework.validation import load
from contracts.common import ListQuerySchema
from contracts.records import (
    DOCUMENT_CATEGORIES,
    MAX_DOCUMENT_BYTES,
    AssessmentCreateSchema,
    AssessmentPageSchema,
    AssessmentPatchSchema,
    AssessmentQuerySchema,
    AssessmentSchema,
    DocumentCategoriesSchema,
    DocumentPageSchema,
    FulfilBodySchema,
    PortalRequestPageSchema,
    PortalRequestSchema,
    RequestCreateSchema,
    RequestPageSchema,
    RequestQuerySchema,
    RequestSchema,
    RoiPageSchema,
)

from ..routing import (
    MAX_JSON_BYTES,
    MAX_JSON_DEPTH,
    nesting_exceeds,
    plain,
    refuse_many_unknown_fields,
    refuse_unstorable_text,
    route,
)

RECORD = "/api/v1/staff/records/<record_id>"
ASSESSMENTS = "/api/v1/staff/assessments"
# a fulfilment is JSON (answers, a location, an ROI) or the document itself
FULFIL_TYPES = ("application/json", "application/pdf", "image/jpeg", "image/png", "image/gif",
                "image/webp", "application/octet-stream")
FULFIL_BODY = FulfilBodySchema()
CATEGORIES = DocumentCategoriesSchema().dump({"items": [
    {"category": category, "names": list(names)}
    for category, names in DOCUMENT_CATEGORIES.items()]})


class RequestRoutes:
    # --- assessments (REQ-1) ------------------------------------------------------------------

    @route("GET", ASSESSMENTS, audience="staff", query=AssessmentQuerySchema(),
           responses={200: AssessmentPageSchema}, tag="requests")
    def list_assessments(self, call, query):
        """The agency's assessments with their questions, newest first
        (``?requestable=true``: only those staff may ask clients for)."""
        return self.rpc.records.list_assessments(call.caller, query)

    @route("POST", ASSESSMENTS, audience="staff", permission="agency_admin",
           body=AssessmentCreateSchema(), responses={201: AssessmentSchema}, tag="requests")
    def create_assessment(self, call, body):
        """A new assessment (administrators): questions of kind text, number, yes_no or choice
        (with 2 to 50 choices), ids unique; requestable unless ``requestable`` is false."""
        return 201, self.rpc.records.create_assessment(call.caller, body)

    @route("PATCH", f"{ASSESSMENTS}/<assessment_id>", audience="staff",
           permission="agency_admin", body=AssessmentPatchSchema(),
           responses={200: AssessmentSchema}, tag="requests")
    def update_assessment(self, call, assessment_id, body):
        """Mark an assessment requestable or not (administrators); its questions stay as they
        are, so that answers already given keep their meaning."""
        return self.rpc.records.update_assessment(call.caller, assessment_id, body)

    @route("GET", "/api/v1/staff/document-categories", audience="staff",
           responses={200: DocumentCategoriesSchema}, tag="requests")
    def document_categories(self, call):
        """The document categories and their predefined names (the same for every agency)."""
        return CATEGORIES

    # --- a record's requests (REQ-1 to REQ-3) -------------------------------------------------

    @route("POST", f"{RECORD}/requests", audience="staff", body=RequestCreateSchema(),
           responses={201: RequestSchema}, errors=(409,), tag="requests")
    def send_request(self, call, record_id, body):
        """Ask the client through the portal (REQ-1): 409 ``roi_active`` (with ``rois_url``)
        while an active ROI does not expire within 7 days (REQ-2), ``no_portal_account``,
        ``client_inactive`` (inactive or closed record), ``portal_not_enabled`` (the agency's
        portal or its ``requests`` feature is off); 422 for an assessment that is not
        requestable."""
        return 201, self.rpc.records.send_request(call.caller, record_id, body)

    @route("GET", f"{RECORD}/requests", audience="staff", query=RequestQuerySchema(),
           responses={200: RequestPageSchema}, tag="requests")
    def list_requests(self, call, record_id, query):
        """The record's requests with their status and what fulfilled them, newest first
        (REQ-3; an audited read)."""
        return self.rpc.records.list_requests(call.caller, record_id, query)

    @route("POST", f"{RECORD}/requests/<request_id>/cancel", audience="staff",
           responses={200: RequestSchema}, errors=(409,), tag="requests")
    def cancel_request(self, call, record_id, request_id):
        """Withdraw an open request; 409 ``request_closed`` once fulfilled or cancelled."""
        return self.rpc.records.cancel_request(call.caller, record_id, request_id)

    @route("GET", f"{RECORD}/documents", audience="staff", query=ListQuerySchema(),
           responses={200: DocumentPageSchema}, tag="requests")
    def list_documents(self, call, record_id, query):
        """The documents the client provided, newest first (an audited read)."""
        return self.rpc.records.list_documents(call.caller, record_id, query)

    @route("GET", f"{RECORD}/documents/<document_id>", audience="staff", tag="requests")
    def get_document(self, call, record_id, document_id):
        """A document's bytes with their content type, as an attachment named after its id
        (an audited read)."""
        found = self.rpc.records.get_document(call.caller, record_id, document_id)
        return Response(base64.b64decode(found["data"]), status=200,
                        mimetype=found["content_type"], headers={
                            "X-Request-Id": call.request_id,
                            "Content-Disposition":
                                f'attachment; filename="{found["filename"]}"',
                            "Cache-Control": "private, no-store",
                            "Content-Security-Policy": "default-src 'none'; sandbox",
                            "X-Content-Type-Options": "nosniff"})

    @route("GET", f"{RECORD}/rois", audience="staff", query=ListQuerySchema(),
           responses={200: RoiPageSchema}, tag="requests")
    def list_rois(self, call, record_id, query):
        """The record's releases of information, latest expiry first, each with ``active``
        (an audited read)."""
        return self.rpc.records.list_rois(call.caller, record_id, query)

    # --- the portal (REQ-3) -------------------------------------------------------------------

    @route("GET", "/api/v1/portal/records/<record_id>/requests", audience="portal",
           query=ListQuerySchema(), responses={200: PortalRequestPageSchema}, errors=(403,),
           tag="portal")
    def portal_requests(self, call, record_id, query):
        """The client's requests on one agency record, open ones first, each assessment with
        its questions; 403 while banned, when the portal or its ``requests`` feature is off."""
        return self.rpc.records.portal_list_requests(call.caller, record_id, query)

    @route("POST", "/api/v1/portal/requests/<request_id>/fulfil", audience="portal",
           raw_body=FULFIL_TYPES, max_body_bytes=MAX_DOCUMENT_BYTES, raw_json=FULFIL_BODY,
           responses={200: PortalRequestSchema}, errors=(400, 403, 409, 415, 422),
           tag="portal")
    def fulfil_request(self, call, request_id, body):
        """Fulfil a request (REQ-3), once (409 ``request_closed``). As JSON
        (``application/json``, at most 1 MiB): an assessment ``{answers: {question_id:
        value}}`` (every question, by its kind), a location ``{latitude, longitude, address}``,
        an ROI ``{starts_on, expires_on, signed_name}``. A document as the file itself: a PDF
        (at most 10 MiB; refused with 415 when it does not parse, is encrypted or carries
        JavaScript or launch actions) or a JPEG, PNG, GIF or WebP image (at most 5 MiB,
        re-encoded), checked by its bytes."""
        if call.request.mimetype == "application/json":
            return self.rpc.records.portal_fulfil_request(call.caller, request_id,
                                                          _fulfilment(body))
        return self.rpc.records.portal_upload_document(call.caller, request_id, {
            "content_type": call.request.mimetype or None,
            "data": base64.b64encode(body).decode("ascii")})


def _fulfilment(body: bytes) -> dict:
    """A JSON fulfilment, read as every JSON body is (1 MiB, nesting, text PostgreSQL can
    store) and loaded with the contract before any RPC."""
    if len(body) > MAX_JSON_BYTES:
        raise PayloadTooLarge(f"a JSON body may be at most {MAX_JSON_BYTES} bytes")
    try:
        data = json.loads(body or b"null")
    except RecursionError:
        raise MalformedRequest(f"the body nests deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError:
        raise MalformedRequest("the body is not valid JSON") from None
    if nesting_exceeds(data, MAX_JSON_DEPTH):
        raise MalformedRequest(f"the body nests deeper than {MAX_JSON_DEPTH} levels")
    if not isinstance(data, dict):
        raise MalformedRequest("the body must be a JSON object")
    refuse_unstorable_text(data)
    refuse_many_unknown_fields(FULFIL_BODY, data)
    return plain(load(FULFIL_BODY, data))
