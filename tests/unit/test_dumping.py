"""casework.dumping gives what marshmallow gives, for the schemas it takes; others fall back."""

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

from marshmallow import Schema, fields, post_dump

from casework.dumping import page_dumper
from services.records.schemas import record_schema


def record(**overrides) -> dict:
    row = {
        "id": uuid.uuid4(), "kind": "client", "first_name": "Ada", "last_name": "Lovelace",
        "email": "ada@example.org", "phones": [{"type": "mobile", "number": "0790 000"}],
        "preferred_contact_methods": ["email", "sms"], "date_of_birth": date(1815, 12, 10),
        "case_number": "C-000001", "client_type_id": uuid.uuid4(), "status": "active",
        "portal_status": "active", "custom_fields": {"school": "Hill Road", "year": 7},
        "created_at": datetime(2026, 11, 23, 5, 1, 2, 345678, tzinfo=UTC),
        "updated_at": datetime(2026, 11, 23, 7, 1, 2, tzinfo=timezone(timedelta(hours=2))),
    }
    return {**row, **overrides}


def test_record_pages_are_dumped_as_marshmallow_dumps_them():
    rows = [record(),
            record(email=None, phones=[], preferred_contact_methods=[], date_of_birth=None,
                   client_type_id=None, portal_status=None, custom_fields={}),
            record(first_name="Zoë", last_name="Ó Súilleabháin")]
    fast = page_dumper(record_schema)(rows)
    assert fast == record_schema.dump(rows, many=True)
    assert fast[0]["updated_at"] == "2026-11-23T05:01:02.000Z"  # in UTC, as the API says
    assert fast[1]["has_client_account"] is False and fast[0]["name"] == "Ada Lovelace"
    assert page_dumper(record_schema)([]) == []


def test_schemas_with_other_fields_or_hooks_are_dumped_by_marshmallow():
    class WithNested(Schema):
        name = fields.String()
        inner = fields.Nested(lambda: WithHook())

    class WithHook(Schema):
        name = fields.String()

        @post_dump
        def shout(self, data, **kwargs):
            return {**data, "name": data["name"].upper()}

    rows = [{"name": "ada", "inner": {"name": "grace"}}]
    assert page_dumper(WithNested())(rows) == [{"name": "ada", "inner": {"name": "GRACE"}}]
    assert page_dumper(WithHook())([{"name": "ada"}]) == [{"name": "ADA"}]
    assert page_dumper(WithHook(only=("name",)))([{"name": "ada"}]) == [{"name": "ADA"}]
