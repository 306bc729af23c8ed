"""The staff console's messages, notifications, requests and mass sends in a browser (NOT-1,
NOT-5, NOT-7, REQ-1 to REQ-3): data set up through the gateway's API, the workflow walked in
Chromium (tests/web/flows_messages.py, axe on every page and state), the outcome checked through
the API again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.e2e.test_messages import portal_client
from tests.e2e.test_portal_invitations import STAFF, record
from tests.e2e.test_records_navigators import assign_when_known
from tests.fixtures import wait_for
from tests.web.test_messages import staff_member
from tests.web.test_seed_workflow import agency, credentials

PORTAL = "/api/v1/portal"


def staff_agency(url: str, features=("messages", "requests")):
    admin = agency(url)
    answer = admin.patch(f"{url}{STAFF}/settings", json={"portal_features": list(features)})
    assert answer.status_code == 200, answer.text
    return admin


def test_not5_staff_write_the_client_answers_staff_read_and_reply(
        web_url, gateway_url, mail_server, browser):
    url = gateway_url
    admin = staff_agency(url)
    made, client = portal_client(url, admin, mail_server, first_name="Ines",
                                 last_name="Okafor")
    no_account = record(url, admin, first_name="Noah", last_name="Offline")
    foreign = record(url, staff_agency(url))

    result = browser("messages_staff_writes_and_replies", web_url=web_url, gateway_url=url,
                     **credentials(admin), record_id=made["id"], name="Ines Okafor",
                     client_token=client.headers["Authorization"].split()[1],
                     client_reply="Yes, I will bring <i>both</i>",
                     no_account_id=no_account["id"], foreign_id=foreign["id"])

    assert result["new_title"] == "Write to Ines Okafor"
    assert "bold" in result["hint"] and "lists" in result["hint"]
    assert "Write your message" in result["empty"]
    # sanitised as stored, shown with the same allow-list: bold and a list, no link
    assert result["shown"] == {"bold": ["there"], "items": ["a bill", "your ID"], "links": 0}
    [row] = result["inbox"]
    # the inbox names the record by its case number: no record read (and audited) to list it
    assert f"Record {made['case_number']}" in row and "PORTAL" in row and "1 new" in row
    assert "Ines" not in row
    assert "Inbox 1 unread" in result["menu"]
    assert "New" in result["thread"][1] and "both" in result["thread"][1]
    assert "Thank you, see you on Monday" in result["after_reply"][-1]
    assert "None" in result["inbox_after"][0]  # the thread was marked read
    assert result["tabs"] <= 20
    assert "no portal account" in result["no_account_notice"]
    assert "This client has no portal account, so they cannot read messages." in \
        result["no_account"]
    assert result["foreign"] == "Page not found"

    # through the API: the thread holds staff, client, staff; the client sees the reply
    thread_id = result["thread_url"].rsplit("/", 1)[1]
    shown = admin.get(f"{url}{STAFF}/threads/{thread_id}").json()
    assert [m["author"] for m in shown["messages"]] == ["staff", "client", "staff"]
    assert shown["messages"][0]["body"] == ("Hello <b>there</b>, please bring:<ul><li>a bill"
                                            "</li><li>your ID</li></ul>link")
    portal = client.get(f"{url}{PORTAL}/threads/{thread_id}").json()
    assert portal["messages"][-1]["body"] == "Thank you, see you on Monday"
    assert admin.get(f"{url}{STAFF}/records/{no_account['id']}").status_code == 200
    assert [i for i in admin.get(f"{url}{STAFF}/inbox").json()["items"]
            if i["record_id"] == no_account["id"]] == []


def test_req1_to_req3_a_document_asked_fulfilled_and_downloaded_and_a_second_roi_refused(
        web_url, gateway_url, mail_server, browser, tmp_path):
    url = gateway_url
    admin = staff_agency(url)
    made, client = portal_client(url, admin, mail_server)
    today = datetime.now(UTC).date()
    name = f"Wellbeing {uuid.uuid4().hex[:6]}"

    result = browser("messages_requests", web_url=web_url, gateway_url=url,
                     **credentials(admin), record_id=made["id"],
                     client_token=client.headers["Authorization"].split()[1],
                     assessment_name=name, roi_starts=today.isoformat(),
                     roi_expires=(today + timedelta(days=90)).isoformat(),
                     downloads=str(tmp_path))

    assert "Give the assessment a name" in result["assessment_empty"]
    assert "Give question 2 at least 2 choices" in result["no_choices"]
    assert name in result["assessments"] and "Own home, Shelter, Street" in \
        result["assessments"]
    assert "Choose what to ask for" in result["nothing_chosen"]
    assert "Give the name of the document" in result["no_other_name"]
    assert len(result["requested"]) == 3
    assert all("Waiting for the client" in r for r in result["requested"])
    fulfilled = [r for r in result["fulfilled"] if "Fulfilled" in r]
    assert len(fulfilled) == 2 and any("Download the document" in r for r in fulfilled)
    [document] = result["documents"]
    assert "Passport" in document and "Private" in document
    [roi] = result["rois"]
    assert "Cleo Client" in roi and "Active" in roi
    # the file came through the web process, as an attachment, with no token in its address
    download = result["download"]
    assert download["url"].startswith(f"{web_url}/staff/records/{made['id']}/documents/")
    assert Path(download["path"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    expires = today + timedelta(days=90)
    assert "This client already has an active release of information" in result["roi_active"]
    assert f"to {expires.day} {expires:%B %Y}" in result["roi_active"]
    assert result["focused_rois"] == "#rois"

    # through the API: the requests, the assessment and the single ROI are there
    requests = admin.get(f"{url}{STAFF}/records/{made['id']}/requests").json()["items"]
    assert sorted((r["type"], r["status"]) for r in requests) == [
        ("assessment", "requested"), ("document", "fulfilled"), ("roi", "fulfilled")]
    [doc_request] = [r for r in requests if r["type"] == "document"]
    assert doc_request["private"] and doc_request["document_name"] == "Passport"
    [made_assessment] = [a for a in admin.get(f"{url}{STAFF}/assessments").json()["items"]
                         if a["name"] == name]
    assert [(q["kind"], q["choices"]) for q in made_assessment["questions"]] == [
        ("text", None), ("choice", ["Own home", "Shelter", "Street"]), ("yes_no", None)]
    assert len(admin.get(f"{url}{STAFF}/records/{made['id']}/rois").json()["items"]) == 1


def test_not7_a_mass_send_to_a_group_followed_to_its_end(
        web_url, gateway_url, mail_server, browser):
    url = gateway_url
    admin = staff_agency(url)
    (first, first_client), (second, _) = (portal_client(url, admin, mail_server)
                                          for _ in range(2))
    offline = record(url, admin, first_name="Olive", last_name="Offline")
    group_name = f"Friday group {uuid.uuid4().hex[:6]}"
    group = admin.post(f"{url}{STAFF}/groups", json={"name": group_name}).json()
    added = admin.post(f"{url}{STAFF}/groups/{group['id']}/members/bulk",
                       json={"add": [first["id"], second["id"], offline["id"]]})
    assert added.status_code == 200, added.text
    member_password = "a staff member's passphrase"
    member = staff_member(url, admin, "Mina", "Member")
    member_email = member.get(f"{url}{STAFF}/me").json()["email"]

    result = browser("messages_mass_send", web_url=web_url, **credentials(admin),
                     group_id=group["id"], body="The office is <b>closed</b> on Friday",
                     member_email=member_email, member_password=member_password)

    assert "Choose who to send to" in result["empty"]
    assert "Choose whether to send a message or a request" in result["empty"]
    assert "No record has the case number NO-SUCH-NUMBER" in result["unknown_case_number"]
    assert result["live"] == "polite"
    assert result["reloaded"] == []  # the progress followed itself in place
    assert "Finished" in result["progress"] and "Failed\t0" in result["progress"]
    assert len(result["results"]) == 3
    [skipped] = [r for r in result["results"] if f"Record {offline['case_number']}" in r]
    assert "Not sent" in skipped and "no portal account" in skipped
    assert sum("Sent" in r and "Open the conversation" in r for r in result["results"]) == 2
    assert result["member"] == result["member_form"] == "You cannot see this page"
    assert "Mass sends" not in result["member_menu"]

    # through the API: done, with a result per recipient; the client has the message
    mass_send_id = result["url"].rsplit("/", 1)[1]
    sent = admin.get(f"{url}{STAFF}/mass-sends/{mass_send_id}").json()
    assert (sent["status"], sent["total"], sent["done"], sent["failed"]) == ("done", 3, 3, 0)
    threads = wait_for(lambda: first_client.get(
        f"{url}{PORTAL}/records/{first['id']}/threads").json()["items"])
    body = first_client.get(f"{url}{PORTAL}/threads/{threads[0]['thread_id']}").json()
    assert body["messages"][0]["body"] == "The office is <b>closed</b> on Friday"


def test_not1_notifications_read_followed_and_how_they_reach_staff(
        web_url, gateway_url, browser):
    url = gateway_url
    admin = staff_agency(url)
    mine = record(url, admin, case_number=f"CN-{uuid.uuid4().hex[:6]}")
    assign_when_known(admin, url, mine["id"], admin.user_id)  # NOT-1: navigators are told
    nobody = record(url, admin, case_number=f"CN-{uuid.uuid4().hex[:6]}")
    assert admin.put(f"{url}{STAFF}/records/{nobody['id']}/status",
                     json={"status": "prospect"}).status_code in (200, 204)
    expected = f"Record {mine['case_number']} is assigned to you"
    assert wait_for(lambda: [i for i in admin.get(f"{url}{STAFF}/notifications/unassigned")
                             .json()["items"] if i["record_id"] == nobody["id"]], timeout=20)

    result = browser("messages_notifications", web_url=web_url, **credentials(admin),
                     expected=expected)

    assert [expected in n and "Unread" in n for n in result["unread"]] == [True]
    assert "Notifications 1 unread" in result["menu"]
    assert result["link"] == f"/staff/records/{mine['id']}"
    assert f"Record {nobody['case_number']}: status changed to prospect" in \
        result["unassigned"]
    assert result["unread_after"] == []
    [shown] = result["all"]
    assert expected in shown and "Unread" not in shown
    assert result["followed"] == f"{web_url}/staff/records/{mine['id']}"
    assert all(width <= 320 for width in result["widths"].values()), result["widths"]

    # through the API: read, and the assignments come in the daily digest from now on
    [note] = admin.get(f"{url}{STAFF}/notifications").json()["items"]
    assert note["read"] is True
    preferences = admin.get(f"{url}{STAFF}/notification-preferences").json()["items"]
    assert {p["kind"]: p["delivery"] for p in preferences}["record_assigned"] == "digest"
