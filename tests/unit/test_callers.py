"""The kernel reads every RPC caller one way (casework.callers): the same checks everywhere."""

import time
import uuid

import pytest

from casework import callers
from casework.errors import NotFound, PermissionDenied
from tests.fixtures import signed

ORG, USER = str(uuid.uuid4()), str(uuid.uuid4())


def test_a_staff_caller_is_read_with_its_agency_user_and_permissions():
    caller = callers.staff(signed({"kind": "staff", "organization_id": ORG, "user_id": USER,
                                   "permissions": ["case_numbers"], "request_id": "req-1"}))
    assert (caller.organization_id, caller.user_id, caller.request_id) == (ORG, USER, "req-1")
    assert caller.can("case_numbers") and not caller.can("view_audit")
    with pytest.raises(PermissionDenied, match="view_audit"):
        caller.require("view_audit")


def test_agency_admin_implies_every_permission():
    caller = callers.administrator(signed({"kind": "staff", "organization_id": ORG,
                                           "user_id": USER, "permissions": ["agency_admin"]}))
    assert caller.can("delete_clients")


@pytest.mark.parametrize("raw", [
    None, "staff", [], {}, {"kind": "portal", "organization_id": ORG, "user_id": USER},
    {"kind": "staff", "organization_id": ORG},
    {"kind": "staff", "organization_id": ORG, "user_id": ""},
    {"kind": "staff", "organization_id": "not-a-uuid", "user_id": USER},
    {"kind": "staff", "organization_id": ORG, "user_id": USER, "permissions": "agency_admin"},
    {"kind": "staff", "organization_id": ORG, "user_id": USER, "permissions": [1]},
    {"kind": "staff", "organization_id": 7, "user_id": USER},
])
def test_anything_but_a_whole_staff_caller_is_refused(raw):
    """Refused even when signed: the signature vouches for who made it, not for its shape."""
    with pytest.raises(PermissionDenied):
        callers.staff(signed(raw) if isinstance(raw, dict) else raw)


def test_staff_without_agency_admin_is_not_an_administrator():
    with pytest.raises(PermissionDenied, match="agency_admin"):
        callers.administrator(signed({"kind": "staff", "organization_id": ORG, "user_id": USER,
                                      "permissions": ["view_audit"]}))


def test_portal_and_operator_callers_are_only_what_they_say():
    account, record = str(uuid.uuid4()), str(uuid.uuid4())
    portal = callers.portal(signed({"kind": "portal", "account_id": account,
                                    "global_record_id": record}))
    assert (portal.account_id, portal.global_record_id) == (account, record)
    assert callers.operator(signed({"kind": "operator"})).kind == "operator"
    for raw in ({"kind": "staff", "account_id": account, "global_record_id": record},
                {"kind": "portal", "account_id": account}):
        with pytest.raises(PermissionDenied):
            callers.portal(signed(raw))
    with pytest.raises(PermissionDenied):
        callers.operator(signed({"kind": "staff", "organization_id": ORG, "user_id": USER}))


@pytest.mark.parametrize("value", ["nope", "", None, 5, True, ["x"], "a" * 100])
def test_an_id_that_is_not_a_uuid_is_the_same_404_as_an_unknown_one(value):
    with pytest.raises(NotFound, match="record not found"):
        callers.known_id(value)


def test_a_uuid_is_given_back_in_its_canonical_form():
    value = uuid.uuid4()
    assert callers.known_id(str(value).upper()) == str(value)
    assert callers.known_id(value) == str(value)


STAFF = {"kind": "staff", "organization_id": ORG, "user_id": USER,
         "permissions": ["agency_admin"], "request_id": "req-1"}


def forged_callers():
    """What someone on the bus without the signing key can send (issue 19, "Who may speak on
    the bus"): the caller it wants, unsigned, signed with another key, expired, or a signed
    caller with one field edited (another agency, another permission, a later expiry)."""
    good = signed(STAFF)
    other = str(uuid.uuid4())
    return {
        "unsigned": dict(STAFF),
        "signature of another key": callers.sign(STAFF, key="not-the-platform-key"),
        "expired": callers.sign(STAFF, now=time.time() - callers.LIFETIME - 1),
        "another agency edited in": {**good, "organization_id": other},
        "a permission edited in": {**signed({**STAFF, "permissions": ["view_audit"]}),
                                   "permissions": ["agency_admin"]},
        "expiry extended": {**good, callers.EXPIRES: good[callers.EXPIRES] + 3600},
        "signature removed": {k: v for k, v in good.items() if k != callers.SIGNATURE},
        "signature not text": {**good, callers.SIGNATURE: 7},
        "expiry not a number": {**good, callers.EXPIRES: "never"},
        "kind edited": {**good, "kind": "operator"},
    }


@pytest.mark.parametrize("name", list(forged_callers()))
def test_a_caller_the_gateway_did_not_sign_is_refused_by_every_reader(name):
    raw = forged_callers()[name]
    for read in (callers.staff, callers.administrator, callers.portal, callers.operator):
        with pytest.raises(PermissionDenied):
            read(raw)


def test_a_signed_caller_is_read_as_signed_and_expires():
    raw = signed(STAFF)
    assert callers.verify(raw) is raw
    assert callers.staff(raw).organization_id == ORG
    with pytest.raises(PermissionDenied, match="expired"):
        callers.verify(raw, now=raw[callers.EXPIRES] + 1)
    with pytest.raises(PermissionDenied, match="does not match"):
        callers.verify(raw, key="another key")


def test_the_signature_covers_the_canonical_json_not_the_key_order():
    raw = signed(STAFF)
    reordered = dict(reversed(list(raw.items())))
    assert callers.staff(reordered).user_id == USER
