"""Every page a staff administrator or a client reaches by following links, with the data of a
record in use (a portal account, a thread, a request, a session, a payment): each answers 200,
axe finds nothing on it, and nothing scrolls sideways at 320 px. The workflows of each part are
walked in their own tests; this one finds the page nobody thought to test."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.test_portal_invitations import STAFF, record
from tests.fixtures import wait_for
from tests.web.test_pages import PASSWORD, accepted_token
from tests.web.test_seed_workflow import agency, credentials


def record_in_use(url: str):
    """An agency offering every portal feature and a client record with an account, a message
    thread, an open document request, a session next week and a payment."""
    admin = agency(url)
    assert admin.patch(f"{url}{STAFF}/settings", json={"portal_features": [
        "profile_editing", "availability", "sessions", "messages", "requests"]}).status_code == 200
    made = record(url, admin, first_name="Perpetua", last_name="Crawley",
                  phones=[{"type": "mobile", "number": "+1 206 555 0100"}])
    assert admin.post(f"{url}{STAFF}/records/{made['id']}/invitation",
                      json={"confirm": True}).status_code == 201
    accepted_token(url, made["email"])
    assert wait_for(lambda: admin.get(f"{url}{STAFF}/records/{made['id']}")
                    .json()["has_client_account"], timeout=20)
    assert admin.post(f"{url}{STAFF}/records/{made['id']}/messages",
                      json={"body": "Welcome, <b>Perpetua</b>"}).status_code == 201
    asked = admin.post(f"{url}{STAFF}/records/{made['id']}/requests", json={
        "type": "document", "document_category": "identity",
        "document_name": "Passport"})
    assert asked.status_code == 201, asked.text
    start = (datetime.now(UTC) + timedelta(days=7)).replace(hour=15, minute=0, second=0,
                                                            microsecond=0)

    def booked():
        answer = admin.post(f"{url}{STAFF}/sessions", json={
            "client_ids": [made["id"]], "practitioner_ids": [admin.user_id],
            "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat(),
            "force": True})
        return answer if answer.status_code == 201 else None

    session = wait_for(booked, timeout=20)  # once scheduling has learnt the record
    assert session, "no session could be booked"
    paid = admin.post(f"{url}{STAFF}/payments", json={
        "client_id": made["id"], "amount_minor": 2500, "currency": "USD",
        "paid_on": start.date().isoformat(), "method": "card"})
    assert paid.status_code == 201, paid.text
    return admin, made


@pytest.fixture(scope="module")
def in_use(web_platform):
    return record_in_use(web_platform.gateway_url)


@pytest.mark.timeout(400)
def test_every_staff_page_reached_by_links_answers_is_accessible_and_fits_320_pixels(
        web_url, in_use, browser):
    admin, made = in_use
    staff = browser("crawl_staff", _timeout=380, web_url=web_url, **credentials(admin),
                    search="Perpetua Crawley")
    failed = {u: s for u, s in staff["visited"].items() if s != 200}
    assert not failed, failed
    assert not staff["wide"], staff["wide"]
    assert "/staff/records/{id}" in staff["shapes"], staff["shapes"]
    assert not staff["left"], f"more pages than the crawl's limit: {staff['left']}"


@pytest.mark.timeout(300)
@pytest.mark.parametrize("locale", ["en", "es"])
def test_every_portal_page_reached_by_links_answers_is_accessible_and_fits_320_pixels(
        web_url, in_use, browser, locale):
    admin, made = in_use
    portal = browser("crawl_portal", _timeout=280, web_url=web_url, username=made["email"],
                     password=PASSWORD, locale=locale)
    failed = {u: s for u, s in portal["visited"].items() if s != 200}
    assert not failed, failed
    assert not portal["wide"], portal["wide"]
    assert "/portal/records/{id}/threads" in portal["shapes"], portal["shapes"]
    assert re.search(r"/portal/threads/", " ".join(portal["visited"]))
    assert not portal["left"], f"more pages than the crawl's limit: {portal['left']}"
