"""What the OpenAPI document says a request may hold is what the platform takes (a fuzzing
finding: for these four operations the document allowed input that the services refused).

For each operation, input at the limits the document states (read from the document the gateway
serves, so that the test fails when the two drift apart again) is accepted, and input just past
them is refused with 422 ``validation_error`` by the gateway itself: the gateway's own schema for
the route refuses it, so the request never reaches a service.
"""

from __future__ import annotations

import json
import re
import uuid
from zoneinfo import available_timezones

import pytest
import requests
from marshmallow import ValidationError

import gateway.service  # noqa: F401  (imports every route module, so ROUTES is complete)
from gateway.routing import ROUTES

API = "/api/v1/staff"
TYPES = f"{API}/client-types"
RECORD = f"{API}/records/{{record_id}}"
SETTINGS = f"{API}/settings"
CONTACTS = f"{API}/contacts"
ROUTE = {(r.method, r.openapi_path): r for r in ROUTES}


# --- the document ----------------------------------------------------------------------------

def document(url: str) -> dict:
    answer = requests.get(f"{url}/api/v1/openapi.json", timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def body_schema(doc: dict, method: str, path: str) -> dict:
    body = doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    return resolve(doc, body)


def query_parameter(doc: dict, path: str, name: str) -> dict:
    """The parameter's schema, with the parameter's description."""
    (found,) = [p for p in doc["paths"][path]["get"]["parameters"]
                if p["in"] == "query" and p["name"] == name]
    return {**found["schema"], "description": found.get("description", "")}


def branch(schema: dict, type_: str) -> dict:
    """The ``anyOf`` branch of one type (not the null-only one)."""
    (found,) = [b for b in schema["anyOf"] if b.get("type") == type_ and b.get("enum") != [None]]
    return found


def email_of_length(length: int) -> str:
    """A well-formed address of exactly ``length`` characters (a 255-character domain)."""
    domain = ".".join(["d" * 63] * 4)
    return "a" * (length - 1 - len(domain)) + "@" + domain


# --- answers ---------------------------------------------------------------------------------

def accepted(answer, status: int = 200) -> dict:
    assert answer.status_code == status, (answer.request.method, answer.request.url,
                                          answer.text[:500])
    return answer.json()


def refused(session, method: str, url: str, path: str, field: str, *, json_body=None,
            raw: str | None = None, params: dict | None = None) -> dict:
    """422 ``validation_error`` naming ``field``, and refused by the gateway's own schema for the
    route (``raw``: a JSON text that ``json.loads`` reads as the gateway does)."""
    if raw is not None:
        answer = session.request(method, url, data=raw,
                                 headers={"Content-Type": "application/json"})
        json_body = json.loads(raw)
    else:
        answer = session.request(method, url, json=json_body, params=params)
    assert answer.status_code == 422, (method, url, json_body, params, answer.status_code,
                                       answer.text[:500])
    problem = answer.json()
    assert problem["code"] == "validation_error", problem
    assert field in problem["errors"], problem
    route = ROUTE[(method.upper(), path)]
    schema = route.query if params is not None else route.body
    with pytest.raises(ValidationError) as gateway_refusal:
        schema.load(params if params is not None else json_body)
    assert field in gateway_refusal.value.messages
    assert problem["errors"] == json.loads(json.dumps(gateway_refusal.value.messages))
    return problem


# --- GET /api/v1/staff/client-types ----------------------------------------------------------

def test_client_types_list_takes_the_documented_limit_and_cursor(gateway_url, staff):
    doc = document(gateway_url)
    limit = query_parameter(doc, TYPES, "limit")
    cursor = query_parameter(doc, TYPES, "cursor")
    assert "nullable" not in cursor and "default" not in cursor  # a query string has no null
    admin = staff()
    url = gateway_url + TYPES
    for name in ("Alpha", "Beta"):
        accepted(admin.post(url, json={"name": name}), 201)

    first = accepted(admin.get(url, params={"limit": limit["minimum"]}))
    assert [t["name"] for t in first["items"]] == ["Alpha"]
    given = first["next_cursor"]
    # the cursors the service gives are what the document describes
    assert re.fullmatch(cursor["pattern"], given) and len(given) <= cursor["maxLength"]
    second = accepted(admin.get(url, params={"limit": limit["maximum"], "cursor": given}))
    assert [t["name"] for t in second["items"]] == ["Beta"] and second["next_cursor"] is None
    assert len(accepted(admin.get(url, params={"cursor": ""}))["items"]) == 2  # first page

    for value in (limit["minimum"] - 1, limit["maximum"] + 1):
        refused(admin, "get", url, TYPES, "limit", params={"limit": str(value)})
    too_long = "A" * (cursor["maxLength"] + 4 - cursor["maxLength"] % 4)  # well-formed base64
    assert re.fullmatch(cursor["pattern"], too_long)
    refused(admin, "get", url, TYPES, "cursor", params={"cursor": too_long})
    for malformed in ("not a cursor", given.rstrip("=") + "!", "eyJvIjoxfQ", given + "\n"):
        assert not re.fullmatch(cursor["pattern"], malformed)
        refused(admin, "get", url, TYPES, "cursor", params={"cursor": malformed})
    # a well-formed cursor that no page gave is refused by the service, as the description says
    # (like an unknown id: no schema can list the cursors given)
    unknown = admin.get(url, params={"cursor": "AAAA"})
    assert unknown.status_code == 422 and unknown.json()["errors"] == {
        "cursor": ["not a cursor we gave"]}
    assert "next_cursor" in cursor["description"]


# --- PATCH /api/v1/staff/records/{record_id} -------------------------------------------------

def test_record_patch_takes_what_its_body_documents(gateway_url, staff):
    doc = document(gateway_url)
    schema = body_schema(doc, "patch", RECORD)
    props = schema["properties"]
    admin = staff()
    record = accepted(admin.post(f"{gateway_url}{API}/records",
                                 json={"first_name": "Ada", "last_name": "Lovelace"}), 201)
    url = f"{gateway_url}{API}/records/{record['id']}"

    def patch_refused(field, body=None, raw=None):
        return refused(admin, "patch", url, RECORD, field, json_body=body, raw=raw)

    # an empty PATCH is valid: nothing is required, and nothing changes
    assert not schema.get("required") and not schema.get("minProperties")
    assert accepted(admin.patch(url, json={}))["updated_at"] == record["updated_at"]
    patch_refused("unknown", {"unknown": 1})  # additionalProperties: false

    names = {name: props[name] for name in ("first_name", "last_name")}
    view = accepted(admin.patch(url, json={n: n[0] * s["maxLength"] for n, s in names.items()}))
    assert view["first_name"] == "f" * names["first_name"]["maxLength"]
    for name, limits in names.items():
        patch_refused(name, {name: "x" * (limits["maxLength"] + 1)})
        patch_refused(name, {name: "x" * (limits["minLength"] - 1)})
        assert not limits.get("nullable")
        patch_refused(name, {name: None})

    email = props["email"]
    assert accepted(admin.patch(url, json={"email": email_of_length(email["maxLength"])}))[
        "email"] == email_of_length(email["maxLength"])
    patch_refused("email", {"email": email_of_length(email["maxLength"] + 1)})
    assert email["nullable"] and accepted(admin.patch(url, json={"email": None}))["email"] is None

    phones = props["phones"]
    ten = [{"number": f"+44 20 7946 {n:04d}"} for n in range(phones["maxItems"])]
    assert len(accepted(admin.patch(url, json={"phones": ten}))["phones"]) == phones["maxItems"]
    patch_refused("phones", {"phones": [*ten, {"number": "123"}]})

    for kind in props["kind"]["enum"]:
        assert accepted(admin.patch(url, json={"kind": kind}))["kind"] == kind
    patch_refused("kind", {"kind": "volunteer"})
    methods = props["preferred_contact_methods"]["items"]["enum"]
    assert accepted(admin.patch(url, json={"preferred_contact_methods": methods}))[
        "preferred_contact_methods"] == methods
    patch_refused("preferred_contact_methods", {"preferred_contact_methods": ["pigeon"]})
    for born in ("0001-01-01", "9999-12-31", None):
        assert accepted(admin.patch(url, json={"date_of_birth": born}))["date_of_birth"] == born
    patch_refused("date_of_birth", {"date_of_birth": "2020-02-30"})

    # as many warning indicators as documented (the agency's own, active: any other id is
    # refused like an unknown one)
    most = props["warning_indicator_ids"]["maxItems"]
    ids = [accepted(admin.post(f"{gateway_url}{API}/warning-indicators",
                               json={"name": f"Indicator {n}"}), 201)["id"] for n in range(most)]
    assert len(accepted(admin.patch(url, json={"warning_indicator_ids": ids}))[
        "warning_indicators"]) == most
    patch_refused("warning_indicator_ids", {"warning_indicator_ids": [*ids, str(uuid.uuid4())]})

    custom = props["custom_fields"]
    values = custom["additionalProperties"]
    text, number = branch(values, "string"), branch(values, "number")
    shortest, longest = map(int, re.search(r"named by (\d+) to (\d+) characters",
                                           custom["description"]).groups())
    edge = {"text": "t" * text["maxLength"], "empty": "", "top": number["maximum"],
            "bottom": number["minimum"], "integer": 10 ** 18, "fraction": 0.5, "yes": True,
            "no": False, "k" * longest: "longest name", "k" * shortest: "shortest name"}
    full = {**edge, **{f"field {n}": n for n in range(custom["maxProperties"] - len(edge))}}
    stored = accepted(admin.patch(url, json={"custom_fields": full}))["custom_fields"]
    # (PostgreSQL writes the extreme numbers back without an exponent: the same doubles)
    assert [float(stored.pop(k)) for k in ("top", "bottom")] == [full["top"], full["bottom"]]
    assert stored == {k: v for k, v in full.items() if k not in ("top", "bottom")}
    assert values["anyOf"][-1] == {"type": "string", "nullable": True, "enum": [None]}
    left = accepted(admin.patch(url, json={"custom_fields": {"text": None}}))["custom_fields"]
    assert "text" not in left and len(left) == custom["maxProperties"] - 1

    patch_refused("custom_fields", {"custom_fields": {
        f"field {n}": n for n in range(custom["maxProperties"] + 1)}})
    patch_refused("custom_fields", {"custom_fields": {"text": "t" * (text["maxLength"] + 1)}})
    patch_refused("custom_fields", {"custom_fields": {"k" * (longest + 1): 1}})
    patch_refused("custom_fields", {"custom_fields": {"": 1}})
    for not_a_value in ({"nested": 1}, [1, 2]):
        patch_refused("custom_fields", {"custom_fields": {"x": not_a_value}})
    for beyond in ("1e309", "-1e309", "NaN", "Infinity"):  # JSON numbers past a double's range
        patch_refused("custom_fields", raw=f'{{"custom_fields": {{"x": {beyond}}}}}')


# --- PATCH /api/v1/staff/settings ------------------------------------------------------------

def test_settings_patch_takes_what_its_body_documents(gateway_url, staff):
    doc = document(gateway_url)
    schema = body_schema(doc, "patch", SETTINGS)
    props = schema["properties"]
    admin = staff()
    url = gateway_url + SETTINGS

    def settings_refused(field, body):
        return refused(admin, "patch", url, SETTINGS, field, json_body=body)

    before = accepted(admin.get(url))
    assert not schema.get("required") and accepted(admin.patch(url, json={})) == before
    settings_refused("unknown", {"unknown": True})

    # the document describes the time zones (an IANA name of the tz database) instead of listing
    # ~600 of them, some of which collide in generated clients (GMT0, GMT+0, GMT-0): every zone
    # of the tz database is one identity takes, within the documented length; anything else is
    # refused at the gateway
    zone = props["timezone"]
    assert "enum" not in zone and "IANA time zone" in zone["description"]
    zones = sorted(available_timezones())
    assert {"UTC", "Europe/London", "America/New_York", "GMT0", "GMT+0", "GMT-0"} <= set(zones)
    assert zone["example"] in zones and re.search(r"\b422\b", zone["description"])
    for name in zones:
        assert zone["minLength"] <= len(name) <= zone["maxLength"]
        assert accepted(admin.patch(url, json={"timezone": name}))["timezone"] == name
    for name in ("Mars/Olympus", "europe/london", "", "Europe/London ", "Europe/London\n",
                 "Europe/" + "x" * zone["maxLength"]):
        settings_refused("timezone", {"timezone": name})

    hours = props["invitation_ttl_hours"]
    for value in (hours["minimum"], hours["maximum"]):
        assert accepted(admin.patch(url, json={"invitation_ttl_hours": value}))[
            "invitation_ttl_hours"] == value
    for value in (hours["minimum"] - 1, hours["maximum"] + 1):
        settings_refused("invitation_ttl_hours", {"invitation_ttl_hours": value})

    for name in ("sender_name", "welcome_template"):
        most = props[name]["maxLength"]
        assert accepted(admin.patch(url, json={name: "s" * most}))[name] == "s" * most
        assert props[name]["nullable"] and accepted(admin.patch(url, json={name: None}))[
            name] is None
        settings_refused(name, {name: "s" * (most + 1)})

    features = props["portal_features"]["items"]["enum"]
    assert accepted(admin.patch(url, json={"portal_features": features}))[
        "portal_features"] == features
    assert accepted(admin.patch(url, json={"portal_features": []}))["portal_features"] == []
    settings_refused("portal_features", {"portal_features": ["telepathy"]})


# --- POST /api/v1/staff/contacts -------------------------------------------------------------

def test_contact_creation_takes_what_its_body_documents(gateway_url, staff):
    doc = document(gateway_url)
    schema = body_schema(doc, "post", CONTACTS)
    props = schema["properties"]
    admin = staff()
    url = gateway_url + CONTACTS

    def created(body):
        return accepted(admin.post(url, json={**body, "confirm_new": True}), 201)

    def contact_refused(field, body):
        return refused(admin, "post", url, CONTACTS, field, json_body={**body,
                                                                        "confirm_new": True})

    # a last name or an organisation name, not blank: the document says so with anyOf
    naming = {b["required"][0]: b["properties"][b["required"][0]]["pattern"]
              for b in schema["anyOf"]}
    assert set(naming) == {"last_name", "organisation_name"}
    for name, pattern in naming.items():
        assert created({name: "Acme"})[name] == "Acme"
        assert created({name: " \u3000x"})[name] == " \u3000x"
        other = ({"last_name", "organisation_name"} - {name}).pop()
        assert created({name: "Named", other: " "})[other] == " "  # one name is enough
        for blank in (" ", "\t\n", "\u00a0\u2003", "\u3000", "\x1f", "\x85", "\ufeff"):
            assert not re.search(pattern, blank)
            contact_refused("last_name", {name: blank})
    for nameless in ({}, {"first_name": "Only"}, {"last_name": None, "organisation_name": None},
                     {"email": "nameless@example.org"}):
        contact_refused("last_name", nameless)
    contact_refused("unknown", {"last_name": "L", "unknown": 1})

    address = resolve(doc, next(b for b in props["address"]["anyOf"] if "$ref" in b))
    # the other branch of address admits null only, not any object
    assert {"type": "object", "nullable": True, "enum": [None]} in props["address"]["anyOf"]
    longest = {name: name[0] * props[name]["maxLength"]
               for name in ("first_name", "last_name", "organisation_name")}
    full_address = {name: name[0] * limits["maxLength"]
                    for name, limits in address["properties"].items()}
    most_phones = props["phones"]["maxItems"]
    phones = [{"type": "work", "number": f"0{n:09d}"} for n in range(most_phones)]
    email = email_of_length(props["email"]["maxLength"])
    contact = created({**longest, "email": email, "phones": phones, "address": full_address})
    assert {k: contact[k] for k in longest} == longest and contact["address"] == full_address
    assert contact["email"] == email and len(contact["phones"]) == most_phones
    assert created({"last_name": "Nulls", "first_name": None, "email": None, "address": None,
                    "organisation_name": None})["address"] is None

    for name in longest:
        contact_refused(name, {**longest, name: longest[name] + "x"})
        contact_refused(name, {"organisation_name": "Acme", name: ""} if name != "organisation_name"
                        else {"last_name": "L", name: ""})
    contact_refused("email", {"last_name": "L", "email": email_of_length(
        props["email"]["maxLength"] + 1)})
    contact_refused("phones", {"last_name": "L", "phones": [*phones, {"number": "123"}]})
    for name, limits in address["properties"].items():
        contact_refused("address", {"last_name": "L", "address": {
            **full_address, name: "x" * (limits["maxLength"] + 1)}})
    assert address["required"] == ["line1"]
    for wrong in ({}, {"city": "Leeds"}, {**full_address, "unknown": 1}):
        contact_refused("address", {"last_name": "L", "address": wrong})
