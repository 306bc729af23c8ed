"""Pages of rows dumped as their marshmallow schema dumps them, faster.

marshmallow spends about 1.5 µs per field and row: a page of 50 search results with 17 fields
took 1.5 ms, a sixth of the records service's CPU for a search (QUALITY P2). For a schema made
only of the plain field types below (and nested schemas made of them), ``page_dumper(schema)``
reads the fields once and dumps a page with one small function per field; a schema with any other
field, or with options this does not reproduce (``only``, ``exclude``, hooks), is dumped by
marshmallow itself. The schema stays
the single definition of the output; ``tests/unit/test_dumping.py`` checks both give the same.
"""

from __future__ import annotations

from collections.abc import Callable

from marshmallow import Schema, fields

from casework.fields import UtcDateTime

Converter = Callable[[object], object]


def _text(value):
    return value if value is None or type(value) is str else str(value)


def _same(value):
    return value


def _iso(value):
    return None if value is None else value.isoformat()


def _uuid(value):
    return None if value is None else str(value)


def _list_of(inner: Converter) -> Converter:
    return lambda value: None if value is None else [inner(item) for item in value]


def _dict(value):
    return None if value is None else dict(value)


def _converter(field: fields.Field) -> Converter | None:
    kind = type(field)
    if kind is fields.String:
        return _text
    if kind in (fields.Boolean, fields.Raw):
        return _same
    if kind is fields.UUID:
        return _uuid
    if kind is fields.Date:
        return _iso if field.format in (None, "iso") else None
    if kind is UtcDateTime:
        return lambda value, serialize=field._serialize: serialize(value, None, None)
    if kind is fields.Dict and field.key_field is None and field.value_field is None:
        return _dict
    if kind is fields.List:
        inner = _converter(field.inner)
        return None if inner is None else _list_of(inner)
    if kind is fields.Nested:
        plan = _plan(field.schema)
        if plan is None or any(function for *_, function in plan):
            return None
        one = _nested(plan)
        return _list_of(one) if field.many else one
    return None


def _nested(plan) -> Converter:
    """A nested object, as marshmallow dumps it: a key the value lacks is left out."""
    def convert(value):
        if value is None:
            return None
        return {key: converter(value[attribute]) for key, attribute, converter, _ in plan
                if attribute in value}
    return convert


def _plan(schema: Schema) -> list[tuple[str, str, Converter | None, Callable | None]] | None:
    """``(key, attribute, converter, function)`` per field, or None if marshmallow must dump."""
    if schema.only or schema.exclude or schema._hooks:
        return None
    plan: list[tuple[str, str, Converter | None, Callable | None]] = []
    for name, field in schema.dump_fields.items():
        key = field.data_key or name
        if type(field) is fields.Function:
            plan.append((key, name, None, field.serialize_func))
            continue
        converter = _converter(field)
        if converter is None:
            return None
        plan.append((key, field.attribute or name, converter, None))
    return plan


def page_dumper(schema: Schema) -> Callable[[list], list[dict]]:
    """``dump(rows)``: what ``schema.dump(rows, many=True)`` gives, for rows that are mappings."""
    plan = _plan(schema)
    if plan is None:
        return lambda rows: schema.dump(rows, many=True)

    def dump(rows) -> list[dict]:
        return [{key: function(row) if function else converter(row[attribute])
                 for key, attribute, converter, function in plan} for row in rows]

    return dump
