"""The identity routes of API.md are in the route table and the OpenAPI document, with the
statuses they answer."""

import re

import gateway.service  # noqa: F401  (registers every route)
from gateway import openapi
from gateway.routing import ROUTES

API_MD = {
    ("POST", "/api/v1/operator/organizations"): ("operator", None),
    ("POST", "/api/v1/auth/staff/login"): ("public", None),
    ("POST", "/api/v1/auth/portal/login"): ("public", None),
    ("POST", "/api/v1/auth/logout"): ("signed_in", None),
    ("GET", "/api/v1/staff/users"): ("staff", "agency_admin"),
    ("POST", "/api/v1/staff/users"): ("staff", "agency_admin"),
    ("GET", "/api/v1/staff/users/{user_id}"): ("staff", "agency_admin"),
    ("PATCH", "/api/v1/staff/users/{user_id}"): ("staff", "agency_admin"),
    ("GET", "/api/v1/staff/roles"): ("staff", "agency_admin"),
    ("POST", "/api/v1/staff/roles"): ("staff", "agency_admin"),
    ("PATCH", "/api/v1/staff/roles/{role_id}"): ("staff", "agency_admin"),
    ("DELETE", "/api/v1/staff/roles/{role_id}"): ("staff", "agency_admin"),
    ("GET", "/api/v1/staff/settings"): ("staff", "agency_admin"),
    ("PATCH", "/api/v1/staff/settings"): ("staff", "agency_admin"),
    ("GET", "/api/v1/staff/me"): ("staff", None),
    ("PATCH", "/api/v1/staff/me"): ("staff", None),
    ("GET", "/api/v1/portal/me"): ("portal", None),
}


def test_every_identity_route_of_api_md_is_declared_with_its_audience_and_permission():
    declared = {(r.method, r.openapi_path): (r.audience, r.permission) for r in ROUTES}
    assert {key: declared.get(key) for key in API_MD} == API_MD


def test_the_openapi_document_shows_login_throttling_and_bearer_security():
    paths = openapi.document()["paths"]
    login = paths["/api/v1/auth/staff/login"]["post"]
    assert {"200", "401", "422", "429"} <= set(login["responses"])
    assert "security" not in login
    users = paths["/api/v1/staff/users"]["post"]
    assert users["security"] == [{"bearer": []}]
    assert {"201", "401", "403", "409", "422"} <= set(users["responses"])
    assert "password" not in str(paths["/api/v1/staff/users/{user_id}"]["get"]["responses"])
    # a signed-in person's own account (staff or client): bearer security, 401 without it
    for path in ("/api/v1/auth/password", "/api/v1/auth/logout"):
        assert paths[path]["post"]["security"] == [{"bearer": []}], path
        assert "401" in paths[path]["post"]["responses"], path


def _contract_of(schema: type) -> str:
    """The module that declares a schema (a list page: the module of its item schema)."""
    items = schema._declared_fields.get("items")
    if schema.__name__.endswith("PageSchema") and items is not None:
        return _contract_of(items.inner.nested)
    return schema.__module__


def test_identity_routes_validate_and_answer_with_the_contract_classes():
    """No gateway copy of identity's schemas: bodies, queries and replies are the contract's."""
    routes = [r for r in ROUTES if (r.method, r.openapi_path) in API_MD]
    assert len(routes) == len(API_MD)
    checked = 0
    for route in routes:
        schemas = [type(s) for s in (route.body, route.query) if s is not None]
        schemas += [s if isinstance(s, type) else type(s) for s in route.responses.values()
                    if s is not None]
        for schema in schemas:
            assert _contract_of(schema) in ("contracts.identity", "contracts.common"), (
                route.path, schema)
            checked += 1
    assert checked >= 20


# openapi-python-client's names for the values of a string enum (default settings): the value in
# capitals, every character but letters, digits and ". _-" dropped, then snake case; a value not
# starting with a letter is VALUE_<index>. Two values with one name break the generated client
# (the generator refuses the document, or one value silently replaces the other).
def _words(value: str) -> list[str]:
    if any(c.isupper() for c in value):
        value = " ".join(re.split("([A-Z]?[a-z]+)", value))
    return re.findall(r"[^. _-]+", value)


def _enum_names(values: list) -> list[str]:
    names = []
    for index, value in enumerate(values):
        key = value.upper() if value and value[0].isalpha() else f"VALUE_{index}"
        kept = "".join(c for c in key if c.isidentifier() or c.isdecimal() or c in ". _-")
        names.append("_".join(_words(kept)).upper())
    return names


def _string_enums(node, where="#"):
    if isinstance(node, dict):
        if isinstance(node.get("enum"), list) and node.get("type") == "string":
            yield where, [v for v in node["enum"] if v is not None]
        for key, value in node.items():
            yield from _string_enums(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _string_enums(value, f"{where}/{index}")


def test_every_enum_of_the_document_names_its_values_apart_in_a_generated_client():
    document = openapi.document()
    enums = dict(_string_enums(document))
    assert enums, "the document has enums (permissions, portal features, ...)"
    for where, values in enums.items():
        names = _enum_names(values)
        assert all(name.isidentifier() or name[:1].isdigit() for name in names), (where, names)
        assert len(set(names)) == len(names), (where, sorted(
            v for v, n in zip(values, names, strict=True) if names.count(n) > 1))


def test_the_time_zone_rule_is_described_not_listed():
    schemas = openapi.document()["components"]["schemas"]
    for schema in ("OrganizationCreate", "SettingsUpdate"):
        zone = schemas[schema]["properties"]["timezone"]
        assert "enum" not in zone and "IANA" in zone["description"], zone
    # what a listed enum of this machine's tz database would do to a generated client
    assert _enum_names(["GMT+0", "GMT-0", "GMT0"]) == ["GMT0", "GMT_0", "GMT0"]


def test_a_fulfilment_is_documented_as_json_with_its_schema_or_as_the_document_itself():
    """``POST /portal/requests/{id}/fulfil`` takes JSON (answers, a location, an ROI) or a file:
    the document describes the JSON variant by its schema, the files as binary."""
    body = openapi.document()["paths"]["/api/v1/portal/requests/{request_id}/fulfil"]["post"][
        "requestBody"]["content"]
    assert body["application/json"]["schema"] == {"$ref": "#/components/schemas/FulfilBody"}
    assert body["application/pdf"]["schema"] == {"type": "string", "format": "binary"}
    assert body["image/png"]["schema"] == {"type": "string", "format": "binary"}


def test_no_two_schemas_of_the_document_share_a_name():
    """apispec renames a second schema class of the same name ("PortalSession1"), which a
    generated client then shows: every schema class of a route has a name of its own."""
    import warnings

    openapi.document.cache_clear()
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message="Multiple schemas resolved")
            openapi.document()
    finally:
        openapi.document.cache_clear()
