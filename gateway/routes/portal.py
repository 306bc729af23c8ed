"""Portal (client token) routes of API.md "Portal": the global record (identity) and the
agency records (records) of the signed-in client, and their scheduling on each (scheduling)."""

from __future__ import annotations

from contracts.common import ListQuerySchema
from contracts.identity import GlobalRecordUpdateSchema, PortalProfileSchema
from contracts.records import (
    PortalAccessPageSchema,
    PortalRecordPatchSchema,
    PortalRecordSchema,
)
from contracts.scheduling import (
    AvailabilityBodySchema,
    AvailabilitySchema,
    PortalPaymentPageSchema,
    PortalPractitionersSchema,
    PortalSessionPageSchema,
    PortalSessionQuerySchema,
)

from ..routing import route

RECORD = "/api/v1/portal/records/<record_id>"


class PortalIdentityRoutes:
    @route("GET", "/api/v1/portal/me", audience="portal", responses={200: PortalProfileSchema},
           tag="portal")
    def portal_me(self, call):
        """The client's account, global record (ID-4, ID-5) and agency records, each with its
        portal status and the features that agency gives its clients (ID-6)."""
        return self._with_statuses(call, self.rpc.identity.get_portal_profile(call.caller))

    @route("PATCH", "/api/v1/portal/me", audience="portal", body=GlobalRecordUpdateSchema(),
           responses={200: PortalProfileSchema}, tag="portal")
    def update_portal_me(self, call, body):
        """Change the global record; every linked agency record takes the change (ID-4). The
        username stays the e-mail the account was made with (ID-5)."""
        return self._with_statuses(
            call, self.rpc.identity.update_global_record(call.caller, body))

    def _with_statuses(self, call, profile: dict) -> dict:
        """Each agency record's portal status, as records keeps it (REC-6)."""
        statuses = {item["record_id"]: item["portal_status"] for item in
                    self.rpc.records.portal_record_statuses(call.caller)["items"]}
        for record in profile["records"]:
            record["portal_status"] = statuses.get(record["record_id"])
        return profile

    @route("GET", RECORD, audience="portal", responses={200: PortalRecordSchema},
           errors=(403,), tag="portal")
    def portal_record(self, call, record_id):
        """One of the client's agency records (ID-6): 403 while banned there, never staff-only
        notes; another client's record answers 404 like an unknown one."""
        return self.rpc.records.portal_get_record(call.caller, record_id)

    @route("PATCH", RECORD, audience="portal", body=PortalRecordPatchSchema(),
           responses={200: PortalRecordSchema}, errors=(403,), tag="portal")
    def update_portal_record(self, call, record_id, body):
        """Change this agency's record of the client, where the agency gives its clients
        ``profile_editing`` (403 otherwise)."""
        return self.rpc.records.portal_update_record(call.caller, record_id, body)

    @route("GET", f"{RECORD}/access", audience="portal", query=ListQuerySchema(),
           responses={200: PortalAccessPageSchema}, errors=(403,), tag="portal")
    def portal_record_access(self, call, record_id, query):
        """Who at this agency read or changed the client's record, and when: each staff
        member's read, change, export and search that found it, newest first, by name and
        role, the action in one word (``viewed``, ``found_in_search``, ``exported``,
        ``created``, ``changed``, ``deleted``, ``restored``). Never what was read or changed.
        403 while banned there; another client's record answers 404 like an unknown one."""
        return self.rpc.records.portal_record_access(call.caller, record_id, query)


class PortalSchedulingRoutes:
    """The client's scheduling on one of their agency records (SCH-1, SCH-2, SCH-5), each
    within the features the agency gives its clients: ``availability`` for the week,
    ``sessions`` for sessions, payments and practitioners (403 otherwise). Scheduling asks
    records whether the record is the caller's: another client's record answers 404 like an
    unknown one, 403 while banned there."""

    @route("GET", f"{RECORD}/availability", audience="portal",
           responses={200: AvailabilitySchema}, errors=(403,), tag="portal")
    def portal_availability(self, call, record_id):
        """The client's weekly availability in the agency's time zone (SCH-1)."""
        return self.rpc.scheduling.portal_get_availability(call.caller, record_id)

    @route("PUT", f"{RECORD}/availability", audience="portal", body=AvailabilityBodySchema(),
           responses={200: AvailabilitySchema}, errors=(403,), tag="portal")
    def put_portal_availability(self, call, record_id, body):
        """Replace the client's weekly availability, with the staff route's rules (SCH-1):
        inverted or overlapping intervals are refused with 422 naming them."""
        return self.rpc.scheduling.portal_put_availability(call.caller, record_id, body)

    @route("GET", f"{RECORD}/sessions", audience="portal", query=PortalSessionQuerySchema(),
           responses={200: PortalSessionPageSchema}, errors=(403,), tag="portal")
    def portal_sessions(self, call, record_id, query):
        """The client's sessions, ``when=upcoming`` (the default: not ended yet, soonest
        first) or ``past`` (latest first), cancelled ones included with their status."""
        return self.rpc.scheduling.portal_list_sessions(call.caller, record_id, query)

    @route("GET", f"{RECORD}/payments", audience="portal", query=ListQuerySchema(),
           responses={200: PortalPaymentPageSchema}, errors=(403,), tag="portal")
    def portal_payments(self, call, record_id, query):
        """The client's payments, newest first (SCH-5)."""
        return self.rpc.scheduling.portal_list_payments(call.caller, record_id, query)

    @route("GET", f"{RECORD}/practitioners", audience="portal",
           responses={200: PortalPractitionersSchema}, errors=(403,), tag="portal")
    def portal_practitioners(self, call, record_id):
        """The client's practitioners (their navigators and the practitioners of their
        scheduled sessions, active staff only) with name and e-mail."""
        return self.rpc.scheduling.portal_practitioners(call.caller, record_id)
