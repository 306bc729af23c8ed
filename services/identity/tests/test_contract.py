"""The rules identity's contract states for what it takes (contracts/identity.py): the gateway
and the service load with these same classes."""

from __future__ import annotations

from zoneinfo import available_timezones

import pytest
from marshmallow import ValidationError

from contracts.identity import (
    OrganizationCreateSchema,
    PortalAccountCreateSchema,
    SettingsUpdateSchema,
    StaffUserCreateSchema,
    time_zones,
)

ADMIN = {"email": "ada@example.org", "first_name": "Ada", "last_name": "Admin",
         "password": "a long enough password"}


def errors(schema, payload) -> dict:
    with pytest.raises(ValidationError) as refused:
        schema.load(payload)
    return refused.value.messages


@pytest.mark.parametrize("password, ok", [
    ("", False), ("a" * 11, False), ("a" * 12, True), ("correct horse battery staple", True),
    ("p" * 1024, True), ("p" * 1025, False)])
def test_s2_new_passwords_need_12_to_1024_characters(password, ok):
    body = {"email": "u@example.org", "first_name": "U", "last_name": "V", "password": password}
    if ok:
        assert StaffUserCreateSchema().load(body)["password"] == password
    else:
        assert list(errors(StaffUserCreateSchema(), body)) == ["password"]


@pytest.mark.parametrize("slug, ok", [
    ("hope-street", True), ("a", True), ("a1-b2", True), ("Hope", False), ("-hope", False),
    ("hope-", False), ("hope street", False), ("h" * 63, True), ("h" * 64, False),
    ("hope\n", False), ("hope\nstreet", False), ("", False)])
def test_slugs_are_whole_strings_of_lower_case_words(slug, ok):
    body = {"name": "Hope", "slug": slug, "admin": ADMIN}
    if ok:
        assert OrganizationCreateSchema().load(body)["slug"] == slug
    else:
        assert list(errors(OrganizationCreateSchema(), body)) == ["slug"]


def test_time_zones_are_the_iana_names_of_the_tz_database():
    assert time_zones() == available_timezones()
    assert {"UTC", "Europe/London", "GMT0", "GMT+0", "GMT-0", "Etc/GMT+1"} <= time_zones()
    schema = SettingsUpdateSchema()
    for zone in ("Europe/London", "GMT+0", "Etc/GMT-14", "America/Argentina/Buenos_Aires"):
        assert schema.load({"timezone": zone}) == {"timezone": zone}
    for bad in ("Mars/Olympus", "", "../etc/passwd", "europe/london", "Europe/London ",
                "Europe/London\n", "x" * 65):
        assert list(errors(schema, {"timezone": bad})) == ["timezone"]
    assert OrganizationCreateSchema().load({"name": "Hope", "slug": "hope", "admin": ADMIN})[
        "timezone"] == "UTC"


def test_portal_account_phones_are_whole_numbers():
    body = {"email": "c@example.org", "password": "a long enough password", "first_name": "C",
            "last_name": "D"}
    loaded = PortalAccountCreateSchema().load({**body, "phones": [{"number": "+44 20 7946 0000"}]})
    assert loaded["phones"] == [{"type": "mobile", "number": "+44 20 7946 0000"}]
    for number in ("12", "+44 20 7946 0000\n", "call me"):
        assert "phones" in errors(PortalAccountCreateSchema(), {**body, "phones": [
            {"number": number}]})
