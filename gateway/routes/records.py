"""Staff routes of API.md "Staff: records": the record itself, its statuses, groups and
navigators. ``RecordRoutes`` also composes the other records-owned route mixins, so the gateway
service lists one mixin for all of them."""

from __future__ import annotations

from contracts.records import (
    CaseNumberBodySchema,
    ClientTypeBodySchema,
    GroupBodySchema,
    NavigatorBodySchema,
    PortalStatusBodySchema,
    RecordCreatedSchema,
    RecordCreateSchema,
    RecordPatchSchema,
    RecordSearchPageSchema,
    RecordSearchQuerySchema,
    RecordViewSchema,
    StatusBodySchema,
)

from ..routing import route
from .agency import AgencyRoutes
from .client_types import ClientTypeRoutes, WarningIndicatorRoutes
from .contacts import ContactRoutes
from .groups import GroupRoutes
from .record_details import RecordDetailRoutes
from .rpc_payloads import added

RECORD = "/api/v1/staff/records/<record_id>"


class RecordCoreRoutes:
    @route("POST", "/api/v1/staff/records", audience="staff", body=RecordCreateSchema(),
           responses={201: RecordCreatedSchema}, errors=(409,), tag="records")
    def create_record(self, call, body):
        """Create a client or employee record; a case number is generated when none is given
        (REC-3). A client type must be one of the agency's active types (REC-4). The answer
        also lists ``possible_duplicates``: the agency's other records that look like the same
        person (as ``GET /staff/records/duplicates`` grades them), best first."""
        return 201, self.rpc.records.create_record(call.caller, body)

    @route("GET", "/api/v1/staff/records", audience="staff", query=RecordSearchQuerySchema(),
           responses={200: RecordSearchPageSchema}, tag="records")
    def search_records(self, call, query):
        """Global search (REC-11) by partial or misspelt name, case number, e-mail or phone;
        closed and inactive records included, deleted ones never (REC-10). A ``q`` search ranks
        at most 200 matches by text and 200 by name: when it matched more, each page says
        ``truncated: true`` with a ``detail`` on how to narrow it."""
        return self.rpc.records.search_records(call.caller, query)

    @route("GET", RECORD, audience="staff", responses={200: RecordViewSchema}, tag="records")
    def get_record(self, call, record_id):
        """One record, as REC-1 shows it. The read is audited (REC-15)."""
        return self.rpc.records.get_record(call.caller, record_id)

    @route("PATCH", RECORD, audience="staff", body=RecordPatchSchema(),
           responses={200: RecordViewSchema}, tag="records")
    def update_record(self, call, record_id, body):
        """Demographics, warning indicators (REC-14) and custom fields."""
        return self.rpc.records.update_record(call.caller, record_id, body)

    @route("PUT", f"{RECORD}/case-number", audience="staff", permission="case_numbers",
           body=CaseNumberBodySchema(), responses={200: RecordViewSchema}, errors=(409,),
           tag="records")
    def change_case_number(self, call, record_id, body):
        """Change the case number (REC-3): needs ``case_numbers``; 409 when in use."""
        return self.rpc.records.change_case_number(call.caller, record_id, body)

    @route("PUT", f"{RECORD}/client-type", audience="staff", body=ClientTypeBodySchema(),
           responses={200: RecordViewSchema}, tag="records")
    def set_client_type(self, call, record_id, body):
        """Set (or clear with null) the client type: one of the agency's active types (REC-4)."""
        return self.rpc.records.set_client_type(call.caller, record_id, body)

    @route("PUT", f"{RECORD}/status", audience="staff", body=StatusBodySchema(),
           responses={200: RecordViewSchema}, tag="records")
    def change_status(self, call, record_id, body):
        """Record status; every change is kept with who and when (REC-5)."""
        return self.rpc.records.change_status(call.caller, record_id, body)

    @route("PUT", f"{RECORD}/portal-status", audience="staff", body=PortalStatusBodySchema(),
           responses={200: RecordViewSchema}, errors=(409,), tag="records")
    def change_portal_status(self, call, record_id, body):
        """Portal status of a record with a client account (REC-6); 409 without one."""
        return self.rpc.records.change_portal_status(call.caller, record_id, body)

    @route("POST", f"{RECORD}/groups", audience="staff", body=GroupBodySchema(),
           responses={201: RecordViewSchema, 200: RecordViewSchema}, tag="groups")
    def add_record_to_group(self, call, record_id, body):
        """Add the record to a group (REC-7): 201, or 200 if it was a member already."""
        return added(self.rpc.records.add_record_to_group(call.caller, record_id,
                                                          body))

    @route("DELETE", f"{RECORD}/groups/<group_id>", audience="staff", responses={204: None},
           tag="groups")
    def remove_record_from_group(self, call, record_id, group_id):
        """Remove the record from a group (REC-7)."""
        self.rpc.records.remove_record_from_group(call.caller, record_id, group_id)
        return 204, None

    @route("POST", f"{RECORD}/navigators", audience="staff", body=NavigatorBodySchema(),
           responses={201: RecordViewSchema, 200: RecordViewSchema}, tag="records")
    def assign_navigator(self, call, record_id, body):
        """Assign a staff user of the agency as a navigator (REC-8): 201, or 200 if they were
        one already."""
        return added(self.rpc.records.assign_navigator(call.caller, record_id, body))

    @route("DELETE", f"{RECORD}/navigators/<user_id>", audience="staff", responses={204: None},
           tag="records")
    def unassign_navigator(self, call, record_id, user_id):
        """Unassign a navigator (REC-8)."""
        self.rpc.records.unassign_navigator(call.caller, record_id, user_id)
        return 204, None


class RecordRoutes(RecordCoreRoutes, RecordDetailRoutes, ClientTypeRoutes,
                   WarningIndicatorRoutes, GroupRoutes, ContactRoutes, AgencyRoutes):
    """Every records-owned route."""
