"""What every contract shares: strict input, lenient event data, lists and cursors, problems."""

from __future__ import annotations

from marshmallow import EXCLUDE, INCLUDE, RAISE, Schema, ValidationError, fields, pre_load, validate

from casework.fields import UtcDateTime

__all__ = ["CURSOR", "EventData", "HealthSchema", "ListQuerySchema", "ProblemSchema",
           "ReadySchema", "Strict", "Unique", "UtcDateTime", "page_of", "phone_key",
           "unique_list"]


class Strict(Schema):
    """Input: an unknown field is an error (422), never silently dropped."""

    class Meta:
        unknown = RAISE


class EventData(Schema):
    """Event data: a later version may add fields, which a consumer of this one ignores."""

    class Meta:
        unknown = EXCLUDE


class Unique(validate.Validator):
    """A list in which each item appears at most once (``key`` says what makes two items the
    same, e.g. a phone's digits). Repeats are refused (422, naming them), never dropped in
    silence: what a client sends is stored as sent, or the client is told why not."""

    def __init__(self, key=None, what: str = "item"):
        self.key, self.what = key, what

    def __call__(self, values):
        seen, repeated = set(), []
        for value in values or ():
            key = self.key(value) if self.key else value
            if key in seen and key not in repeated:
                repeated.append(key)
            seen.add(key)
        if repeated:
            shown = ", ".join(str(r) for r in repeated[:10])
            raise ValidationError(f"each {self.what} at most once; repeated: {shown}")
        return values


def phone_key(phone: dict) -> str:
    """What makes two phone numbers of a list the same: their digits (and a leading +), so
    ``+44 20 7946 0000`` and ``+44 (20) 7946-0000`` are one number."""
    number = phone.get("number", "")
    return ("+" if number.startswith("+") else "") + "".join(c for c in number if c.isdigit())


def unique_list(inner: fields.Field, *, key=None, what: str = "item", validate=(),
                metadata=None, **options) -> fields.List:
    """``fields.List`` of items without repeats (``Unique``); the document says uniqueItems."""
    validators = [*(validate if isinstance(validate, (list, tuple)) else [validate]),
                  Unique(key, what)]
    return fields.List(inner, validate=validators,
                       metadata={"uniqueItems": True, **(metadata or {})}, **options)


# What every service's cursor is (URL-safe base64 of a small JSON object, padded); the service
# still refuses (422) a well-formed one it never gave (casework.cursors). ("$(?!\n)": Python's $
# also matches before a final newline, an ECMA regex's, the document's, does not.)
CURSOR = validate.Regexp(
    r"^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$(?!\n)",
    error="the next_cursor of the previous page, unchanged")


class ListQuerySchema(Schema):
    """``limit`` and ``cursor`` of every list (API.md "Lists"); other query parameters that a
    list does not know are ignored, as HTTP clients expect."""

    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    # (a callable default: a query parameter is never null, so the document must not say so)
    cursor = fields.String(load_default=lambda: None,
                           validate=[validate.Length(max=500), CURSOR], metadata={
                               "description": "the next_cursor of the previous page, unchanged "
                                              "(opaque); absent or empty for the first page"})

    @pre_load
    def _null_is_absent(self, data, **kwargs):
        """What the gateway loaded and forwards holds null for a parameter left out: the
        service, loading it again, takes that null as absent (no query string holds one)."""
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data


_PAGES: dict[type, type] = {}


def page_of(item: type[Schema]) -> type[Schema]:
    """The page schema of a list of ``item`` (``{"items": [...], "next_cursor": ...}``), one
    class per item schema, named after it (``RecordSchema`` -> ``RecordPageSchema``)."""
    if item not in _PAGES:
        name = item.__name__.removesuffix("Schema") + "PageSchema"
        page = Schema.from_dict({
            "items": fields.List(fields.Nested(item), required=True),
            "next_cursor": fields.String(allow_none=True, required=True),
        }, name=name)
        page.__module__ = item.__module__  # the item's contract declares its page
        _PAGES[item] = page
    return _PAGES[item]


class ProblemSchema(Schema):
    """RFC 9457 problem details; extension members (e.g. ``possible_duplicates``) may follow."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    code = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())


class HealthSchema(Schema):
    status = fields.String(required=True)


class ReadySchema(Schema):
    status = fields.String(required=True)
    # only with the operator token (GET /ready's details are for operators)
    checks = fields.Dict(keys=fields.String(), values=fields.String())
