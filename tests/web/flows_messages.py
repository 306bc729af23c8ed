"""The staff console's messages, notifications, requests and mass sends in the browser (run by
tests/web/driver.py): each flow answers what the pages showed, for the tests of
tests/web/test_staff_messages*.py to check, with the API, that it really happened. The client's
side (a reply, a fulfilment) goes through the portal API from here, between browser steps."""

from __future__ import annotations

import io
import time

import requests

from tests.web.flows import staff_login

PORTAL = "/api/v1/portal"


def _error_summary(page) -> str:
    page.locator(".govuk-error-summary").wait_for()
    return page.locator(".govuk-error-summary").inner_text()


def _tab_to(page, selector: str, limit: int = 40) -> int:
    """Press Tab until the element ``selector`` has the focus; how many presses it took."""
    for count in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement === document.querySelector(s)",
                         selector):
            return count
    raise AssertionError(f"Tab never reached {selector}")


def messages_staff_writes_and_replies(pages, web_url, gateway_url, slug, email, password,
                                      record_id, name, client_token, client_reply,
                                      no_account_id, foreign_id):
    """Staff write to a client (an empty message first), the client answers through the
    portal API, staff find the answer in the inbox (unread, counted in the menu), read it and
    reply with the keyboard alone; writing to a client with no portal account is refused in a
    plain sentence, another agency's record is not found."""
    staff = pages()
    staff_login(staff, web_url, slug, email, password)
    page = staff.page
    out: dict = {}

    page.goto(f"{web_url}/staff/records/{record_id}/messages/new")
    out["new_title"] = page.locator("h1").inner_text()
    out["hint"] = page.locator("#body-hint").inner_text()
    staff.axe()
    page.get_by_role("button", name="Send message").click()
    out["empty"] = _error_summary(page)
    staff.axe()
    page.get_by_label("Your message").fill(
        "Hello <b>there</b>, please bring:<ul><li>a bill</li><li>your ID</li></ul>"
        "<a href='https://example.org'>link</a>")
    page.get_by_role("button", name="Send message").click()
    page.get_by_text(f"Your message has been sent to {name}.").wait_for()
    out["thread_url"] = page.url
    first = page.locator("#messages > li").first
    out["shown"] = {"bold": first.locator("b").all_inner_texts(),
                    "items": first.locator(".casework-message__body li").all_inner_texts(),
                    "links": first.locator("a").count()}
    staff.axe()
    thread_id = page.url.rsplit("/", 1)[1]

    # the client answers in the portal (its API)
    answer = requests.post(f"{gateway_url}{PORTAL}/threads/{thread_id}/messages",
                           json={"body": client_reply},
                           headers={"Authorization": f"Bearer {client_token}"}, timeout=30)
    assert answer.status_code == 201, answer.text

    page.get_by_role("link", name="Inbox").first.click()
    page.wait_for_url(f"{web_url}/staff/inbox")
    out["menu"] = " ".join(page.locator("#navigation").inner_text().split())
    out["inbox"] = page.locator("#inbox tbody tr").all_inner_texts()
    staff.axe()
    page.locator("#inbox tbody a").first.click()
    page.wait_for_url(f"{web_url}/staff/threads/{thread_id}")
    out["thread"] = page.locator("#messages > li").all_inner_texts()
    staff.axe()

    # the reply with the keyboard alone: Tab to the reply box, type, Tab to the button, Enter
    out["tabs"] = _tab_to(page, "#body")
    page.keyboard.type("Thank you, see you on Monday")
    _tab_to(page, "#send-reply", limit=3)
    page.keyboard.press("Enter")
    page.get_by_text("Your reply has been sent.").wait_for()
    out["after_reply"] = page.locator("#messages > li").all_inner_texts()
    staff.axe()
    page.goto(f"{web_url}/staff/inbox")
    out["inbox_after"] = page.locator("#inbox tbody tr").all_inner_texts()

    # refusals: no portal account; another agency's record
    page.goto(f"{web_url}/staff/records/{no_account_id}/messages/new")
    out["no_account_notice"] = page.locator("#no-account").inner_text()
    page.get_by_label("Your message").fill("Are you there?")
    page.get_by_role("button", name="Send message").click()
    out["no_account"] = _error_summary(page)
    staff.axe()
    page.goto(f"{web_url}/staff/records/{foreign_id}/messages/new")
    out["foreign"] = page.locator("h1").inner_text()
    staff.axe()

    return out


def messages_notifications(pages, web_url, slug, email, password, expected, timeout=20.0):
    """Staff open their notifications (waiting for ``expected``, which reaches them by an
    event), keep to the unread ones, follow one to its record, mark it read, and choose the
    daily digest for a kind; an administrator also sees the records whose notifications
    nobody received."""
    staff = pages()
    staff_login(staff, web_url, slug, email, password)
    page = staff.page
    out: dict = {}
    page.get_by_role("link", name="Notifications").click()
    page.get_by_role("link", name="Unread only").click()
    page.wait_for_url(f"{web_url}/staff/notifications?unread=true")
    wanted = page.locator("#notifications li", has_text=expected)
    deadline = time.monotonic() + timeout
    while wanted.count() == 0:
        assert time.monotonic() < deadline, page.locator("main").inner_text()
        time.sleep(0.5)
        page.reload()
    out["unread"] = page.locator("#notifications li").all_inner_texts()
    out["menu"] = " ".join(page.locator("#navigation").inner_text().split())
    out["unassigned"] = page.locator("main").inner_text()
    staff.axe()
    out["link"] = wanted.locator("a").first.get_attribute("href")
    wanted.get_by_role("button", name="Mark as read").click()
    page.get_by_text("Notification marked as read.").wait_for()
    out["unread_after"] = page.locator("#notifications li").all_inner_texts()
    staff.axe()
    page.get_by_role("link", name="All", exact=True).click()
    out["all"] = page.locator("#notifications li").all_inner_texts()
    page.get_by_role("group", name="A record is assigned to you").get_by_label(
        "daily digest").check()
    page.get_by_role("button", name="Save notification settings").click()
    page.get_by_text("Your notification settings have been saved.").wait_for()
    staff.axe()
    page.get_by_role("link", name=expected).first.click()
    out["followed"] = page.url
    # at 320 CSS pixels wide nothing scrolls sideways (wide tables scroll in their region)
    page.set_viewport_size({"width": 320, "height": 640})
    out["widths"] = {}
    for path in ("/staff/notifications", "/staff/inbox", "/staff/mass-sends",
                 "/staff/assessments"):
        page.goto(web_url + path)
        out["widths"][path] = page.evaluate("document.documentElement.scrollWidth")
    staff.axe()
    return out


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 16), (20, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def _fulfil(gateway_url, client_token, record_id, title, **kwargs):
    headers = {"Authorization": f"Bearer {client_token}"}
    listed = requests.get(f"{gateway_url}{PORTAL}/records/{record_id}/requests",
                          headers=headers, timeout=30)
    assert listed.status_code == 200, listed.text
    [wanted] = [r for r in listed.json()["items"] if r["title"] == title
                and r["status"] == "requested"]
    answer = requests.post(f"{gateway_url}{PORTAL}/requests/{wanted['id']}/fulfil",
                           headers={**headers, **kwargs.pop("headers", {})}, timeout=30,
                           **kwargs)
    assert answer.status_code == 200, answer.text
    return wanted["id"]


def messages_requests(pages, web_url, gateway_url, slug, email, password, record_id,
                      client_token, assessment_name, roi_starts, roi_expires, downloads):
    """An administrator creates an assessment (an empty form, a choice question without
    choices first); then, on a record, asks for a document (the "other" document without a
    name first), the assessment and an ROI; the client fulfils the document and the ROI
    through the portal API; staff see them, download the document, and a second ROI request is
    refused with the active ROI's dates."""
    staff = pages(accept_downloads=True)
    staff_login(staff, web_url, slug, email, password)
    page = staff.page
    out: dict = {}

    page.goto(f"{web_url}/staff/assessments")
    staff.axe()
    page.get_by_role("button", name="Create assessment").click()
    out["assessment_empty"] = _error_summary(page)
    staff.axe()
    page.get_by_label("Name").fill(assessment_name)
    first = page.get_by_role("group", name="Question 1")
    first.get_by_label("Question").fill("How do you feel today?")
    second = page.get_by_role("group", name="Question 2")
    second.get_by_label("Question").fill("Where do you sleep?")
    second.get_by_label("Kind of answer").select_option("choice")
    page.get_by_role("button", name="Add another question").click()
    page.get_by_role("group", name="Question 4").wait_for()
    fourth = page.get_by_role("group", name="Question 4")
    fourth.get_by_label("Question").fill("Do you feel safe?")
    fourth.get_by_label("Kind of answer").select_option("yes_no")
    page.get_by_role("button", name="Create assessment").click()
    out["no_choices"] = _error_summary(page)
    staff.axe()
    page.get_by_role("group", name="Question 2").get_by_label("Choices").fill(
        "Own home\nShelter\nStreet")
    page.get_by_role("button", name="Create assessment").click()
    page.get_by_text(f"Assessment “{assessment_name}” created.").wait_for()
    out["assessments"] = page.locator("#assessments").inner_text()
    staff.axe()

    page.goto(f"{web_url}/staff/records/{record_id}/requests")
    assert page.locator("h1").inner_text().startswith("Requests to"), page.locator(
        "main").inner_text()
    out["empty_state"] = page.locator("#no-requests").inner_text()
    staff.axe()
    page.get_by_role("button", name="Send request").click()
    out["nothing_chosen"] = _error_summary(page)
    staff.axe()
    page.get_by_label("A document").check()
    page.get_by_label("Document", exact=True).select_option("other:other")
    page.get_by_role("button", name="Send request").click()
    out["no_other_name"] = _error_summary(page)
    staff.axe()
    page.get_by_label("A document").check()
    page.get_by_label("Document", exact=True).select_option("identity:Passport")
    page.get_by_label("Private").check()
    page.get_by_role("button", name="Send request").click()
    page.get_by_text("Request sent to").wait_for()
    page.get_by_label("An assessment").check()
    page.get_by_label("Assessment", exact=True).select_option(label=assessment_name)
    page.get_by_role("button", name="Send request").click()
    page.get_by_text("Request sent to").wait_for()
    page.get_by_label("A release of information").check()
    page.get_by_role("button", name="Send request").click()
    page.get_by_text("Request sent to").wait_for()
    out["requested"] = page.locator("#requests > li").all_inner_texts()
    staff.axe()

    # the client provides the passport and signs the ROI in the portal (its API)
    for title in [t for t in _titles(gateway_url, client_token, record_id) if "Passport" in t]:
        _fulfil(gateway_url, client_token, record_id, title, data=_png(),
                headers={"Content-Type": "image/png"})
    for title in [t for t in _titles(gateway_url, client_token, record_id)
                  if "elease of information" in t]:
        _fulfil(gateway_url, client_token, record_id, title, json={
            "starts_on": roi_starts, "expires_on": roi_expires, "signed_name": "Cleo Client"})

    page.reload()
    out["fulfilled"] = page.locator("#requests > li").all_inner_texts()
    out["documents"] = page.locator("#documents tbody tr").all_inner_texts()
    out["rois"] = page.locator("#rois-table tbody tr").all_inner_texts()
    staff.axe()
    with page.expect_download() as info:
        page.locator("#documents tbody a").first.click()
    download = info.value
    saved = f"{downloads}/{download.suggested_filename}"
    download.save_as(saved)
    out["download"] = {"name": download.suggested_filename, "path": saved,
                       "url": download.url}

    page.get_by_label("A release of information").check()
    page.get_by_role("button", name="Send request").click()
    out["roi_active"] = _error_summary(page)
    staff.axe()
    page.get_by_role("link", name="Review the client’s release of information history").click()
    out["focused_rois"] = page.evaluate("location.hash")
    return out


def _titles(gateway_url, client_token, record_id) -> list[str]:
    listed = requests.get(f"{gateway_url}{PORTAL}/records/{record_id}/requests",
                          headers={"Authorization": f"Bearer {client_token}"}, timeout=30)
    assert listed.status_code == 200, listed.text
    return [r["title"] for r in listed.json()["items"] if r["status"] == "requested"]


def messages_mass_send(pages, web_url, slug, email, password, group_id, body,
                       member_email=None, member_password=None, timeout=40.0):
    """An administrator sends a message to a group (an empty form first) and watches its
    progress reach the end without reloading the page; the results say why a recipient was
    skipped. A staff member without administration sees the 403 page there."""
    staff = pages()
    staff_login(staff, web_url, slug, email, password)
    page = staff.page
    out: dict = {}
    page.get_by_role("link", name="Mass sends").click()
    page.wait_for_url(f"{web_url}/staff/mass-sends")
    staff.axe()
    page.get_by_role("button", name="Start sending").click()
    out["empty"] = _error_summary(page)
    staff.axe()
    page.get_by_label("Records I name by case number").check()
    page.get_by_label("Case numbers").fill("NO-SUCH-NUMBER")
    page.get_by_label("A message").check()
    page.get_by_label("Message", exact=True).fill(body)
    page.get_by_role("button", name="Start sending").click()
    out["unknown_case_number"] = _error_summary(page)
    staff.axe()
    page.get_by_label("The members of a group").check()
    page.get_by_label("Group", exact=True).select_option(group_id)
    page.get_by_label("A message").check()
    page.get_by_label("Message", exact=True).fill(body)
    page.get_by_role("button", name="Start sending").click()
    page.wait_for_url(f"{web_url}/staff/mass-sends/*")
    out["url"] = page.url
    out["first"] = page.locator("#mass-send-progress").inner_text()
    out["live"] = page.locator("#mass-send-progress").get_attribute("aria-live")
    staff.axe()
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.locator("#results").wait_for(timeout=timeout * 1000)
    out["reloaded"] = navigations
    out["progress"] = page.locator("#mass-send-progress").inner_text()
    out["results"] = page.locator("#results tbody tr").all_inner_texts()
    staff.axe()

    if member_email:
        member = pages()
        staff_login(member, web_url, slug, member_email, member_password)
        member.page.goto(out["url"])
        out["member"] = member.page.locator("h1").inner_text()
        out["member_menu"] = member.page.locator("#navigation").inner_text()
        member.axe()
        member.page.goto(f"{web_url}/staff/mass-sends")
        out["member_form"] = member.page.locator("h1").inner_text()
    return out


def messages_screenshots(pages, web_url, slug, email, password, record_id, mass_send_id,
                         folder):
    """Screenshots for docs/screenshots (run by hand, never by the tests)."""
    staff = pages(viewport={"width": 1280, "height": 900})
    staff_login(staff, web_url, slug, email, password)
    page = staff.page
    shots = {"inbox": "/staff/inbox", "requests": f"/staff/records/{record_id}/requests",
             "mass-send": f"/staff/mass-sends/{mass_send_id}"}
    for name, path in shots.items():
        page.goto(web_url + path)
        page.screenshot(path=f"{folder}/messages-{name}.png", full_page=True)
    return list(shots)
