"""A forgotten password in the browser, for a client and for staff: "Forgot your password?"
on each sign-in page, the e-mail read from the real SMTP server, its link followed, a new
password set, and a sign-in with it; a spent link says so. axe on every page visited."""

from __future__ import annotations

import re
import uuid

from tests.fixtures import wait_for
from tests.web.test_pages import portal_account
from tests.web.test_seed_workflow import agency

RESET_LINK = re.compile(r"\S+/password-reset/[A-Za-z0-9_-]+")
NEW_PASSWORD = "a fresh and longer passphrase"


def reset_link(mail_server, email: str) -> str:
    found = wait_for(lambda: [link for m in mail_server.received if email in m.rcpt_tos
                              for link in RESET_LINK.findall(m.text)], timeout=20)
    assert found, f"no reset e-mail to {email}"
    return found[-1]


def test_a_client_resets_a_forgotten_password_from_the_portal(web_url, gateway_url,
                                                              mail_server, browser):
    client = portal_account(gateway_url)
    nobody = f"nobody-{uuid.uuid4().hex[:8]}@example.org"
    asked = browser("ask_password_reset", web_url=web_url, audience="portal",
                    emails=[nobody, client["username"]])
    # an unknown address and a real one get the same page (only the address typed differs)
    assert asked[0]["title"] == asked[1]["title"] == "Check your e-mail"
    assert asked[0]["text"].replace(nobody, "") == asked[1]["text"].replace(
        client["username"], "")

    link = reset_link(mail_server, client["username"])
    assert link.startswith(f"{web_url}/password-reset/")
    assert not [m for m in mail_server.received if nobody in m.rcpt_tos]
    done = browser("follow_password_reset", web_url=web_url, link=link, password=NEW_PASSWORD,
                   audience="portal", email=client["username"])
    assert "The passwords do not match" in done["mismatch"]
    assert done["changed"] == "Your password has been changed"
    assert done["signed_in"] == "Your details"
    assert done["used"] == "This password reset link does not work"


def test_staff_reset_a_forgotten_password_from_the_staff_console(web_url, gateway_url,
                                                                 mail_server, browser):
    admin = agency(gateway_url)
    asked = browser("ask_password_reset", web_url=web_url, audience="staff",
                    emails=[admin.login_email], slug=admin.slug)
    assert asked[0]["title"] == "Check your e-mail"
    link = reset_link(mail_server, admin.login_email)
    assert link.startswith(f"{web_url}/password-reset/")
    done = browser("follow_password_reset", web_url=web_url, link=link, password=NEW_PASSWORD,
                   audience="staff", email=admin.login_email, slug=admin.slug)
    assert done["changed"] == "Your password has been changed"
    assert done["signed_in"] == "Find a record"
    assert done["used"] == "This password reset link does not work"
