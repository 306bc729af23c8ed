"""Message rules without I/O (NOT-5 to NOT-7) and the threads' and mass sends' entrypoints with
nameko's worker_factory (no broker, no database): who may call them, before any query."""

import pytest
from nameko.testing.services import worker_factory

from casework.errors import PermissionDenied, ValidationFailed
from services.notifications.domain import (
    EmptyMessage,
    may_contact,
    recipient_skip,
    render,
    sanitise_message,
)
from services.notifications.entrypoints.mass_sends import decide
from services.notifications.service import NotificationsService
from tests.fixtures import signed

ORG = "6a4b1f5e-0000-4000-8000-000000000001"
USER = "6a4b1f5e-0000-4000-8000-000000000002"
RECORD = "6a4b1f5e-0000-4000-8000-000000000003"
STAFF = {"kind": "staff", "organization_id": ORG, "user_id": USER, "permissions": []}
PORTAL = {"kind": "portal", "account_id": USER, "global_record_id": RECORD}


@pytest.mark.parametrize("body, kept", [
    ("<b>bold</b> <strong>strong</strong> <i>it</i> <em>em</em>",
     "<b>bold</b> <strong>strong</strong> <i>it</i> <em>em</em>"),
    ("<ul><li>a</li></ul><ol><li>b</li></ol>", "<ul><li>a</li></ul><ol><li>b</li></ol>"),
    ('<b onclick="x()" style="color:red" class="c">x</b>', "<b>x</b>"),
    ("<script>alert(1)</script>text<style>b{}</style>", "text"),
    ('<a href="javascript:alert(1)">link</a> <img src=x onerror=alert(1)>', "link"),
    ("<p>para</p><br><h1>head</h1><table><tr><td>cell</td></tr></table>", "paraheadcell"),
    ("<!-- note -->plain", "plain"),
    ("1 < 2 & 3 > 2", "1 &lt; 2 &amp; 3 &gt; 2"),
    ("<b>unclosed <i>nested", "<b>unclosed <i>nested</i></b>"),
    ("<svg><script>x</script></svg>ok", "ok"),
    ("<iframe src=x></iframe><object>o</object>ok", "ook"),
])
def test_not5_a_body_keeps_bold_italic_and_lists_only(body, kept):
    assert sanitise_message(body) == kept


@pytest.mark.parametrize("body", ["<script>x</script>", "<b> </b>", "&nbsp;", "<img src=x>",
                                  " \n\t", "<!-- only a comment -->", "<ul><li></li></ul>"])
def test_not5_a_body_with_no_text_left_is_refused(body):
    with pytest.raises(EmptyMessage):
        sanitise_message(body)


def test_not5_the_new_message_email_never_carries_the_message():
    rendered = render("new_message", {"organization_name": "Hope", "first_name": "Cleo",
                                      "link": "https://portal.example/threads/t1"}, None)
    assert "https://portal.example/threads/t1" in rendered.text
    assert 'href="https://portal.example/threads/t1"' in rendered.html
    assert "Hope" in rendered.subject and "Cleo" in rendered.text


@pytest.mark.parametrize("kind, status, portal, code", [
    ("client", "active", "active", None),
    ("client", "prospect", "enrollment_pending", None),
    ("client", "active", None, "no_portal_account"),
    ("client", "active", "banned", "portal_banned"),
    ("client", "inactive", "active", "client_inactive"),
    ("client", "closed", "active", "client_inactive"),
    ("employee", "active", "active", "not_a_client"),
])
def test_not7_who_a_mass_sent_message_skips(kind, status, portal, code):
    assert recipient_skip(kind, status, portal) == code


def test_not7_rows_are_decided_when_the_send_is_made():
    found = [{"record_id": RECORD, "kind": "client", "status": "active", "portal_status": None,
              "email": "a@example.org", "first_name": "Ada", "name": "Ada L"}]
    assert decide("message", found, [USER]) == [
        {"record_id": RECORD, "outcome": "skipped", "code": "no_portal_account",
         "email": "a@example.org", "first_name": "Ada"},
        {"record_id": USER, "outcome": "failed", "code": "not_found", "email": None,
         "first_name": None}]
    # a request: records decides (roi_active, no_portal_account, ...) when it is made
    assert decide("request", found, [])[0]["outcome"] == "pending"


@pytest.mark.parametrize("team, allowed", [
    ([{"user_id": USER, "active": True, "allow_client_initiated_contact": True}], True),
    ([{"user_id": USER, "active": True, "allow_client_initiated_contact": False}], False),
    ([{"user_id": USER, "active": False, "allow_client_initiated_contact": True}], False),
    ([{"user_id": RECORD, "active": True, "allow_client_initiated_contact": True}], False),
    ([], False),
])
def test_not6_a_client_may_contact_only_an_active_care_team_member_who_accepts(team, allowed):
    assert may_contact(team, USER) is allowed


@pytest.mark.parametrize("method, args", [
    ("create_mass_send", ({"record_ids": [RECORD], "message": {"body": "x"}},)),
    ("get_mass_send", (RECORD,)),
])
def test_not7_mass_sends_are_for_administrators_refused_before_any_query(method, args):
    service = worker_factory(NotificationsService)
    with pytest.raises(PermissionDenied):
        getattr(service, method)(signed({**STAFF, "permissions": ["manage_groups"]}), *args)
    service.db.transaction.assert_not_called()
    service.db.read.assert_not_called()
    service.records.message_recipients.assert_not_called()


@pytest.mark.parametrize("method, args, caller", [
    ("start_thread", (RECORD, {"body": "x"}), PORTAL),
    ("staff_inbox", ({},), PORTAL),
    ("staff_get_thread", (RECORD,), PORTAL),
    ("staff_post_message", (RECORD, {"body": "x"}), PORTAL),
    ("portal_list_threads", (RECORD, {}), STAFF),
    ("portal_start_thread", (RECORD, {"staff_user_id": USER, "body": "x"}), STAFF),
    ("portal_get_thread", (RECORD,), STAFF),
    ("portal_post_message", (RECORD, {"body": "x"}), STAFF),
])
def test_threads_refuse_the_other_audience_before_any_query(method, args, caller):
    service = worker_factory(NotificationsService)
    with pytest.raises(PermissionDenied):
        getattr(service, method)(signed(caller), *args)
    service.db.transaction.assert_not_called()
    service.db.read.assert_not_called()
    service.records.message_recipients.assert_not_called()
    service.records.portal_get_record.assert_not_called()


def test_an_empty_body_is_refused_before_records_is_asked():
    service = worker_factory(NotificationsService)
    with pytest.raises(ValidationFailed) as refused:
        service.start_thread(signed(STAFF), RECORD, {"body": "<script>x</script>"})
    assert "body" in refused.value.errors
    service.records.message_recipients.assert_not_called()
    service.db.transaction.assert_not_called()
