"""The JSON Schema of the events (issue 14, point 2) says what the marshmallow contracts say.

For every declared event, an event built through ``envelope(...)`` with data dumped by its
schema validates against the generated JSON Schema (the whole document and the one type's); an
event missing a required data field, with a field of the wrong type, with a value outside its
choices, or with null where null is not allowed, does not. Wherever the contract accepts or
refuses a variant, the JSON Schema does the same.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import jsonschema_rs
import pytest
from marshmallow import Schema, fields, validate

from casework import event_schemas
from casework.events import all_declared, envelope

ROOT = Path(__file__).resolve().parents[2]
DECLARED = all_declared()


def sample(field: fields.Field):
    """A value the field loads, for the kinds of field the contracts use."""
    choices = [v for v in field.validators if isinstance(v, validate.OneOf)]
    if choices:
        return next(iter(choices[0].choices))
    if isinstance(field, fields.UUID):
        return str(uuid.uuid4())
    if isinstance(field, fields.Boolean):
        return True
    if isinstance(field, fields.Integer):
        return 1
    if isinstance(field, fields.DateTime):
        return datetime.now(UTC).isoformat()
    if isinstance(field, fields.Date):
        return datetime.now(UTC).date().isoformat()
    if isinstance(field, fields.List):
        return [sample(field.inner)]
    if isinstance(field, fields.Nested):
        return full(field.schema)
    if isinstance(field, fields.Dict):
        return {"key": "value"}
    if isinstance(field, fields.String):
        lengths = [v for v in field.validators if isinstance(v, validate.Length)]
        return "x" * max([1] + [v.min or 1 for v in lengths])
    raise AssertionError(f"no sample for {field!r}: teach this test the new kind of field")


def wrong_type(field: fields.Field):
    if isinstance(field, fields.String | fields.UUID | fields.DateTime | fields.Date):
        return 12345
    return "not the right type"


def full(schema: Schema) -> dict:
    return {name: sample(field) for name, field in schema.fields.items() if not field.dump_only}


def as_event(source, name, version, data) -> dict:
    return envelope(source, name, data, organization_id=uuid.uuid4(), version=version)


@pytest.fixture(scope="module")
def whole():
    document = event_schemas.document()
    assert jsonschema_rs.meta.is_valid(document)
    return jsonschema_rs.Draft202012Validator(document, validate_formats=True)


def test_every_declared_event_has_a_schema_in_the_document():
    document = event_schemas.document()
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(document["$defs"]) == {f"{s}.{n}.v{v}" for s, n, v in DECLARED}
    assert len(document["oneOf"]) == len(DECLARED) >= 16
    assert event_schemas.schema_of("records.no_such_event") is None


@pytest.mark.parametrize("key", list(DECLARED), ids=lambda k: f"{k[0]}.{k[1]}.v{k[2]}")
def test_the_json_schema_accepts_and_refuses_what_the_contract_does(key, whole):
    source, name, version = key
    schema = DECLARED[key]
    one = event_schemas.schema_of(f"{source}.{name}")
    assert jsonschema_rs.meta.is_valid(one)
    validators = [whole, jsonschema_rs.Draft202012Validator(one, validate_formats=True)]

    def agrees(data, expected: bool | None = None) -> None:
        loads = not schema.validate(data)
        if expected is not None:
            assert loads is expected, (data, schema.validate(data))
        for data_form in ([schema.dump(schema.load(data))] if loads else []) + [data]:
            event = as_event(source, name, version, data_form)
            for validator in validators:
                assert validator.is_valid(event) is loads, (event, loads)

    good = full(schema)
    agrees(good, expected=True)
    required = [n for n, f in schema.fields.items() if f.required]
    agrees({n: good[n] for n in required})  # only what is required (a rule may ask for more)
    for field_name, field in schema.fields.items():
        agrees({k: v for k, v in good.items() if k != field_name},
               expected=False if field.required else None)
        agrees({**good, field_name: wrong_type(field)}, expected=False)
        agrees({**good, field_name: None}, expected=False if not field.allow_none else None)
        if any(isinstance(v, validate.OneOf) for v in field.validators):
            agrees({**good, field_name: "not one of the choices"}, expected=False)

    wrong_envelope = as_event(source, name, version, schema.dump(schema.load(good)))
    for broken in ({"type": f"{source}.other_event"}, {"version": version + 1},
                   {"event_id": "not-a-uuid"}, {"occurred_at": "yesterday"}):
        for validator in validators:
            assert not validator.is_valid({**wrong_envelope, **broken}), broken
    for validator in validators:
        assert not validator.is_valid({k: v for k, v in wrong_envelope.items() if k != "data"})


def test_client_enrolled_needs_a_record_id_or_a_case_number(whole):
    org = str(uuid.uuid4())
    for data, valid in (({"organization_id": org}, False),
                        ({"organization_id": org, "record_id": None, "case_number": None}, False),
                        ({"organization_id": org, "case_number": "C-1"}, True),
                        ({"organization_id": org, "record_id": str(uuid.uuid4())}, True)):
        assert whole.is_valid(as_event("external", "client_enrolled", 1, data)) is valid, data


def test_the_cli_prints_the_schemas():
    def run(*args):
        return subprocess.run([sys.executable, "-m", "casework.cli", "events", "schema", *args],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)

    everything = run()
    assert everything.returncode == 0, everything.stderr
    assert json.loads(everything.stdout) == event_schemas.document()
    one = run("records.record_created")
    assert one.returncode == 0, one.stderr
    assert json.loads(one.stdout) == event_schemas.schema_of("records.record_created")
    assert json.loads(one.stdout)["properties"]["type"]["const"] == "records.record_created"
    unknown = run("records.nothing")
    assert unknown.returncode == 1 and "no declared event 'records.nothing'" in unknown.stderr
