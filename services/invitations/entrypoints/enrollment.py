"""Global invitation links and enrollment requests (INV-5, INV-6): administrators make and
disable the agency's link; a visitor who follows it gets a global record, an account and a
request; staff see pending requests with the agency's likely duplicates, and accept (a new
record, or one they pick) or reject them."""

from __future__ import annotations

from casework import callers, cursors
from casework.config import settings
from casework.errors import CaseworkError, Conflict, InvitationInvalid, NotFound
from casework.rpc import rpc
from casework.validation import load
from contracts.invitations import (
    EnrollmentAcceptSchema,
    EnrollmentQuerySchema,
    EnrollmentRequestSchema,
    InvitationLinkCreateSchema,
    InvitationLinkSchema,
    JoinedSchema,
    JoinSchema,
    JoinViewSchema,
)

from .. import domain
from ..queries import enrollment
from .common import page_params

LINK_CREATE, LINK = InvitationLinkCreateSchema(), InvitationLinkSchema()
JOIN, JOINED, JOIN_VIEW = JoinSchema(), JoinedSchema(), JoinViewSchema()
REQUEST_QUERY, REQUEST = EnrollmentQuerySchema(), EnrollmentRequestSchema()
ACCEPT = EnrollmentAcceptSchema()
INVITE = "client_account_invitations"
SLUG_LENGTH = 32


def _link_view(row: dict) -> dict:
    return LINK.dump({**row, "url": domain.join_link(settings().portal_url, row["slug"])})


def _slug(slug) -> str:
    if not isinstance(slug, str) or len(slug) != SLUG_LENGTH:
        raise InvitationInvalid("this invitation link is unknown or disabled")
    return slug


class EnrollmentEntrypoints:
    # --- the agency's global link (administrators) --------------------------------------------

    @rpc(expected_exceptions=CaseworkError)
    def create_invitation_link(self, caller, payload):
        caller = callers.administrator(caller)
        load(LINK_CREATE, payload)
        portal = self.identity.organization_portal(caller.organization_id)
        with self.db.transaction() as uow:
            row = enrollment.insert_link(uow.session, {
                "id": domain.new_id(), "organization_id": caller.organization_id,
                "organization_name": portal["name"], "slug": domain.new_slug(),
                "created_by": caller.user_id})
        return _link_view(row)

    @rpc(expected_exceptions=CaseworkError)
    def list_invitation_links(self, caller, params):
        caller = callers.administrator(caller)
        query, offset = page_params(params)
        with self.db.read() as session:
            rows = enrollment.links(session, caller.organization_id, offset, query["limit"])
        rows, next_cursor = cursors.offset_page(rows, offset, query["limit"])
        return {"items": [_link_view(r) for r in rows], "next_cursor": next_cursor}

    @rpc(expected_exceptions=CaseworkError)
    def disable_invitation_link(self, caller, link_id):
        caller, link_id = callers.administrator(caller), callers.known_id(link_id, "link")
        with self.db.transaction() as uow:
            if not enrollment.disable_link(uow.session, caller.organization_id, link_id):
                raise NotFound("link not found")

    # --- public: joining through the link -----------------------------------------------------

    @rpc(expected_exceptions=CaseworkError)
    def get_join(self, slug):
        slug = _slug(slug)
        with self.db.read() as session:
            link = enrollment.active_link(session, slug)
        if link is None:
            raise InvitationInvalid("this invitation link is unknown or disabled")
        return JOIN_VIEW.dump(link)

    @rpc(expected_exceptions=CaseworkError)
    def join(self, slug, payload, address=None):
        """INV-5: a global record and account (or the existing account, proven by its password)
        and a pending enrollment request of the agency."""
        slug = _slug(slug)
        data = load(JOIN, payload)
        with self.db.transaction() as uow:
            session = uow.session
            link = enrollment.active_link(session, slug)
            if link is None:
                raise InvitationInvalid("this invitation link is unknown or disabled")
            claimed = self.identity.claim_portal_account({
                "email": data["email"], "password": data["password"],
                "first_name": data["first_name"], "last_name": data["last_name"],
                "phones": data["phones"]}, address)
            request = enrollment.insert_request(session, {
                "id": domain.new_id(), "organization_id": link["organization_id"],
                "link_id": link["id"], "global_record_id": claimed["global_record_id"],
                "account_id": claimed["account_id"], "first_name": data["first_name"],
                "last_name": data["last_name"], "email": data["email"].strip(),
                "phones": data["phones"]})
            uow.emit("enrollment_requested", {"request_id": request["id"],
                                              "global_record_id": request["global_record_id"]},
                     organization_id=str(link["organization_id"]))
        return JOINED.dump({"request_id": request["id"], "status": request["status"]})

    # --- staff: the requests ------------------------------------------------------------------

    @rpc(expected_exceptions=CaseworkError)
    def list_enrollment_requests(self, caller, params):
        """Requests by status (pending first in line), each with its likely duplicates in the
        agency (INV-6), matched for the whole page in one call to records."""
        raw, caller = caller, callers.staff(caller)
        caller.require(INVITE)
        query, offset = page_params(params, REQUEST_QUERY)
        with self.db.read() as session:
            rows = enrollment.requests_page(session, caller.organization_id, query["status"],
                                            offset, query["limit"])
        rows, next_cursor = cursors.offset_page(rows, offset, query["limit"])
        matches = self.records.match_people(raw, {"people": [_person(r) for r in rows]})[
            "items"] if rows else []
        return {"items": [REQUEST.dump({**row, "possible_duplicates": match["items"]})
                          for row, match in zip(rows, matches, strict=True)],
                "next_cursor": next_cursor}

    @rpc(expected_exceptions=CaseworkError)
    def accept_enrollment_request(self, caller, request_id, payload):
        """Creates the agency's record from the request, or links the record staff picked; the
        record becomes a copy of the client's global record (ID-4)."""
        raw, caller = caller, callers.staff(caller)
        request_id = callers.known_id(request_id, "enrollment request")
        caller.require(INVITE)
        data = load(ACCEPT, payload)
        org = caller.organization_id
        with self.db.transaction() as uow:
            session = uow.session
            request = _pending(enrollment.lock_request(session, org, request_id))
            if data["record_id"]:
                target = self.records.invitation_target(raw, str(data["record_id"]))
                linked = target["global_record_id"]
                if linked and str(linked) != str(request["global_record_id"]):
                    raise Conflict("that record is linked to another person's portal account",
                                   {"record_id": ["already linked to another account"]})
                record_id = str(target["record_id"])
            else:
                record_id = self.records.create_record(raw, {
                    "kind": "client", "first_name": request["first_name"],
                    "last_name": request["last_name"], "email": request["email"],
                    "phones": request["phones"]})["id"]
            self.identity.link_global_record({
                "global_record_id": str(request["global_record_id"]), "organization_id": org,
                "record_id": record_id})
            row = enrollment.decide(session, request_id, {
                "status": "accepted", "record_id": record_id, "decided_by": caller.user_id})
            uow.emit("enrollment_accepted", {
                "request_id": request_id, "global_record_id": request["global_record_id"],
                "record_id": record_id, "email": request["email"]}, organization_id=org)
        return REQUEST.dump({**row, "possible_duplicates": []})

    @rpc(expected_exceptions=CaseworkError)
    def reject_enrollment_request(self, caller, request_id):
        caller = callers.staff(caller)
        request_id = callers.known_id(request_id, "enrollment request")
        caller.require(INVITE)
        with self.db.transaction() as uow:
            _pending(enrollment.lock_request(uow.session, caller.organization_id, request_id))
            row = enrollment.decide(uow.session, request_id, {
                "status": "rejected", "decided_by": caller.user_id})
        return REQUEST.dump({**row, "possible_duplicates": []})


def _pending(request: dict | None) -> dict:
    if request is None:
        raise NotFound("enrollment request not found")
    if request["status"] != "pending":
        raise Conflict(f"the request was {request['status']} already")
    return request


def _person(row: dict) -> dict:
    phone = row["phones"][0]["number"] if row["phones"] else None
    return {"first_name": row["first_name"], "last_name": row["last_name"],
            "email": row["email"], "phone": phone}
