"""casework.dumping gives what marshmallow gives, for the schemas it takes; others fall back."""

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

from marshmallow import Schema, fields, post_dump

from casework.dumping import page_dumper
from contracts.records import RecordSchema, RecordViewSchema

record_schema, view_schema = RecordSchema(), RecordViewSchema()


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
    row = {**row, **overrides}
    # what the records service's statements derive (services/records/queries/records.py)
    return {**row, "name": f"{row['first_name']} {row['last_name']}",
            "has_client_account": row["portal_status"] is not None}


def view(**overrides) -> dict:
    """A record view as its statement gives it: related rows come as JSON, times as text."""
    return {**record(), "client_type": {"id": str(uuid.uuid4()), "name": "Adult",
                                                   "active": True},
            "warning_indicators": [{"id": str(uuid.uuid4()), "name": "Risk", "colour": None,
                                    "active": False}],
            "groups": [], "image_url": None,
            "navigators": [{"user_id": str(uuid.uuid4()), "name": "Grace", "email": None,
                            "active": True, "assigned_at": "2026-11-23T05:01:02.345Z"}],
            "invitation": {"sent": True, "sent_at": datetime(2026, 11, 23, 5, 1, 2, tzinfo=UTC),
                           "email": "ada@example.org"}, **overrides}


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


def test_nested_schemas_are_dumped_as_marshmallow_dumps_them():
    rows = [view(), view(client_type=None, warning_indicators=[], navigators=[],
                        invitation={"sent": False, "sent_at": None, "email": None})]
    fast = page_dumper(view_schema)(rows)
    assert fast == view_schema.dump(rows, many=True)
    assert fast[0]["invitation"]["sent_at"] == "2026-11-23T05:01:02.000Z"
    assert fast[0]["navigators"][0]["assigned_at"] == "2026-11-23T05:01:02.345Z"  # kept
    assert fast[0]["phones"] == [{"type": "mobile", "number": "0790 000"}]
    assert fast[1]["client_type"] is None and fast[1]["invitation"]["sent"] is False
    # a key a nested value lacks is left out, as marshmallow leaves it out
    assert page_dumper(record_schema)([record(phones=[{"number": "0790"}])])[0]["phones"] == [
        {"number": "0790"}]


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
