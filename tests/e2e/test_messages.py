"""Message threads (NOT-5, NOT-6) end to end: HTTP through the gateway, every real service on
the broker and the database, and a real SMTP server (``mail_server``) that the e-mail telling a
client of a new message reaches. The client is a real portal client: invited by e-mail, the
link's token accepted."""

from __future__ import annotations

import re
import uuid

import requests
from sqlalchemy import text

from tests.e2e.test_portal_invitations import (
    STAFF,
    accept,
    agency,
    client_session,
    linked,
    record,
)
from tests.e2e.test_records_navigators import assign_when_known
from tests.fixtures import add_staff_member, wait_for

PORTAL = "/api/v1/portal"
INVITE_LINK = re.compile(r"\S+/invitations/([A-Za-z0-9_-]+)")


# --- helpers -----------------------------------------------------------------------------------

def mail_to(mail_server, address: str, subject_part: str = "") -> list:
    return [m for m in mail_server.received
            if address in m.rcpt_tos and subject_part in m.message["Subject"]]


def portal_client(url: str, admin: requests.Session, mail_server, **fields):
    """A record of ``admin``'s agency and its client, signed in to the portal: invited by
    e-mail (the real SMTP server), the link's token accepted, the record linked."""
    made = record(url, admin, **fields)
    answer = admin.post(f"{url}{STAFF}/records/{made['id']}/invitation", json={"confirm": True})
    assert answer.status_code == 201, answer.text
    [mail] = wait_for(lambda: mail_to(mail_server, made["email"], "invites you"), timeout=20)
    token = INVITE_LINK.search(mail.text).group(1)
    client = client_session(accept(url, token))
    assert wait_for(lambda: linked(url, client, made["id"]), timeout=20)
    assert wait_for(lambda: admin.get(f"{url}{STAFF}/records/{made['id']}")
                    .json()["has_client_account"], timeout=20)
    return made, client


def events_of(engine, thread_id: str) -> list[dict]:
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(text(
            "SELECT payload FROM notifications.outbox WHERE routing_key = 'message_posted'"
            " AND payload->'data'->>'thread_id' = :t ORDER BY id"), {"t": thread_id})]


def inbox_item(url, staff, thread_id):
    items = staff.get(f"{url}{STAFF}/inbox").json()["items"]
    return next((i for i in items if i["thread_id"] == thread_id), None)


# --- NOT-5 ---------------------------------------------------------------------------------------

def test_not5_a_staff_message_reaches_the_portal_and_both_sides_reply(gateway_url, mail_server,
                                                                      engine):
    url = gateway_url
    admin = agency(url)
    made, client = portal_client(url, admin, mail_server)

    posted = admin.post(f"{url}{STAFF}/records/{made['id']}/messages", json={
        "body": '<p onclick="x()">Hello <b>Cleo</b>, <i>welcome</i><script>alert(1)</script>'
                '<ul><li style="color:red">one</li></ul><a href="javascript:x">see</a>'
                '<img src=x onerror=alert(1)></p>'})
    assert posted.status_code == 201, posted.text
    thread = posted.json()
    assert thread["label"] == "PORTAL" and thread["started_by"] == "staff"
    assert thread["record_id"] == made["id"] and thread["staff_user_id"] == admin.user_id
    [message] = thread["messages"]
    assert message["body"] == "Hello <b>Cleo</b>, <i>welcome</i><ul><li>one</li></ul>see"
    assert message["author"] == "staff" and message["author_id"] == admin.user_id

    # the e-mail says a message waits, links the thread in the portal, never shows the message
    [mail] = wait_for(lambda: mail_to(mail_server, made["email"], "new message"), timeout=20)
    assert f"/threads/{thread['id']}" in mail.text and f"/threads/{thread['id']}" in mail.html
    assert "welcome" not in mail.text and "welcome" not in mail.html

    # the client's portal: the thread, unread until read
    listed = client.get(f"{url}{PORTAL}/records/{made['id']}/threads")
    assert listed.status_code == 200, listed.text
    [item] = listed.json()["items"]
    assert item["thread_id"] == thread["id"] and item["unread"] == 1
    assert item["staff_user_id"] == admin.user_id and item["staff_name"]
    read = client.get(f"{url}{PORTAL}/threads/{thread['id']}")
    assert read.status_code == 200 and read.json()["unread"] == 1
    assert read.json()["messages"][0]["body"] == message["body"]
    again = client.get(f"{url}{PORTAL}/records/{made['id']}/threads").json()["items"][0]
    assert again["unread"] == 0

    # the client replies: the staff inbox shows it (PORTAL, unread) until the staff member reads
    reply = client.post(f"{url}{PORTAL}/threads/{thread['id']}/messages",
                        json={"body": "Thanks! <em>See you</em>"})
    assert reply.status_code == 201, reply.text
    assert [m["author"] for m in reply.json()["messages"]] == ["staff", "client"]
    item = inbox_item(url, admin, thread["id"])
    assert item == {"thread_id": thread["id"], "record_id": made["id"], "label": "PORTAL",
                    "case_number": made["case_number"], "started_by": "staff",
                    "last_message_at": item["last_message_at"], "unread": 1}
    shown = admin.get(f"{url}{STAFF}/threads/{thread['id']}")
    assert shown.status_code == 200 and shown.json()["unread"] == 1
    assert shown.json()["messages"][1]["body"] == "Thanks! <em>See you</em>"
    assert inbox_item(url, admin, thread["id"])["unread"] == 0

    # the staff member answers in the thread: a second e-mail, the client's count is back to 1
    answered = admin.post(f"{url}{STAFF}/threads/{thread['id']}/messages",
                          json={"body": "<strong>Good</strong>"})
    assert answered.status_code == 201, answered.text
    assert len(answered.json()["messages"]) == 3
    assert wait_for(lambda: len(mail_to(mail_server, made["email"], "new message")) == 2,
                    timeout=20)
    assert client.get(f"{url}{PORTAL}/records/{made['id']}/threads").json()[
        "items"][0]["unread"] == 1

    # one message_posted per message, naming the thread's staff member
    events = events_of(engine, thread["id"])
    assert [(e["data"]["author"], e["data"]["staff_user_id"]) for e in events] == [
        ("staff", admin.user_id), ("client", admin.user_id), ("staff", admin.user_id)]
    assert events[1]["data"]["author_id"] == client.account["account_id"]
    assert all(e["organization_id"] == admin.organization_id for e in events)


def test_not5_refusals_each_with_its_code(gateway_url, mail_server):
    url = gateway_url
    admin = agency(url)
    made, client = portal_client(url, admin, mail_server)
    messages = f"{url}{STAFF}/records/{made['id']}/messages"

    for body in ("<script>alert(1)</script>", "<b> </b>", "&nbsp;", "<img src=x>"):
        answer = admin.post(messages, json={"body": body})
        assert (answer.status_code, answer.json()["code"]) == (422, "validation_error"), body
        assert "body" in answer.json()["errors"]
    answer = admin.post(messages, json={"body": "x" * 20_001})
    assert (answer.status_code, answer.json()["code"]) == (422, "validation_error")
    answer = admin.post(messages, json={"body": "hi", "subject": "extra"})
    assert (answer.status_code, answer.json()["code"]) == (422, "validation_error")
    answer = admin.post(messages, data=b'{"body": "\xff\xfe"', headers={
        "Content-Type": "application/json"})
    assert (answer.status_code, answer.json()["code"]) == (400, "malformed_request")

    no_account = record(url, admin)
    answer = admin.post(f"{url}{STAFF}/records/{no_account['id']}/messages", json={"body": "hi"})
    assert (answer.status_code, answer.json()["code"]) == (409, "no_portal_account")
    answer = admin.post(f"{url}{STAFF}/records/{uuid.uuid4()}/messages", json={"body": "hi"})
    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    other = agency(url)
    answer = other.post(messages, json={"body": "hi"})
    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")

    # a banned client is not written to
    banned, _ = portal_client(url, admin, mail_server)
    assert admin.put(f"{url}{STAFF}/records/{banned['id']}/portal-status",
                     json={"portal_status": "banned"}).status_code in (200, 204)
    answer = admin.post(f"{url}{STAFF}/records/{banned['id']}/messages", json={"body": "hi"})
    assert (answer.status_code, answer.json()["code"]) == (409, "portal_banned")

    # a thread is its staff member's: a colleague gets 404, another agency too, the
    # administrator reads it without marking it read for its staff member
    colleague = add_staff_member(url, admin, [])
    thread = colleague.post(messages, json={"body": "from a colleague"}).json()
    client.post(f"{url}{PORTAL}/threads/{thread['id']}/messages", json={"body": "answer"})
    other_member = add_staff_member(url, admin, [])
    for session in (other_member, other):
        answer = session.get(f"{url}{STAFF}/threads/{thread['id']}")
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
        answer = session.post(f"{url}{STAFF}/threads/{thread['id']}/messages",
                              json={"body": "x"})
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    assert admin.get(f"{url}{STAFF}/threads/{thread['id']}").status_code == 200
    assert inbox_item(url, colleague, thread["id"])["unread"] == 1
    assert inbox_item(url, admin, thread["id"]) is None  # not the administrator's own thread
    answer = admin.get(f"{url}{STAFF}/threads/not-an-id")
    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")


def test_not5_a_client_sees_only_their_own_threads(gateway_url, mail_server):
    url = gateway_url
    admin = agency(url)
    made, client = portal_client(url, admin, mail_server)
    _, stranger = portal_client(url, admin, mail_server)
    thread = admin.post(f"{url}{STAFF}/records/{made['id']}/messages",
                        json={"body": "private"}).json()
    for path in (f"{PORTAL}/threads/{thread['id']}", f"{PORTAL}/records/{made['id']}/threads"):
        answer = stranger.get(f"{url}{path}")
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found"), path
    answer = stranger.post(f"{url}{PORTAL}/threads/{thread['id']}/messages",
                           json={"body": "intruding"})
    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    answer = client.post(f"{url}{PORTAL}/threads/{thread['id']}/messages",
                         json={"body": "<script>only a script</script>"})
    assert (answer.status_code, answer.json()["code"]) == (422, "validation_error")
    # the staff token is no portal token, and the reverse
    assert admin.get(f"{url}{PORTAL}/threads/{thread['id']}").status_code in (401, 403)
    assert client.get(f"{url}{STAFF}/inbox").status_code in (401, 403)


def test_not5_without_the_messages_feature_the_portal_refuses(gateway_url, mail_server):
    url = gateway_url
    admin = agency(url, features=["profile_editing"])
    made, client = portal_client(url, admin, mail_server)
    answer = client.get(f"{url}{PORTAL}/records/{made['id']}/threads")
    assert (answer.status_code, answer.json()["code"]) == (403, "permission_denied")


def test_inbox_pages_by_latest_message(gateway_url, mail_server):
    url = gateway_url
    admin = agency(url)
    made, _ = portal_client(url, admin, mail_server)
    ids = [admin.post(f"{url}{STAFF}/records/{made['id']}/messages",
                      json={"body": f"message {n}"}).json()["id"] for n in range(5)]
    first = admin.get(f"{url}{STAFF}/inbox", params={"limit": 2}).json()
    second = admin.get(f"{url}{STAFF}/inbox",
                       params={"limit": 2, "cursor": first["next_cursor"]}).json()
    third = admin.get(f"{url}{STAFF}/inbox",
                      params={"limit": 2, "cursor": second["next_cursor"]}).json()
    seen = [i["thread_id"] for page in (first, second, third) for i in page["items"]]
    assert seen == list(reversed(ids)) and third["next_cursor"] is None
    answer = admin.get(f"{url}{STAFF}/inbox", params={"cursor": "bm90IG91cnM="})
    assert (answer.status_code, answer.json()["code"]) == (422, "validation_error")


# --- NOT-6 ---------------------------------------------------------------------------------------

def test_not6_a_client_starts_a_thread_only_with_a_care_team_member_who_accepts(gateway_url,
                                                                               mail_server):
    url = gateway_url
    admin = agency(url)
    made, client = portal_client(url, admin, mail_server)
    open_member = add_staff_member(url, admin, [])
    closed_member = add_staff_member(url, admin, [])
    outsider = add_staff_member(url, admin, [])
    assert admin.patch(f"{url}{STAFF}/users/{closed_member.user_id}",
                       json={"allow_client_initiated_contact": False}).status_code == 200
    for member in (open_member, closed_member):
        assign_when_known(admin, url, made["id"], member.user_id)
    threads = f"{url}{PORTAL}/records/{made['id']}/threads"

    def start(user_id):
        return client.post(threads, json={"staff_user_id": user_id, "body": "Can we talk?"})

    # the copies (notifications learns the care team from events) catch up
    started = wait_for(lambda: (lambda a: a if a.status_code == 201 else None)(
        start(open_member.user_id)), timeout=20)
    assert started, "the care team never reached notifications"
    thread = started.json()
    assert thread["started_by"] == "client" and thread["staff_user_id"] == open_member.user_id
    item = inbox_item(url, open_member, thread["id"])
    assert item["started_by"] == "client" and item["label"] == "PORTAL" and item["unread"] == 1
    assert open_member.post(f"{url}{STAFF}/threads/{thread['id']}/messages",
                            json={"body": "Of course"}).status_code == 201
    # the client's message tells its addressee, a navigator, through notifications' own
    # message_posted event (NOT-1): in the app, about the record, never with the message's text
    def client_messages(member):
        answer = member.get(f"{url}{STAFF}/notifications")
        assert answer.status_code == 200, answer.text
        return [n for n in answer.json()["items"] if n["kind"] == "client_message"]

    [told] = wait_for(lambda: client_messages(open_member), timeout=20)
    assert told["record_id"] == made["id"] and not told["read"]
    assert "Can we talk" not in told["title"]
    assert client_messages(closed_member) == [] and client_messages(outsider) == []

    refusals = [start(user_id) for user_id in (closed_member.user_id, outsider.user_id,
                                               str(uuid.uuid4()))]
    assert [(a.status_code, a.json()["code"]) for a in refusals] == [
        (403, "contact_not_allowed")] * 3
    assert len({a.json()["detail"] for a in refusals}) == 1  # one answer whatever the reason
    answer = client.post(threads, json={"staff_user_id": "nobody", "body": "x"})
    assert (answer.status_code, answer.json()["code"]) == (422, "validation_error")
    answer = client.post(threads, json={"staff_user_id": open_member.user_id,
                                        "body": "<script></script>"})
    assert (answer.status_code, answer.json()["code"]) == (422, "validation_error")
