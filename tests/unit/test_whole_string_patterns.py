"""Issue 19, "Input that should never have been stored": every pattern that validates input
matches whole strings (an agency slug ending in a newline was accepted: Python's ``$`` also
matches before a final newline), and lists of input refuse repeats."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from hypothesis import HealthCheck, find, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError, fields, validate

import contracts
from contracts.common import Unique


def contract_modules():
    for info in pkgutil.walk_packages(contracts.__path__, "contracts."):
        yield importlib.import_module(info.name)


def inner_fields(field):
    yield field
    if isinstance(field, fields.List):
        yield from inner_fields(field.inner)
    if isinstance(field, fields.Dict):
        for part in (field.key_field, field.value_field):
            if part is not None:
                yield from inner_fields(part)


def validators_of(field):
    for one in inner_fields(field):
        found = one.validators if hasattr(one, "validators") else []
        yield from found


def contract_schemas():
    for module in contract_modules():
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Schema) and value is not Schema:
                yield value


def regexp_validators():
    """Every validate.Regexp of the contracts: in schema fields (lists and dicts included) and
    the module-level ones (CURSOR, SLUG, ...)."""
    found = {}
    for cls in contract_schemas():
        for name, field in cls._declared_fields.items():
            for validator in validators_of(field):
                if isinstance(validator, validate.Regexp):
                    found.setdefault(validator.regex.pattern,
                                     (f"{cls.__module__}.{cls.__name__}.{name}", validator))
    for module in contract_modules():
        for name, value in vars(module).items():
            candidates = value if isinstance(value, (list, tuple)) else [value]
            for validator in candidates:
                if isinstance(validator, validate.Regexp):
                    found.setdefault(validator.regex.pattern,
                                     (f"{module.__name__}.{name}", validator))
    return sorted(found.values(), key=lambda item: item[0])


REGEXPS = regexp_validators()


def test_the_scan_finds_the_patterns_we_know():
    names = " ".join(name for name, _ in REGEXPS)
    for known in ("SLUG", "CURSOR", "case_number", "number", "colour"):
        assert known.lower() in names.lower(), (known, names)


@pytest.mark.parametrize("name, validator", REGEXPS, ids=[name for name, _ in REGEXPS])
def test_every_regexp_validator_refuses_a_trailing_newline(name, validator):
    example = find(st.from_regex(validator.regex, fullmatch=True), lambda s: True,
                   settings=settings(database=None,
                                     suppress_health_check=list(HealthCheck)))
    assert validator(example) == example  # a whole match is accepted ...
    for suffix in ("\n", "\r\n", "\nx"):
        with pytest.raises(ValidationError):  # ... and nothing may follow it
            validator(example + suffix)
    assert re.fullmatch(validator.regex, example + "\n") is None


def test_the_slug_of_the_finding_is_refused():
    from contracts.identity import SLUG
    with pytest.raises(ValidationError):
        SLUG("agency\n")


INPUT_LISTS = [
    ("contracts.records.record", "RecordCreateSchema", "preferred_contact_methods"),
    ("contracts.records.record", "RecordCreateSchema", "phones"),
    ("contracts.records.record", "RecordPatchSchema", "preferred_contact_methods"),
    ("contracts.records.record", "RecordPatchSchema", "phones"),
    ("contracts.records.record", "RecordPatchSchema", "warning_indicator_ids"),
    ("contracts.records.contacts", "ContactCreateSchema", "phones"),
    ("contracts.records.contacts", "LinkCreateSchema", "contact_types"),
    ("contracts.records.contacts", "LinkPatchSchema", "contact_types"),
    ("contracts.identity", "RoleCreateSchema", "permissions"),
    ("contracts.identity", "RoleUpdateSchema", "permissions"),
    ("contracts.identity", "SettingsUpdateSchema", "portal_features"),
    ("contracts.identity", "PortalAccountCreateSchema", "phones"),
    ("contracts.identity", "PortalAccountCreateSchema", "preferred_contact_methods"),
    ("contracts.scheduling", "SessionCreateSchema", "client_ids"),
    ("contracts.scheduling", "SessionCreateSchema", "practitioner_ids"),
]


@pytest.mark.parametrize("module, schema, name", INPUT_LISTS)
def test_input_lists_refuse_repeats(module, schema, name):
    field = getattr(importlib.import_module(module), schema)._declared_fields[name]
    assert any(isinstance(v, Unique) for v in field.validators), (schema, name)
    assert field.metadata.get("uniqueItems") is True


# Lists that name what an operation acts on, not values to store: a bulk change of group members
# answers one result per record, a record named twice is acted on (and answered) once (REC-7).
# And a day's availability intervals: a repeated interval overlaps itself, which the scheduling
# service refuses (422 naming the day and the interval, SCH-1).
# The people a duplicate check is asked about (INV-6) are a question, answered per person; a bulk
# status change answers one result per record too, and an import batch flags a repeated row as
# a duplicate of the first (issue 18).
OPERATION_LISTS = {"contracts.records.catalogue.BulkMembersBodySchema.add",
                   "contracts.records.agency.BulkStatusBodySchema.record_ids",
                   "contracts.records.agency.ImportBatchSchema.rows",
                   "contracts.records.catalogue.BulkMembersBodySchema.remove",
                   "contracts.records.portal.PeopleSchema.people",
                   *(f"contracts.scheduling.WeeklySchema.{day}" for day in (
                       "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                       "sunday"))}


def test_every_list_of_a_strict_input_schema_refuses_repeats():
    """No stored list of input is left out: every List field of a Strict (input) schema has
    Unique, but for the operation lists above."""
    from contracts.common import Strict
    missing = []
    for cls in contract_schemas():
        if not issubclass(cls, Strict):
            continue
        for name, field in cls._declared_fields.items():
            if isinstance(field, fields.List) and not any(
                    isinstance(v, Unique) for v in field.validators):
                missing.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert set(missing) == OPERATION_LISTS


def test_repeats_are_named_and_phone_numbers_compare_by_digits():
    from contracts.records.record import RecordCreateSchema
    with pytest.raises(ValidationError) as refused:
        RecordCreateSchema().load({
            "first_name": "A", "last_name": "B",
            "preferred_contact_methods": ["email"] * 1000 + ["sms"],
            "phones": [{"number": "+44 20 7946 0000"}, {"number": "+44 (20) 7946-0000"}]})
    assert refused.value.messages == {
        "preferred_contact_methods": ["each contact method at most once; repeated: email"],
        "phones": ["each phone number at most once; repeated: +442079460000"]}
    loaded = RecordCreateSchema().load({"first_name": "A", "last_name": "B",
                                        "preferred_contact_methods": ["email", "sms"],
                                        "phones": [{"number": "020 1"}, {"number": "+020 1"}]})
    assert loaded["preferred_contact_methods"] == ["email", "sms"]
