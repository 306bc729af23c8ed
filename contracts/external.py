"""What other systems publish on ``external.events`` and the platform consumes (EVENTS.md
"Consumed from other systems")."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from casework.events import declare

from .common import EventData


class ClientEnrolledData(EventData):
    """REC-6: the agency's enrollment programme turns ``enrollment_pending`` into ``active``."""

    organization_id = fields.UUID(required=True)
    record_id = fields.UUID(load_default=None, allow_none=True)
    case_number = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(min=1, max=50))

    # the same rule for the JSON Schema other systems get (casework.event_schemas)
    OPENAPI_EXTRA = {"anyOf": [
        {"properties": {"record_id": {"type": "string"}}, "required": ["record_id"]},
        {"properties": {"case_number": {"type": "string"}}, "required": ["case_number"]},
    ]}

    @validates_schema
    def _names_a_record(self, data, **kwargs):
        if not data.get("record_id") and not data.get("case_number"):
            raise ValidationError("record_id or case_number is required")


declare("external", "client_enrolled", ClientEnrolledData())
