"""Scheduling entrypoints with nameko's worker_factory (no broker, no database)."""

import pytest
from nameko.testing.services import worker_factory

from casework.errors import PermissionDenied
from services.scheduling.service import SchedulingService
from tests.fixtures import signed

ORG = "6a4b1f5e-0000-4000-8000-000000000001"
USER = "6a4b1f5e-0000-4000-8000-000000000002"
STAFF = {"kind": "staff", "organization_id": ORG, "user_id": USER, "permissions": []}


@pytest.mark.parametrize("who", [
    None, {}, {"organization_id": ORG}, {**STAFF, "kind": "portal"}, {**STAFF, "user_id": None},
    {"kind": "operator"}])
def test_financial_links_are_read_for_a_staff_caller_only(who):
    """casework.callers.staff: an agency alone (what scheduling checked before) is not enough."""
    service = worker_factory(SchedulingService)
    with pytest.raises(PermissionDenied):
        service.financial_links(signed(who) if isinstance(who, dict) else who, ORG)
    service.db.read.assert_not_called()
    service.db.transaction.assert_not_called()


def test_what_is_not_an_id_has_no_financial_links():
    service = worker_factory(SchedulingService)
    assert service.financial_links(signed(STAFF), "not-a-uuid") == {
        "record_id": "not-a-uuid", "sessions": 0, "payments": 0}
    service.db.read.assert_not_called()


PORTAL = {"kind": "portal", "account_id": ORG, "global_record_id": USER}
CALLS = [
    ("get_availability", ("client", ORG)), ("put_availability", ("client", ORG, {})),
    ("create_session", ({},)), ("get_session", (ORG,)), ("list_sessions", ({},)),
    ("update_session", (ORG, {})), ("cancel_session", (ORG,)), ("record_payment", ({},)),
    ("list_payments", ({},)), ("delete_payment", (ORG,)), ("suggest_slots", ({},)),
    ("match_practitioners", ({},)), ("coverage", ()),
]


@pytest.mark.parametrize("method, args", CALLS, ids=[c[0] for c in CALLS])
@pytest.mark.parametrize("who", [None, PORTAL, {"kind": "operator"}])
def test_every_scheduling_call_is_for_staff_of_an_agency_only(method, args, who):
    """Scheduling's routes are staff routes: any other caller is refused before the database."""
    service = worker_factory(SchedulingService)
    with pytest.raises(PermissionDenied):
        getattr(service, method)(signed(who) if isinstance(who, dict) else who, *args)
    service.db.read.assert_not_called()
    service.db.transaction.assert_not_called()
