"""Requests to clients and what fulfils them (REQ-1 to REQ-3).

- Assessments: any staff member lists them; administrators (``agency_admin``) create them and
  mark them requestable or not. Staff ask only for requestable ones.
- Sending (any staff member of the agency, as for the record's other details): one statement
  for one record (``send_request``) or up to 10,000 (``create_requests``, mass sending,
  idempotent by key and record). A record is asked only when its client has a portal account
  and is not banned (``no_portal_account``), is neither inactive nor closed
  (``client_inactive``) and, for an ROI, has no active ROI expiring after 7 days (``roi_active``,
  REQ-2); the agency's portal must be on with its ``requests`` feature (``portal_not_enabled``).
- Fulfilment in the portal: only the client's own request (404 like an unknown one otherwise),
  the portal checks of ``portal_get_record`` (403 banned or portal off) and the ``requests``
  feature (403), once (409 ``request_closed``); ``request_fulfilled`` goes to the requester's
  notifications, and what was provided shows on the record (REQ-3).
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta

from eventlet import tpool

from casework import callers, cursors
from casework.callers import StaffCaller, known_id, staff
from casework.dumping import page_dumper
from casework.errors import (
    CaseworkError,
    ClientInactive,
    NoPortalAccount,
    NotFound,
    PermissionDenied,
    PortalNotEnabled,
    RequestClosed,
    RoiActive,
    UnsupportedMediaType,
    ValidationFailed,
)
from casework.rpc import rpc
from casework.validation import load
from contracts.common import ListQuerySchema
from contracts.records import (
    AnswersSchema,
    AssessmentCreateSchema,
    AssessmentPatchSchema,
    AssessmentQuerySchema,
    AssessmentSchema,
    BulkRequestResultSchema,
    BulkRequestsBodySchema,
    DocumentFileSchema,
    DocumentSchema,
    DocumentUploadSchema,
    LocationBodySchema,
    PortalRequestSchema,
    RequestCreateSchema,
    RequestQuerySchema,
    RequestSchema,
    RoiBodySchema,
    RoiSchema,
)

from .. import domain
from ..queries import audit, global_records, records
from ..queries import requests as queries
from .common import one_dumper, request_id, require_record

assessment_query, assessment_create = AssessmentQuerySchema(), AssessmentCreateSchema()
assessment_patch, request_create = AssessmentPatchSchema(), RequestCreateSchema()
bulk_body, request_query, list_query = BulkRequestsBodySchema(), RequestQuerySchema(), \
    ListQuerySchema()
answers_body, location_body, roi_body = AnswersSchema(), LocationBodySchema(), RoiBodySchema()
upload_schema = DocumentUploadSchema()
dump_assessments, dump_assessment = page_dumper(AssessmentSchema()), \
    one_dumper(AssessmentSchema())
dump_requests, dump_request = page_dumper(RequestSchema()), one_dumper(RequestSchema())
dump_portal_requests = page_dumper(PortalRequestSchema())
dump_portal_request = one_dumper(PortalRequestSchema())
dump_documents, dump_document_file = page_dumper(DocumentSchema()), \
    one_dumper(DocumentFileSchema())
dump_rois = page_dumper(RoiSchema())
dump_results = page_dumper(BulkRequestResultSchema())  # up to 10,000 a call

SKIPPED = ("roi_active", "client_inactive", "no_portal_account")
FULFILMENT = {"assessment": answers_body, "location": location_body, "roi": roi_body}


def _admin(caller) -> StaffCaller:
    caller = staff(caller)
    caller.require(domain.Permission.AGENCY_ADMIN)
    return caller


def _today():
    return datetime.now(UTC).date()


def _correlation(caller, uow) -> str:
    """The correlation id the events of a set-based statement carry (as ``emit`` gives)."""
    return uow.correlation_id or request_id(caller, uow) or records.new_id()


def _refusal(code: str, record_id: str) -> CaseworkError:
    if code == "not_found":
        return NotFound("record not found")
    if code == "roi_active":
        url = domain.rois_url(record_id)
        return RoiActive(
            "the client has an active release of information that does not expire within "
            f"{domain.ROI_RENEWAL_DAYS} days; see the record's ROI history at {url}",
            extra={"rois_url": url})
    if code == "client_inactive":
        return ClientInactive("requests go only to clients whose record is neither inactive "
                              "nor closed")
    return NoPortalAccount("the client has no portal account with this agency (or is banned "
                           "from its portal), so cannot be asked through the portal")


class RequestEntrypoints:
    # --- assessments --------------------------------------------------------------------------

    @rpc(expected_exceptions=CaseworkError)
    def list_assessments(self, caller, params):
        caller = staff(caller)
        query = load(assessment_query, params)
        offset = cursors.offset(query["cursor"])
        with self.db.read() as session:
            rows = queries.list_assessments(session, caller.organization_id,
                                            requestable=query["requestable"], offset=offset,
                                            limit=query["limit"])
        items, next_cursor = cursors.offset_page(rows, offset, query["limit"])
        return {"items": dump_assessments(items), "next_cursor": next_cursor}

    @rpc(expected_exceptions=CaseworkError)
    def create_assessment(self, caller, payload):
        caller = _admin(caller)
        data = load(assessment_create, payload)
        assessment_id = records.new_id()
        with self.db.transaction() as uow:
            queries.create_assessment(uow.session, caller.organization_id, {
                "id": assessment_id, "name": data["name"], "requestable": data["requestable"],
                "questions": [{"id": q["id"], "text": q["text"], "kind": q["kind"],
                               "choices": q.get("choices")} for q in data["questions"]],
                "created_by": caller.user_id})
            return dump_assessment(queries.get_assessment(uow.session, caller.organization_id,
                                                          assessment_id))

    @rpc(expected_exceptions=CaseworkError)
    def update_assessment(self, caller, assessment_id, payload):
        caller = _admin(caller)
        assessment_id = known_id(assessment_id, "assessment")
        data = load(assessment_patch, payload)
        with self.db.transaction() as uow:
            if not queries.set_requestable(uow.session, caller.organization_id, assessment_id,
                                           data["requestable"]):
                raise NotFound("assessment not found")
            return dump_assessment(queries.get_assessment(uow.session, caller.organization_id,
                                                          assessment_id))

    # --- sending (REQ-1, REQ-2) ---------------------------------------------------------------

    def _request_to_send(self, session, caller: StaffCaller, data: dict) -> dict:
        """The request as stored: its title, and the assessment checked as the agency's and
        requestable."""
        request = {**data, "stored_document_name": None}
        if data["type"] == "assessment":
            found = queries.get_assessment(session, caller.organization_id,
                                           str(data["assessment_id"]))
            if found is None or not found["requestable"]:
                raise ValidationFailed("not a requestable assessment of this agency", {
                    "assessment_id": ["not a requestable assessment of this agency"]})
            request["assessment_id"] = str(found["id"])
            request["title"] = domain.request_title("assessment",
                                                    assessment_name=found["name"])
        else:
            if data["type"] == "document":
                request["stored_document_name"] = (
                    data["other_name"] if data["document_name"] == "other"
                    else data["document_name"])
            request["title"] = domain.request_title(
                data["type"], document_name=data.get("document_name"),
                other_name=data.get("other_name"))
        return request

    def _require_portal_requests(self, organization_id: str) -> None:
        portal = self.identity.organization_portal(organization_id)
        if not portal["portal_enabled"] or domain.REQUEST_FEATURE not in portal[
                "portal_features"]:
            raise PortalNotEnabled("requests go through the client portal: turn the portal on "
                                   "with its 'requests' feature first")

    def _send(self, caller: StaffCaller, record_ids: list[str], data: dict,
              bulk_key: str | None) -> list[dict]:
        self._require_portal_requests(caller.organization_id)
        today = _today()
        org = caller.organization_id
        with self.db.transaction() as uow:
            request = self._request_to_send(uow.session, caller, data)
            if bulk_key is not None:
                queries.lock_bulk_key(uow.session, org, bulk_key)
            rows = queries.send(uow.session, org, record_ids, request, bulk_key=bulk_key,
                                actor_id=caller.user_id, request_id=request_id(caller, uow),
                                correlation_id=_correlation(caller, uow), today=today,
                                roi_limit=today + timedelta(days=domain.ROI_RENEWAL_DAYS))
            created = [r for r in rows if r["created"]]
            uow.stored_by_statement("request_created", created and {
                "request_id": created[0]["request_id"], "record_id": created[0]["record_id"],
                "type": request["type"], "requested_by": caller.user_id,
                "private": request["private"], "title": request["title"]}, len(created))
            if bulk_key is None and rows[0]["code"] is None:
                return [{**rows[0], "request": queries.get_request(
                    uow.session, org, rows[0]["request_id"])}]
        return rows

    @rpc(expected_exceptions=CaseworkError)
    def send_request(self, caller, record_id, payload):
        """``POST /staff/records/{id}/requests`` (REQ-1, REQ-2)."""
        caller, record_id = staff(caller), known_id(record_id)
        data = load(request_create, payload)
        with self.db.read() as session:  # an unknown record is 404 whatever the portal says
            require_record(session, caller, record_id)
        (row,) = self._send(caller, [record_id], data, None)
        if row["code"] is not None:
            raise _refusal(row["code"], record_id)
        return dump_request(row["request"])

    @rpc(expected_exceptions=CaseworkError)
    def create_requests(self, caller, payload):
        """Mass sending (BRIEF contract 2): one request to up to 10,000 records (each once) in
        one statement, a result per id in the caller's order. Idempotent by (``key``, record):
        a repeat answers the request made first as sent and makes nothing new."""
        caller = staff(caller)
        data = load(bulk_body, payload)
        rows = self._send(caller, [str(i) for i in data["record_ids"]], data["request"],
                          data["key"])
        results = [{"record_id": row["record_id"], "code": row["code"],
                    "request_id": row["request_id"],
                    "outcome": "sent" if row["code"] is None
                    else "skipped" if row["code"] in SKIPPED else "failed"} for row in rows]
        return {"results": dump_results(results)}

    @rpc(expected_exceptions=CaseworkError)
    def cancel_request(self, caller, record_id, client_request_id):
        """Staff withdraw an open request: it leaves the client's list (409 once fulfilled)."""
        caller, record_id = staff(caller), known_id(record_id)
        client_request_id = known_id(client_request_id, "request")
        org = caller.organization_id
        with self.db.transaction() as uow:
            found = queries.request_with_record(uow.session, client_request_id, lock=True)
            if found is None or str(found["organization_id"]) != org or \
                    str(found["record_id"]) != record_id:
                raise NotFound("request not found")
            if found["status"] != "requested":
                raise RequestClosed(f"the request is already {found['status']}")
            cancelled = queries.cancel(uow.session, client_request_id)
            audit.write(uow.session, caller, org, record_id, "request_cancelled", {
                "requests": {"old": {"id": client_request_id, "status": "requested"},
                             "new": {"id": client_request_id, "status": "cancelled"}}},
                request_id(caller, uow))
        return dump_request(cancelled)

    # --- what the record shows (REQ-3) --------------------------------------------------------

    def _audited_page(self, caller, record_id, params, schema, read, action: str):
        caller, record_id = staff(caller), known_id(record_id)
        query = load(schema, params)
        offset = cursors.offset(query["cursor"])
        with self.db.transaction(rerunnable=True) as uow:
            require_record(uow.session, caller, record_id)
            rows = read(uow.session, caller.organization_id, record_id, query, offset)
            audit.write(uow.session, caller, caller.organization_id, record_id, action,
                        request_id=request_id(caller, uow), call_id=uow.call_id)
        return cursors.offset_page(rows, offset, query["limit"])

    @rpc(expected_exceptions=CaseworkError)
    def list_requests(self, caller, record_id, params):
        """The record's requests, newest first, with their status and what fulfilled them
        (an audited read: answers and locations are the client's)."""
        items, next_cursor = self._audited_page(
            caller, record_id, params, request_query,
            lambda s, org, rid, q, offset: queries.list_requests(
                s, org, rid, status=q["status"], offset=offset, limit=q["limit"]),
            "requests_read")
        return {"items": dump_requests(items), "next_cursor": next_cursor}

    @rpc(expected_exceptions=CaseworkError)
    def list_documents(self, caller, record_id, params):
        items, next_cursor = self._audited_page(
            caller, record_id, params, list_query,
            lambda s, org, rid, q, offset: queries.list_documents(
                s, org, rid, offset=offset, limit=q["limit"]), "documents_read")
        for item in items:
            item["url"] = domain.document_url(item["record_id"], item["id"])
        return {"items": dump_documents(items), "next_cursor": next_cursor}

    @rpc(expected_exceptions=CaseworkError)
    def list_rois(self, caller, record_id, params):
        """The record's ROI history, latest expiry first, each saying whether it is active."""
        today = _today()
        items, next_cursor = self._audited_page(
            caller, record_id, params, list_query,
            lambda s, org, rid, q, offset: queries.list_rois(
                s, org, rid, offset=offset, limit=q["limit"]), "rois_read")
        for item in items:
            item["active"] = item["starts_on"] <= today <= item["expires_on"]
        return {"items": dump_rois(items), "next_cursor": next_cursor}

    @rpc(expected_exceptions=CaseworkError)
    def get_document(self, caller, record_id, document_id):
        """A document's bytes (an audited read)."""
        caller, record_id = staff(caller), known_id(record_id)
        document_id = known_id(document_id, "document")
        org = caller.organization_id
        with self.db.transaction(rerunnable=True) as uow:
            require_record(uow.session, caller, record_id)
            found = queries.get_document(uow.session, org, record_id, document_id)
            if found is None:
                raise NotFound("document not found")
            audit.write(uow.session, caller, org, record_id, "document_read",
                        {"documents": {"old": None, "new": {"id": document_id}}},
                        request_id(caller, uow), call_id=uow.call_id)
        return dump_document_file({
            **found, "url": domain.document_url(record_id, document_id),
            "filename": domain.document_filename(document_id, found["content_type"]),
            "data": base64.b64encode(found["data"]).decode("ascii")})

    # --- the portal (REQ-3) -------------------------------------------------------------------

    def _portal_requests_allowed(self, row: dict | None) -> None:
        """The checks of ``portal_get_record`` (404 not theirs, 403 banned or portal off) and
        the agency's ``requests`` feature (403)."""
        portal = self._portal(row)
        if domain.REQUEST_FEATURE not in portal["portal_features"]:
            raise PermissionDenied("this agency does not ask its clients for anything here")

    @rpc(expected_exceptions=CaseworkError)
    def portal_list_requests(self, caller, record_id, params):
        caller, record_id = callers.portal(caller), callers.known_id(record_id, "record")
        query = load(list_query, params)
        offset = cursors.offset(query["cursor"])
        with self.db.read() as session:
            row = global_records.portal_record(session, caller.global_record_id, record_id)
        self._portal_requests_allowed(row)
        with self.db.read() as session:
            rows = queries.portal_requests(session, str(row["organization_id"]), record_id,
                                           offset=offset, limit=query["limit"])
        items, next_cursor = cursors.offset_page(rows, offset, query["limit"])
        return {"items": dump_portal_requests([_portal_item(r) for r in items]),
                "next_cursor": next_cursor}

    def _open_request(self, caller, client_request_id: str) -> dict:
        """The caller's open request: 404 when it is not theirs (like an unknown one), the
        portal checks, 409 ``request_closed`` once fulfilled. Read before any transaction (the
        portal settings are identity's answer); ``_locked`` checks again under the lock."""
        with self.db.read() as session:
            found = queries.request_with_record(session, client_request_id, lock=False)
        _check_theirs(found, caller)
        self._portal_requests_allowed({**found, "id": found["record_id"]})
        _check_open(found)
        return found

    @staticmethod
    def _locked(session, caller, client_request_id: str) -> dict:
        found = queries.request_with_record(session, client_request_id, lock=True)
        _check_theirs(found, caller)
        if found["portal_status"] == "banned":
            raise PermissionDenied("this agency has closed its portal to you")
        _check_open(found)
        return found

    @rpc(expected_exceptions=CaseworkError)
    def portal_fulfil_request(self, caller, client_request_id, payload):
        """An assessment's answers, a location or an ROI (JSON); a document is
        ``portal_upload_document``."""
        caller = callers.portal(caller)
        client_request_id = callers.known_id(client_request_id, "request")
        today = _today()
        kind = self._open_request(caller, client_request_id)["type"]
        if kind == "document":
            raise UnsupportedMediaType("a document request is fulfilled with the file itself: "
                                       "send a PDF or an image as the body")
        data = load(FULFILMENT[kind], payload)
        with self.db.transaction() as uow:
            found = self._locked(uow.session, caller, client_request_id)
            extra: dict = {}
            if kind == "assessment":
                questions = queries.questions_of(uow.session, str(found["assessment_id"]))
                values = {"answers": domain.check_answers(questions, data["answers"])}
            elif kind == "location":
                values = {"location": {"latitude": data["latitude"],
                                       "longitude": data["longitude"],
                                       "address": data["address"]}}
            else:
                domain.check_roi(data["starts_on"], data["expires_on"], today)
                roi_id = records.new_id()
                queries.save_roi(uow.session, {
                    "id": roi_id, "organization_id": found["organization_id"],
                    "record_id": found["record_id"], "request_id": client_request_id,
                    "starts_on": data["starts_on"], "expires_on": data["expires_on"],
                    "signed_name": data["signed_name"]})
                values = {"roi_id": roi_id}
                extra = {"starts_on": str(data["starts_on"]),
                         "expires_on": str(data["expires_on"])}
            return self._fulfilled(uow, caller, found, values, extra)

    @rpc(expected_exceptions=CaseworkError)
    def portal_upload_document(self, caller, client_request_id, payload):
        """A document request's file: a PDF (parsed: refused when it does not parse, is
        encrypted or carries JavaScript or launch actions) or an image (re-encoded, REC-2)."""
        caller = callers.portal(caller)
        client_request_id = callers.known_id(client_request_id, "request")
        upload, declared = _document_bytes(payload)
        found = self._open_request(caller, client_request_id)  # 404, 403, 409 before parsing
        if found["type"] != "document":
            raise UnsupportedMediaType(f"a {found['type']} request is fulfilled with a JSON "
                                       "body, not a file")
        domain.check_document(upload, declared)  # the cheap refusals, before a thread is taken
        content_type, data = tpool.execute(domain.clean_document, upload, declared)
        with self.db.transaction() as uow:
            found = self._locked(uow.session, caller, client_request_id)
            document_id = records.new_id()
            queries.save_document(uow.session, {
                "id": document_id, "organization_id": found["organization_id"],
                "record_id": found["record_id"], "request_id": client_request_id,
                "category": found["document_category"], "name": found["document_name"],
                "content_type": content_type, "byte_size": len(data), "data": data,
                "private": found["private"]})
            return self._fulfilled(uow, caller, found, {"document_id": document_id}, {
                "content_type": content_type, "byte_size": len(data)})

    def _fulfilled(self, uow, caller, found: dict, values: dict, extra: dict) -> dict:
        org, record_id = str(found["organization_id"]), str(found["record_id"])
        done = queries.fulfil(uow.session, str(found["id"]), values)
        audit.write(uow.session, None, org, record_id, "request_fulfilled", {"requests": {
            "old": {"id": str(found["id"]), "status": "requested"},
            "new": {"id": str(found["id"]), "status": "fulfilled", "type": found["type"],
                    **extra}}}, caller.request_id or uow.correlation_id)
        uow.emit("request_fulfilled", {
            "request_id": done["id"], "record_id": record_id, "type": done["type"],
            "requested_by": done["requested_by"], "private": done["private"],
            "title": done["title"], "fulfilled_at": done["fulfilled_at"]},
            organization_id=org)
        assessment = None
        if done["type"] == "assessment":
            assessment = queries.get_assessment(uow.session, org, str(done["assessment_id"]))
        return dump_portal_request({**done, "assessment": assessment})


def _check_theirs(found: dict | None, caller) -> None:
    if found is None or found["global_record_id"] is None or \
            str(found["global_record_id"]) != caller.global_record_id or \
            found["status"] == "cancelled":
        raise NotFound("request not found")


def _check_open(found: dict) -> None:
    if found["status"] != "requested":
        raise RequestClosed(f"this request is already {found['status']}")


def _portal_item(row: dict) -> dict:
    assessment = None
    if row["assessment_id"] is not None:
        assessment = {"id": row["assessment_id"], "name": row["assessment_name"],
                      "questions": row["assessment_questions"]}
    return {**row, "assessment": assessment}


def _document_bytes(payload) -> tuple[bytes, str | None]:
    try:
        upload = load(upload_schema, payload)
    except ValidationFailed:
        raise UnsupportedMediaType("send the document's bytes") from None
    try:
        return base64.b64decode(upload["data"], validate=True), upload["content_type"]
    except (binascii.Error, ValueError):
        raise UnsupportedMediaType("the document's bytes could not be read") from None
