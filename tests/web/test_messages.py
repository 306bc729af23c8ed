"""The portal's message threads in the browser (NOT-5, NOT-6): staff write through the API, the
client reads the message in the portal (bold, italic and a list, nothing else), replies, and the
staff inbox shows the reply unread; the client writes to their care team: refused, in a plain
sentence, for a member who does not take client-initiated contact. axe on every page."""

from __future__ import annotations

import uuid

from tests.e2e.test_portal_invitations import STAFF, agency, record
from tests.e2e.test_records_navigators import assign_when_known
from tests.fixtures import login_staff, wait_for
from tests.web.test_pages import PASSWORD, accepted_token


def staff_member(url, admin, first_name, last_name):
    role = admin.post(f"{url}{STAFF}/roles", json={"name": f"Role {uuid.uuid4().hex[:8]}",
                                                   "permissions": []})
    assert role.status_code == 201, role.text
    email = f"staff-{uuid.uuid4().hex[:10]}@example.org"
    user = admin.post(f"{url}{STAFF}/users", json={
        "email": email, "first_name": first_name, "last_name": last_name,
        "role_id": role.json()["id"], "password": "a staff member's passphrase"})
    assert user.status_code == 201, user.text
    return login_staff(url, admin.slug, email, "a staff member's passphrase")


def test_a_staff_message_read_and_answered_in_the_portal(web_url, gateway_url, browser):
    url = gateway_url
    admin = agency(url, features=["messages", "sessions", "profile_editing"])
    made = record(url, admin, first_name="Cleo", last_name="Marchetti")
    assert admin.post(f"{url}{STAFF}/records/{made['id']}/invitation",
                      json={"confirm": True}).status_code == 201
    accepted_token(url, made["email"])
    assert wait_for(lambda: admin.get(f"{url}{STAFF}/records/{made['id']}")
                    .json()["has_client_account"], timeout=20)
    suffix = uuid.uuid4().hex[:6]
    closed = staff_member(url, admin, "Colin", f"Closed {suffix}")
    opened = staff_member(url, admin, "Nadia", f"Open {suffix}")
    assert admin.patch(f"{url}{STAFF}/users/{closed.user_id}",
                       json={"allow_client_initiated_contact": False}).status_code == 200
    for member in (closed, opened):
        assign_when_known(admin, url, made["id"], member.user_id)

    posted = admin.post(f"{url}{STAFF}/records/{made['id']}/messages", json={
        "body": "Hello <b>Cleo</b>, <i>welcome</i><ul><li>bring a bill</li><li>and your ID</li>"
                "</ul><script>alert(1)</script>"})
    assert posted.status_code == 201, posted.text
    thread = posted.json()

    result = browser("client_messages", web_url=web_url, username=made["email"],
                     password=PASSWORD, agency=admin.agency_name, reply="Thanks, see you then",
                     closed_name=f"Colin Closed {suffix}", open_name=f"Nadia Open {suffix}",
                     opening="Can I move my appointment?")
    [row] = result["listed"]
    assert "1 new" in row
    assert result["shown"]["bold"] == ["Cleo"] and result["shown"]["italic"] == ["welcome"]
    assert result["shown"]["items"] == ["bring a bill", "and your ID"]
    assert result["shown"]["scripts"] == 0 and "alert" not in result["shown"]["text"]
    assert result["thread_url"] == f"{web_url}/portal/threads/{thread['id']}"
    assert "Thanks, see you then" in result["after_reply"][-1]
    assert result["refused"] == ("This person cannot be contacted through the portal. Choose "
                                 "someone else, or wait for your agency to write to you.")
    assert "Can I move my appointment?" in result["started"]["messages"][0]

    # the staff inbox (through the API) shows the reply, unread
    items = admin.get(f"{url}{STAFF}/inbox").json()["items"]
    [item] = [i for i in items if i["thread_id"] == thread["id"]]
    assert item["unread"] == 1 and item["label"] == "PORTAL"
    shown = admin.get(f"{url}{STAFF}/threads/{thread['id']}").json()
    assert [m["author"] for m in shown["messages"]] == ["staff", "client"]
    assert shown["messages"][1]["body"] == "Thanks, see you then"
    # the thread the client started is in the open member's inbox, and only there
    started_id = result["started"]["url"].rsplit("/", 1)[1]
    [started] = [i for i in opened.get(f"{url}{STAFF}/inbox").json()["items"]
                 if i["thread_id"] == started_id]
    assert started["started_by"] == "client" and started["unread"] == 1
    assert closed.get(f"{url}{STAFF}/inbox").json()["items"] == []
