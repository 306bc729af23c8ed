"""Loading input with marshmallow, the one way: field errors become the typed 422."""

from marshmallow import Schema, ValidationError

from casework.errors import ValidationFailed


def load(schema: Schema, payload) -> dict:
    """``schema.load(payload)``, or ``ValidationFailed`` (422 ``validation_error``) carrying the
    field errors; a missing payload is an empty object."""
    try:
        return schema.load(payload if payload is not None else {})
    except ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise ValidationFailed("the request has invalid fields", messages) from exc
