"""Staff routes of an agency's client types (REC-4) and warning indicators (REC-14): every
staff member lists them to choose one; agency administrators define them."""

from __future__ import annotations

from contracts.common import ListQuerySchema
from contracts.records import (
    ClientTypeCreateSchema,
    ClientTypePageSchema,
    ClientTypePatchSchema,
    ClientTypeSchema,
    WarningIndicatorCreateSchema,
    WarningIndicatorPageSchema,
    WarningIndicatorPatchSchema,
    WarningIndicatorSchema,
)

from ..routing import route

TYPES = "/api/v1/staff/client-types"
INDICATORS = "/api/v1/staff/warning-indicators"


def deleted_or_deactivated(result: dict):
    """204 when the item was deleted; 200 with the item when records use it, so it was
    deactivated instead (those records keep it, nobody can choose it any more)."""
    return (204, None) if result["deleted"] else (200, result["item"])


class ClientTypeRoutes:
    @route("GET", TYPES, audience="staff", query=ListQuerySchema(),
           responses={200: ClientTypePageSchema}, tag="client types")
    def list_client_types(self, call, query):
        """The agency's client types, active and inactive."""
        return self.rpc.records.list_client_types(call.caller, query)

    @route("POST", TYPES, audience="staff", permission="agency_admin",
           body=ClientTypeCreateSchema(), responses={201: ClientTypeSchema}, errors=(409,),
           tag="client types")
    def create_client_type(self, call, body):
        """Define a client type (REC-4); 409 ``duplicate_name``."""
        return 201, self.rpc.records.create_client_type(call.caller, body)

    @route("PATCH", f"{TYPES}/<client_type_id>", audience="staff", permission="agency_admin",
           body=ClientTypePatchSchema(), responses={200: ClientTypeSchema}, errors=(409,),
           tag="client types")
    def update_client_type(self, call, client_type_id, body):
        """Rename, deactivate or reactivate a client type."""
        return self.rpc.records.update_client_type(call.caller, client_type_id, body)

    @route("DELETE", f"{TYPES}/<client_type_id>", audience="staff", permission="agency_admin",
           responses={204: None, 200: ClientTypeSchema}, tag="client types")
    def delete_client_type(self, call, client_type_id):
        """Delete an unused client type (204); one that records use is deactivated (200)."""
        return deleted_or_deactivated(
            self.rpc.records.delete_client_type(call.caller, client_type_id))


class WarningIndicatorRoutes:
    @route("GET", INDICATORS, audience="staff", query=ListQuerySchema(),
           responses={200: WarningIndicatorPageSchema}, tag="warning indicators")
    def list_warning_indicators(self, call, query):
        """The agency's warning indicators, active and inactive."""
        return self.rpc.records.list_warning_indicators(call.caller, query)

    @route("POST", INDICATORS, audience="staff", permission="agency_admin",
           body=WarningIndicatorCreateSchema(), responses={201: WarningIndicatorSchema},
           errors=(409,), tag="warning indicators")
    def create_warning_indicator(self, call, body):
        """Define a warning indicator (REC-14); 409 ``duplicate_name``."""
        return 201, self.rpc.records.create_warning_indicator(call.caller, body)

    @route("PATCH", f"{INDICATORS}/<indicator_id>", audience="staff", permission="agency_admin",
           body=WarningIndicatorPatchSchema(), responses={200: WarningIndicatorSchema},
           errors=(409,), tag="warning indicators")
    def update_warning_indicator(self, call, indicator_id, body):
        """Rename, describe, colour, deactivate or reactivate a warning indicator."""
        return self.rpc.records.update_warning_indicator(call.caller, indicator_id,
                                                         body)

    @route("DELETE", f"{INDICATORS}/<indicator_id>", audience="staff",
           permission="agency_admin", responses={204: None, 200: WarningIndicatorSchema},
           tag="warning indicators")
    def delete_warning_indicator(self, call, indicator_id):
        """Delete an unused warning indicator (204); one that records use is deactivated
        (200)."""
        return deleted_or_deactivated(
            self.rpc.records.delete_warning_indicator(call.caller, indicator_id))
