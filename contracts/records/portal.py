"""What records answers for the portal (ID-6), for invitations (INV-1) and the duplicates
matcher (INV-6, API.md "Duplicates")."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, pre_load, validate

from ..common import Strict, UtcDateTime, page_of
from .record import (
    CONTACT_METHODS,
    KINDS,
    PORTAL_STATUSES,
    STATUSES,
    PhoneSchema,
    RecordViewSchema,
    contact_methods_field,
    phones_field,
)

GRADES = ("certain", "probable", "possible")
REASONS = ("same_email", "same_phone", "same_name", "similar_name", "sounds_alike",
           "same_date_of_birth")
PORTAL_FEATURES = ("profile_editing", "availability", "sessions", "messages", "requests")


# --- duplicates ------------------------------------------------------------------------------

class PersonQuerySchema(Schema):
    """Who to look for: any of the fields (``GET /staff/records/duplicates``)."""

    class Meta:
        unknown = EXCLUDE

    first_name = fields.String(load_default=None, validate=validate.Length(max=200))
    last_name = fields.String(load_default=None, validate=validate.Length(max=200))
    date_of_birth = fields.Date(load_default=None)
    email = fields.String(load_default=None, validate=validate.Length(max=320))
    phone = fields.String(load_default=None, validate=validate.Length(max=40))

    @pre_load
    def _null_is_absent(self, data, **kwargs):
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value not in (None, "")}
        return data


class PeopleSchema(Strict):
    """``match_people`` (RPC only): several people at once (a page of enrollment requests)."""

    people = fields.List(fields.Nested(PersonQuerySchema), required=True,
                         validate=validate.Length(max=500))


class DuplicateSchema(Schema):
    record_id = fields.UUID(required=True)
    name = fields.String(required=True)
    case_number = fields.String(required=True)
    grade = fields.String(required=True, validate=validate.OneOf(GRADES))
    score = fields.Float(required=True)
    reasons = fields.List(fields.String(validate=validate.OneOf(REASONS)), required=True)


class DuplicatePageSchema(Schema):
    """Likely duplicates, best first: how sure (FHIR ``$match`` grades) and why."""

    items = fields.List(fields.Nested(DuplicateSchema), required=True)


class RecordCreatedSchema(RecordViewSchema):
    """The answer of ``POST /staff/records``: the new record, and the agency's other records
    that look like the same person (the duplicates matcher, best first), for staff to check."""

    possible_duplicates = fields.List(fields.Nested(DuplicateSchema), required=True)


class PeopleMatchesSchema(Schema):
    items = fields.List(fields.Nested(DuplicatePageSchema), required=True)


# --- invitations -----------------------------------------------------------------------------

class InvitationTargetSchema(Schema):
    """``invitation_target`` (RPC only): what a direct invitation needs of the record."""

    record_id = fields.UUID(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    email = fields.String(required=True, allow_none=True)
    phones = fields.List(fields.Nested(PhoneSchema), required=True)
    preferred_contact_methods = fields.List(fields.String(), required=True)
    portal_status = fields.String(required=True, allow_none=True)
    global_record_id = fields.UUID(required=True, allow_none=True)


# --- portal ----------------------------------------------------------------------------------

class PortalRecordStatusSchema(Schema):
    record_id = fields.UUID(required=True)
    organization_id = fields.UUID(required=True)
    portal_status = fields.String(required=True, allow_none=True,
                                  validate=validate.OneOf(PORTAL_STATUSES))


class PortalRecordStatusesSchema(Schema):
    items = fields.List(fields.Nested(PortalRecordStatusSchema), required=True)


class PortalRecordSchema(Schema):
    """An agency's record of the client as the portal shows it (ID-6): never staff-only notes
    (REC-13), nor anything else only staff see."""

    id = fields.UUID(required=True)
    organization_id = fields.UUID(required=True)
    organization_name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True, allow_none=True)
    phones = fields.List(fields.Nested(PhoneSchema), required=True)
    preferred_contact_methods = fields.List(
        fields.String(validate=validate.OneOf(CONTACT_METHODS)), required=True)
    date_of_birth = fields.Date(required=True, allow_none=True)
    case_number = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    portal_status = fields.String(required=True, allow_none=True,
                                  validate=validate.OneOf(PORTAL_STATUSES))
    features = fields.List(fields.String(validate=validate.OneOf(PORTAL_FEATURES)),
                           required=True)
    updated_at = UtcDateTime(required=True)


class PortalRecordPatchSchema(Strict):
    """What a client may change on an agency's record of them (the agency's
    ``profile_editing`` feature): that agency's copy only."""

    first_name = fields.String(validate=validate.Length(min=1, max=200))
    last_name = fields.String(validate=validate.Length(min=1, max=200))
    email = fields.Email(allow_none=True, validate=validate.Length(max=320))
    phones = phones_field()
    preferred_contact_methods = contact_methods_field()
    date_of_birth = fields.Date(allow_none=True)


# what a client reads of the agency's audit trail of their record (ID-6, REC-15): who at the
# agency, when, and what in a few words; never the audit entry's changes (a staff-only note's
# text, a search's query or the other records it found)
ACCESS_ACTIONS = ("viewed", "found_in_search", "exported", "created", "changed", "deleted",
                  "restored")


class PortalAccessEntrySchema(Schema):
    """One staff member's read or change of the client's record."""

    at = UtcDateTime(required=True)
    staff_name = fields.String(required=True, allow_none=True)
    role = fields.String(required=True, allow_none=True)
    action = fields.String(required=True, validate=validate.OneOf(ACCESS_ACTIONS))


PortalAccessPageSchema = page_of(PortalAccessEntrySchema)
