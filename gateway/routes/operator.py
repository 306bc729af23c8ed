"""Operator routes of API.md "Operator" (``Authorization: Bearer $CASEWORK_OPERATOR_TOKEN``)."""

from __future__ import annotations

from contracts.identity import OrganizationCreatedSchema, OrganizationCreateSchema

from ..routing import route


class OperatorRoutes:
    @route("POST", "/api/v1/operator/organizations", audience="operator",
           body=OrganizationCreateSchema(), responses={201: OrganizationCreatedSchema},
           tag="operator", errors=(409,))
    def create_organization(self, call, body):
        """Create an agency with its starting roles and its first administrator (409
        ``duplicate_slug`` when the slug is taken)."""
        return 201, self.rpc.identity.create_organization(call.caller, body)
