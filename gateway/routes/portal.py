"""Portal (client token) routes of API.md "Portal": the global record (identity) and the
agency records (records) of the signed-in client."""

from __future__ import annotations

from contracts.identity import GlobalRecordUpdateSchema, PortalProfileSchema
from contracts.records import PortalRecordPatchSchema, PortalRecordSchema

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
