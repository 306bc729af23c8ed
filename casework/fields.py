"""Marshmallow fields every service uses for the API's conventions (times in UTC with ``Z``)."""

from datetime import UTC, datetime

from marshmallow import fields


class UtcDateTime(fields.DateTime):
    """ISO 8601 in UTC, ending in ``Z`` (API.md "Conventions"). Text is a time the database
    already wrote in this form (inside JSON it built) and is kept as it is."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(timespec="milliseconds") + "Z"
