"""The identity routes of API.md are in the route table and the OpenAPI document, with the
statuses they answer."""

import gateway.service  # noqa: F401  (registers every route)
from gateway import openapi
from gateway.routing import ROUTES

API_MD = {
    ("POST", "/api/v1/operator/organizations"): ("operator", None),
    ("POST", "/api/v1/auth/staff/login"): ("public", None),
    ("POST", "/api/v1/auth/portal/login"): ("public", None),
    ("POST", "/api/v1/auth/logout"): ("public", None),
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
