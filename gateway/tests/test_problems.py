"""A validation error is never huge: at most 50 fields in about 8 KiB, each field's messages
shortened, and ``errors_omitted`` counting what was left out."""

import json

import pytest

from gateway.problems import MAX_ERROR_FIELDS, MAX_ERRORS_BYTES, problem, problem_body


def test_a_few_errors_are_listed_as_they_are():
    errors = {"email": ["Not a valid email address."], "phones": {"0": {"number": ["Bad."]}}}
    body = problem_body(422, "validation_error", "Validation failed", "invalid", errors)
    assert body["errors"] == errors
    assert "errors_omitted" not in body and body["detail"] == "invalid"


def test_many_fields_are_cut_to_fifty_and_counted():
    errors = {f"k{index}": ["Unknown field."] for index in range(600_000)}
    response = problem(422, "validation_error", "Validation failed", "invalid", errors)
    body = json.loads(response.get_data())
    assert len(body["errors"]) == MAX_ERROR_FIELDS
    assert body["errors_omitted"] == 600_000 - MAX_ERROR_FIELDS
    assert body["detail"] == f"invalid ({600_000 - MAX_ERROR_FIELDS} more fields not listed)"
    assert len(response.get_data()) < 2 * MAX_ERRORS_BYTES


def test_one_field_with_a_great_many_errors_is_summed_up():
    errors = {"rows": {str(row): {f"column{column}": ["x" * 200] for column in range(50)}
                       for row in range(50)}}
    body = problem_body(422, "validation_error", "Validation failed", None, errors)
    assert body["errors"] == {"rows": ["too many errors to list"]}


def test_long_messages_and_deep_or_wide_fields_are_shortened():
    errors = {
        "notes": ["x" * 100_000],
        "tags": [f"message {index}" for index in range(1000)],
        "items": {str(index): {"name": ["Missing."]} for index in range(100_000)},
        "deep": {"a": {"b": {"c": {"d": {"e": ["too deep"]}}}}},
    }
    body = problem_body(422, "validation_error", "Validation failed", None, errors)
    assert len(json.dumps(body)) < 2 * MAX_ERRORS_BYTES
    assert body["errors"]["notes"] == ["x" * 300 + "..."]
    assert body["errors"]["tags"][:5] == [f"message {index}" for index in range(5)]
    assert body["errors"]["tags"][5] == "995 more not listed"
    items = body["errors"]["items"]
    assert len(items) == MAX_ERROR_FIELDS + 1 and items["0"] == {"name": ["Missing."]}
    assert items["_omitted"] == [f"{100_000 - MAX_ERROR_FIELDS} more not listed"]
    assert body["errors"]["deep"] == {"a": {"b": {"c": {"d": ["1 nested errors not listed"]}}}}
    assert "errors_omitted" not in body


def test_many_unknown_fields_are_refused_with_the_errors_marshmallow_would_give():
    """The shortcut for bodies full of unknown keys names the same fields as marshmallow."""
    from marshmallow import ValidationError

    from casework.errors import ValidationFailed
    from contracts.identity import StaffLoginSchema
    from gateway.routing import MANY_UNKNOWN_FIELDS, refuse_many_unknown_fields

    schema = StaffLoginSchema()
    few = {f"k{n}": 0 for n in range(MANY_UNKNOWN_FIELDS)}
    refuse_many_unknown_fields(schema, few)  # marshmallow lists these itself
    many = {"email": "a@example.org", **{f"k{n}": 0 for n in range(MANY_UNKNOWN_FIELDS + 5)}}
    with pytest.raises(ValidationFailed) as shortcut:
        refuse_many_unknown_fields(schema, many)
    with pytest.raises(ValidationError) as full:
        schema.load(many)
    assert set(shortcut.value.errors) == set(full.value.messages)
