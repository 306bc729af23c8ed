"""The access matrix of every staff route, generated from the route table (QUALITY S1; ID-1, ID-2).

Every route in ``gateway.routing.ROUTES`` with audience ``staff`` is called
  (a) with no token, a garbage token and a portal token -> 401,
  (b) with agency B's administrator token and agency A's ids -> the same 404 problem as with
      ids nobody has (routes with ids),
  (c) with a token whose role lacks the route's permission -> 403 (routes with a permission),
and with a token holding exactly the route's permission it is not refused for want of one.
The portal half: every route with audience ``portal`` refuses no token, a garbage token and a
staff token (401), and, called by one client with another client's record id, answers exactly
what it answers for an id nobody has (404), while the record's own client is let in (with every
portal feature on). Routes of any signed-in person (``signed_in``: their own password, logout)
refuse no token, a garbage token and the operator's token, and let staff and client tokens in.
New routes are covered by default: path parameters are built
by creating real objects of agency A where ``FACTORIES`` knows how (add yours there), and are
random UUIDs otherwise; request bodies are generated from the route's schema (``BODIES``
overrides one that cannot be).
"""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
import requests
from marshmallow import fields, validate

import gateway.service  # noqa: F401  (imports every route module, so ROUTES is complete)
from gateway.routing import ROUTES

STAFF_ROUTES = [r for r in ROUTES if r.audience == "staff"]
PORTAL_ROUTES = [r for r in ROUTES if r.audience == "portal"]
SIGNED_IN_ROUTES = [r for r in ROUTES if r.audience == "signed_in"]
PARAM = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")
# the smallest valid PNG: routes that take a raw (image) body get real image bytes
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c49444154789c63f8ffff3f0005fe02fe0def46b80000000049454e44ae426082")


def _create(path: str, body: dict):
    def factory(url, admin, values):
        answer = admin.post(url + fill_path(path, values), json=body())
        assert answer.status_code == 201, (path, answer.status_code, answer.text)
        return answer.json()["id"]

    return factory


# collection path (werkzeug syntax, earlier parameters as placeholders) -> a factory making one
# object of agency A in it: (gateway url, A's admin session, values built so far) -> id. Any other
# collection with a POST route is tried with a body generated from that route's schema.
FACTORIES = {
    "/api/v1/staff/users": _create("/api/v1/staff/users", lambda: {
        "email": f"m-{uuid.uuid4().hex[:8]}@example.org", "first_name": "Matrix",
        "last_name": "User", "password": "matrix password 1"}),
    "/api/v1/staff/roles": _create("/api/v1/staff/roles", lambda: {
        "name": f"Matrix {uuid.uuid4().hex[:8]}", "permissions": []}),
    "/api/v1/staff/records": _create("/api/v1/staff/records", lambda: {
        "first_name": "Matrix", "last_name": "Record"}),
    "/api/v1/staff/contacts": _create("/api/v1/staff/contacts", lambda: {
        "last_name": f"Matrix {uuid.uuid4().hex[:8]}", "confirm_new": True}),
}
# (method, werkzeug path) -> a request body, for routes whose schema the generator cannot fill
BODIES: dict[tuple[str, str], dict] = {
    # the generated {"type": "assessment"} lacks its assessment_id (422 before any id is looked at)
    ("POST", "/api/v1/staff/records/<record_id>/requests"): {"type": "location"},
}


def generated_factory(collection: str):
    """POST a generated body to the collection's own route; None when that does not make one."""
    post = next((r for r in STAFF_ROUTES if r.method == "POST" and r.path == collection), None)
    if post is None:
        return None

    def factory(url, admin, values):
        answer = request(admin, url, post, values)
        made = answer.json() if answer.status_code == 201 else None
        return made.get("id") if isinstance(made, dict) else None

    return factory


def params(route) -> list[str]:
    return PARAM.findall(route.path)


def collection_of(route, name: str) -> str:
    prefix = route.path[:route.path.index(f"<{name}>")].rstrip("/")
    return PARAM.sub(lambda m: f"<{m.group(1)}>", prefix)


def fill_path(path: str, values: dict) -> str:
    return PARAM.sub(lambda m: str(values[m.group(1)]), path)


def fill(route, values: dict) -> str:
    return fill_path(route.path, values)


# --- request bodies from the schemas ---------------------------------------------------------

def sample_body(schema) -> dict:
    return {field.data_key or name: sample_value(field)
            for name, field in schema.fields.items() if field.required and not field.dump_only}


def sample_value(field):
    validators = field.validators if isinstance(field.validators, list) else list(
        field.validators or ())
    for v in validators:
        if isinstance(v, validate.OneOf):
            return list(v.choices)[0]
    minimum = next((v.min for v in validators if isinstance(v, (validate.Length, validate.Range))
                    and v.min is not None), None)
    if isinstance(field, fields.Nested):
        return sample_body(field.schema)
    if isinstance(field, fields.List):
        return [sample_value(field.inner) for _ in range(minimum or 0)]
    if isinstance(field, fields.Email):
        return f"matrix-{uuid.uuid4().hex[:6]}@example.org"
    if isinstance(field, fields.UUID):
        return str(uuid.uuid4())
    if isinstance(field, fields.Boolean):
        return True
    if isinstance(field, fields.Number):
        return minimum if minimum is not None else 1
    if isinstance(field, fields.DateTime):
        return "2030-01-07T09:00:00Z"
    if isinstance(field, fields.Date):
        return date(2030, 1, 7).isoformat()
    if isinstance(field, fields.Dict):
        return {}
    return "m" * max(minimum or 0, 12)  # a string long enough for any name or password rule


def request(session, url: str, route, values: dict):
    target = url + fill(route, values)
    if route.body is not None:
        body = BODIES.get((route.method, route.path)) or sample_body(route.body)
        return session.request(route.method, target, json=body)
    raw = getattr(route, "raw_body", ())
    if raw:
        return session.request(route.method, target, data=PNG,
                               headers={"Content-Type": raw[0]})
    return session.request(route.method, target)


def describe(route) -> str:
    return f"{route.method} {route.path}"


# --- agencies --------------------------------------------------------------------------------

@pytest.fixture
def agencies(gateway_url, staff):
    """Agency A with one real object per buildable path parameter, and agency B's admin.

    A parameter is built by its collection's factory; failing that (a nested collection that
    makes no ``id``), by the object already built for a parameter of the same name elsewhere
    (``/records/<record_id>/groups/<group_id>`` reuses the group of ``/groups/<group_id>``)."""
    alice, bob = staff(), staff()
    built: dict[str, dict] = {}  # route path -> values (for routes whose ids were all built)
    by_collection: dict[str, str | None] = {}
    by_name: dict[str, str] = {}
    for route in sorted(STAFF_ROUTES, key=lambda r: len(params(r))):
        values, complete = {}, True
        for name in params(route):
            collection = collection_of(route, name)
            factory = FACTORIES.get(collection) or generated_factory(collection)
            key = fill_path(collection, values) if complete else None
            if complete and factory and key not in by_collection:
                by_collection[key] = factory(gateway_url, alice, values)
            made = by_collection.get(key) if complete else None
            if made:
                by_name.setdefault(name, made)
            elif complete and name in by_name:
                made = by_name[name]
            complete = complete and bool(made)
            values[name] = made or str(uuid.uuid4())
        if complete:
            built[route.path] = values
    return alice, bob, built


def test_the_matrix_covers_every_staff_route_and_builds_real_ids(agencies):
    alice, bob, built = agencies
    assert len(STAFF_ROUTES) >= 14
    covered = {describe(r) for r in STAFF_ROUTES}
    assert {"GET /api/v1/staff/users/<user_id>", "PATCH /api/v1/staff/roles/<role_id>",
            "DELETE /api/v1/staff/roles/<role_id>", "GET /api/v1/staff/records/<record_id>",
            "GET /api/v1/staff/me", "PATCH /api/v1/staff/settings"} <= covered
    for path in ("/api/v1/staff/users/<user_id>", "/api/v1/staff/roles/<role_id>",
                 "/api/v1/staff/records/<record_id>", "/api/v1/staff/contacts/<contact_id>"):
        assert path in built, path
    with_ids = sorted(p for p in built if "<" in p)
    print(f"{len(STAFF_ROUTES)} staff routes; {len(with_ids)} paths with ids built from real "
          "objects: " + ", ".join(with_ids))


def test_s1_every_staff_route_refuses_a_missing_garbage_or_portal_token_with_401(
        gateway_url, portal_client):
    client = portal_client()
    portal_token = {"Authorization": f"Bearer {client.token}"}
    failures = []
    for route in STAFF_ROUTES:
        values = {name: str(uuid.uuid4()) for name in params(route)}
        garbage = {"Authorization": "Bearer " + "x" * 43}
        for label, headers in (("no token", {}), ("garbage", garbage),
                               ("portal token", portal_token)):
            session = requests.Session()
            session.headers.update(headers)
            answer = request(session, gateway_url, route, values)
            if answer.status_code != 401 or answer.json().get("code") != "unauthenticated":
                failures.append((describe(route), label, answer.status_code, answer.text[:200]))
    assert failures == []


def test_s1_portal_routes_refuse_staff_tokens(gateway_url, staff, portal_client):
    admin = staff()
    client = portal_client()
    assert PORTAL_ROUTES, "at least GET /api/v1/portal/me"
    failures = []
    for route in PORTAL_ROUTES:
        values = {name: str(uuid.uuid4()) for name in params(route)}
        answer = request(admin, gateway_url, route, values)
        if answer.status_code != 401:
            failures.append((describe(route), answer.status_code, answer.text[:200]))
    assert failures == []
    assert client.get(f"{gateway_url}/api/v1/portal/me").status_code == 200


def test_s1_another_agencys_ids_answer_exactly_like_unknown_ids_on_every_staff_route(
        gateway_url, agencies):
    alice, bob, built = agencies
    failures, unknown_answers = [], {}
    for route in STAFF_ROUTES:
        names = params(route)
        if not names:
            continue
        unknown = request(bob, gateway_url, route, {n: str(uuid.uuid4()) for n in names})
        if unknown.status_code != 404 or unknown.json().get("code") != "not_found":
            failures.append((describe(route), "unknown id", unknown.status_code,
                             unknown.text[:200]))
            continue
        unknown_answers[describe(route)] = unknown.json()
        if route.path not in built:
            continue  # ids we cannot build: the unknown-id answer above is what S1 asks
        theirs = request(bob, gateway_url, route, built[route.path])
        if theirs.status_code != 404 or theirs.json() != unknown.json():
            failures.append((describe(route), "A's id with B's token", theirs.status_code,
                             theirs.text[:200], unknown.text[:200]))
    assert failures == []
    # A's objects are real and still there (B's PATCH and DELETE changed nothing): A's own read
    # is not the unknown-id answer (a sub-resource may still be absent, e.g. no image yet)
    for route in STAFF_ROUTES:
        if route.method == "GET" and params(route) and route.path in built:
            mine = request(alice, gateway_url, route, built[route.path])
            assert mine.status_code == 200 or (
                mine.status_code == 404
                and mine.json() != unknown_answers[describe(route)]), (
                describe(route), mine.text[:200])


def test_s1_lists_of_another_agency_show_none_of_its_objects(gateway_url, agencies):
    alice, bob, built = agencies
    ids = {value for values in built.values() for value in values.values()}
    assert ids
    for route in STAFF_ROUTES:
        if route.method == "GET" and not params(route):
            answer = request(bob, gateway_url, route, {})
            assert not any(i in answer.text for i in ids), describe(route)


def test_id2_every_route_with_a_permission_refuses_a_role_without_it_with_403(
        gateway_url, staff):
    admin = staff()
    nobody = staff((), organization_id=admin.organization_id)
    failures, checked = [], 0
    for route in STAFF_ROUTES:
        if not route.permission:
            continue
        checked += 1
        values = {name: str(uuid.uuid4()) for name in params(route)}
        answer = request(nobody, gateway_url, route, values)
        if answer.status_code != 403 or answer.json().get("code") != "permission_denied":
            failures.append((describe(route), answer.status_code, answer.text[:200]))
    assert checked >= 10
    assert failures == []


def test_id2_a_role_with_exactly_the_routes_permission_is_let_through(gateway_url, staff):
    admin = staff()
    members = {}
    failures = []
    for route in STAFF_ROUTES:
        if not route.permission:
            continue
        if route.permission not in members:
            members[route.permission] = staff((route.permission,),
                                              organization_id=admin.organization_id)
        values = {name: str(uuid.uuid4()) for name in params(route)}
        answer = request(members[route.permission], gateway_url, route, values)
        if answer.status_code in (401, 403) or answer.status_code >= 500:
            failures.append((describe(route), answer.status_code, answer.text[:200]))
    assert failures == []


# --- the portal half ----------------------------------------------------------------------------

def test_s1_every_portal_route_refuses_a_missing_or_garbage_token_with_401(gateway_url):
    failures = []
    for route in PORTAL_ROUTES:
        values = {name: str(uuid.uuid4()) for name in params(route)}
        for label, headers in (("no token", {}),
                               ("garbage", {"Authorization": "Bearer " + "x" * 43})):
            session = requests.Session()
            session.headers.update(headers)
            answer = request(session, gateway_url, route, values)
            if answer.status_code != 401 or answer.json().get("code") != "unauthenticated":
                failures.append((describe(route), label, answer.status_code, answer.text[:200]))
    assert failures == []


def test_s1_another_clients_record_answers_like_an_unknown_one_on_every_portal_route(portal_url):
    from contracts.records.portal import PORTAL_FEATURES
    from tests.e2e.test_portal_invitations import (
        accept,
        agency,
        client_session,
        invited_token,
        linked,
        record,
    )
    from tests.fixtures import wait_for

    url = portal_url
    admin = agency(url, features=list(PORTAL_FEATURES))
    mine, theirs = record(url, admin), record(url, admin)
    client = client_session(accept(url, invited_token(url, admin, mine)))
    other = client_session(accept(url, invited_token(url, admin, theirs)))
    assert wait_for(lambda: linked(url, client, mine["id"]))
    assert wait_for(lambda: linked(url, other, theirs["id"]))
    with_record = [r for r in PORTAL_ROUTES if "record_id" in params(r)]
    assert {"GET /api/v1/portal/records/<record_id>",
            "GET /api/v1/portal/records/<record_id>/access"} <= {describe(r) for r in with_record}
    failures = []
    for route in with_record:
        values = {name: str(uuid.uuid4()) for name in params(route)}
        unknown = request(client, url, route, values)
        theirs_answer = request(client, url, route, {**values, "record_id": theirs["id"]})
        if (unknown.status_code, unknown.json().get("code")) != (404, "not_found"):
            failures.append((describe(route), "unknown id", unknown.status_code,
                             unknown.text[:200]))
        elif theirs_answer.status_code != 404 or theirs_answer.json() != unknown.json():
            failures.append((describe(route), "another client's record",
                             theirs_answer.status_code, theirs_answer.text[:200]))
        if route.method == "GET" and params(route) == ["record_id"]:
            own = request(other, url, route, {"record_id": theirs["id"]})
            if own.status_code != 200:
                failures.append((describe(route), "the record's own client",
                                 own.status_code, own.text[:200]))
    assert failures == []


# --- routes of any signed-in person (their own account) -----------------------------------------

def test_s1_routes_of_any_signed_in_person_refuse_anyone_else_and_let_staff_and_clients_in(
        gateway_url, staff, portal_client):
    from casework.config import settings

    assert {describe(r) for r in SIGNED_IN_ROUTES} >= {"POST /api/v1/auth/logout",
                                                        "POST /api/v1/auth/password"}
    admin = staff()
    failures = []
    for route in SIGNED_IN_ROUTES:
        values = {name: str(uuid.uuid4()) for name in params(route)}
        for label, headers in (("no token", {}),
                               ("garbage", {"Authorization": "Bearer " + "x" * 43}),
                               ("operator", {"Authorization":
                                             f"Bearer {settings().operator_token}"})):
            session = requests.Session()
            session.headers.update(headers)
            answer = request(session, gateway_url, route, values)
            if answer.status_code != 401 or answer.json().get("code") != "unauthenticated":
                failures.append((describe(route), label, answer.status_code, answer.text[:200]))
        # a token of each kind of person is let in (a fresh one each: logout revokes it; the
        # generated body's current password is wrong, which is not a refused token)
        for label, session in (("staff", staff(organization_id=admin.organization_id,
                                               permissions=())),
                               ("portal", portal_client())):
            answer = request(session, gateway_url, route, values)
            refused = answer.status_code == 401 and answer.json().get("code") == "unauthenticated"
            if refused or answer.status_code == 403 or answer.status_code >= 500:
                failures.append((describe(route), label, answer.status_code, answer.text[:200]))
    assert failures == []
