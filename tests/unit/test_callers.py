"""The kernel reads every RPC caller one way (casework.callers): the same checks everywhere."""

import uuid

import pytest

from casework import callers
from casework.errors import NotFound, PermissionDenied

ORG, USER = str(uuid.uuid4()), str(uuid.uuid4())


def test_a_staff_caller_is_read_with_its_agency_user_and_permissions():
    caller = callers.staff({"kind": "staff", "organization_id": ORG, "user_id": USER,
                            "permissions": ["case_numbers"], "request_id": "req-1"})
    assert (caller.organization_id, caller.user_id, caller.request_id) == (ORG, USER, "req-1")
    assert caller.can("case_numbers") and not caller.can("view_audit")
    with pytest.raises(PermissionDenied, match="view_audit"):
        caller.require("view_audit")


def test_agency_admin_implies_every_permission():
    caller = callers.administrator({"kind": "staff", "organization_id": ORG, "user_id": USER,
                                    "permissions": ["agency_admin"]})
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
    with pytest.raises(PermissionDenied):
        callers.staff(raw)


def test_staff_without_agency_admin_is_not_an_administrator():
    with pytest.raises(PermissionDenied, match="agency_admin"):
        callers.administrator({"kind": "staff", "organization_id": ORG, "user_id": USER,
                               "permissions": ["view_audit"]})


def test_portal_and_operator_callers_are_only_what_they_say():
    account, record = str(uuid.uuid4()), str(uuid.uuid4())
    portal = callers.portal({"kind": "portal", "account_id": account,
                             "global_record_id": record})
    assert (portal.account_id, portal.global_record_id) == (account, record)
    assert callers.operator({"kind": "operator"}).kind == "operator"
    for raw in ({"kind": "staff", "account_id": account, "global_record_id": record},
                {"kind": "portal", "account_id": account}):
        with pytest.raises(PermissionDenied):
            callers.portal(raw)
    with pytest.raises(PermissionDenied):
        callers.operator({"kind": "staff", "organization_id": ORG, "user_id": USER})


@pytest.mark.parametrize("value", ["nope", "", None, 5, True, ["x"], "a" * 100])
def test_an_id_that_is_not_a_uuid_is_the_same_404_as_an_unknown_one(value):
    with pytest.raises(NotFound, match="record not found"):
        callers.known_id(value)


def test_a_uuid_is_given_back_in_its_canonical_form():
    value = uuid.uuid4()
    assert callers.known_id(str(value).upper()) == str(value)
    assert callers.known_id(value) == str(value)
