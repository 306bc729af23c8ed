"""The identity service's contract: its RPC requests and replies, list pages and events."""

from __future__ import annotations

from marshmallow import fields, validate

from casework.events import declare

from .common import EventData

# --- events (identity.events) ---------------------------------------------------------------

class OrganizationCreatedData(EventData):
    organization_id = fields.UUID(required=True)
    name = fields.String(required=True)
    slug = fields.String(required=True)


class StaffUserData(EventData):
    """Who is staff of which agency, for the services that keep their own copy."""

    user_id = fields.UUID(required=True)
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=320))
    first_name = fields.String(load_default=None, allow_none=True,
                               validate=validate.Length(max=200))
    last_name = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=200))
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=400))
    active = fields.Boolean(required=True)
    allow_client_initiated_contact = fields.Boolean(load_default=False)


class PortalAccountCreatedData(EventData):
    account_id = fields.UUID(required=True)
    global_record_id = fields.UUID(required=True)
    username = fields.String(required=True)


declare("identity", "organization_created", OrganizationCreatedData())
declare("identity", "staff_user_created", StaffUserData())
declare("identity", "staff_user_updated", StaffUserData())
declare("identity", "portal_account_created", PortalAccountCreatedData())
