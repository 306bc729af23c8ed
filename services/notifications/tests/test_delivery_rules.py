"""The delivery rules without I/O (NOT-1, NOT-2, kinds, preferences, titles, digests), and the
notification entrypoints' caller checks with nameko's worker_factory (no broker, no database)."""

from datetime import UTC, datetime

import pytest
from nameko.testing.services import worker_factory

from casework.errors import NotFound, PermissionDenied
from contracts.notifications import DELIVERIES, NOTIFICATION_KINDS
from services.notifications import domain
from services.notifications.service import NotificationsService
from tests.fixtures import signed

ORG = "6a4b1f5e-0000-4000-8000-000000000001"
USER = "6a4b1f5e-0000-4000-8000-000000000002"
STAFF = {"kind": "staff", "organization_id": ORG, "user_id": USER, "permissions": []}


def test_every_kind_of_the_contract_has_a_default_delivery():
    assert tuple(domain.KINDS) == NOTIFICATION_KINDS
    assert set(domain.KINDS.values()) <= set(DELIVERIES)
    # action kinds at once, date kinds in the digest (as the seed products do)
    assert domain.KINDS["session_booked"] == "digest"
    assert {k for k, d in domain.KINDS.items() if d == "email"} == {
        "record_assigned", "record_status_changed", "client_message", "request_fulfilled"}


def test_preferences_list_every_kind_with_the_choice_or_the_default():
    listed = domain.preferences({"session_booked": "in_app"})
    assert [p["kind"] for p in listed] == list(NOTIFICATION_KINDS)
    shown = {p["kind"]: (p["delivery"], p["default"]) for p in listed}
    assert shown["session_booked"] == ("in_app", "digest")
    assert shown["client_message"] == ("email", "email")


def test_not1_a_records_active_navigators_and_no_one_else():
    assert domain.recipients(["a", "b", "c"], inactive={"b"}) == ["a", "c"]
    assert domain.recipients([], inactive=set()) == []
    assert domain.recipients(["a"], inactive={"a"}) == []
    # meant for one person: them when they are a navigator, else the record's navigators
    assert domain.recipients(["a", "b"], set(), addressee="b") == ["b"]
    assert domain.recipients(["a", "b"], set(), addressee="x") == ["a", "b"]
    assert domain.recipients(["a", "b"], {"b"}, addressee="b") == ["a"]


@pytest.mark.parametrize("status, suppress, expected", [
    ("closed", True, True), ("inactive", True, True), ("active", True, False),
    ("prospect", True, False), (None, True, False), ("closed", False, False),
    ("inactive", False, False)])
def test_not2_closed_and_inactive_records_only_when_the_agency_says_so(status, suppress,
                                                                        expected):
    assert domain.suppressed(status, suppress) is expected


def test_a_burst_of_immediate_emails_goes_into_the_digest():
    assert domain.delivery_for("email", 0) == "email"
    assert domain.delivery_for("email", domain.EMAIL_BURST - 1) == "email"
    assert domain.delivery_for("email", domain.EMAIL_BURST) == "digest"
    assert domain.delivery_for("in_app", 10 ** 6) == "in_app"
    assert domain.delivery_for("digest", 0) == "digest"


def test_titles_name_a_record_by_its_case_number_only():
    assert domain.title("record_assigned", case_number="C-7") == "Record C-7 is assigned to you"
    assert domain.title("record_status_changed", status="closed") == (
        "A record: status changed to closed")
    assert domain.title("client_message", case_number="C-7") == (
        "Record C-7: new message from the client")
    assert len(domain.title("request_fulfilled", case_number="C", request_title="x" * 500)) \
        == 300
    moment = datetime(2031, 5, 5, 9, 0, tzinfo=UTC)
    assert domain.local_moment(moment, "Europe/London") == "5 May 2031, 10:00 (Europe/London)"
    assert domain.title("session_booked", starts="then") == "Session booked with you: then"
    with pytest.raises(ValueError):
        domain.title("unknown")


def test_a_digest_lists_its_notifications_up_to_a_limit():
    assert domain.digest_summary(["a", "b"]) == "- a\n- b"
    many = domain.digest_summary([str(n) for n in range(domain.DIGEST_LINES + 3)])
    assert many.splitlines()[-1] == "... and 3 more in the console"
    assert len(many.splitlines()) == domain.DIGEST_LINES + 1


def test_the_staff_welcome_never_holds_a_password():
    rendered = domain.render("staff_welcome", {"first_name": "Ada", "organization_name": "Hope",
                                               "link": "https://console.example"}, None)
    assert "password reset" in rendered.text and "https://console.example" in rendered.html
    with pytest.raises(domain.ContextRefused):
        domain.render("staff_welcome", {"first_name": "Ada", "organization_name": "Hope",
                                        "link": "x", "password": "secret"}, None)


CALLS = [("list_notifications", ({},)), ("read_notification", (ORG,)),
         ("get_notification_preferences", ()), ("put_notification_preferences", ({},)),
         ("unassigned_notifications", ({},))]


@pytest.mark.parametrize("method, args", CALLS, ids=[c[0] for c in CALLS])
@pytest.mark.parametrize("who", [None, {"kind": "portal", "account_id": ORG,
                                        "global_record_id": USER}, {"kind": "operator"},
                                 {**STAFF, "user_id": None}])
def test_notification_calls_are_for_staff_of_an_agency_only(method, args, who):
    service = worker_factory(NotificationsService)
    with pytest.raises(PermissionDenied):
        getattr(service, method)(signed(who) if isinstance(who, dict) else who, *args)
    service.db.read.assert_not_called()
    service.db.transaction.assert_not_called()


def test_the_unassigned_list_is_for_administrators_before_any_query():
    service = worker_factory(NotificationsService)
    with pytest.raises(PermissionDenied):
        service.unassigned_notifications(signed(STAFF), {})
    service.db.read.assert_not_called()


def test_what_is_not_an_id_is_no_notification_of_anyone():
    service = worker_factory(NotificationsService)
    with pytest.raises(NotFound):
        service.read_notification(signed(STAFF), "not-an-id")
    service.db.transaction.assert_not_called()
