"""The first seed workflow, end to end in a real browser on the real platform: staff invite a
client by e-mail (read from a real SMTP server), the client follows the link, sets a password,
edits their phone, and the staff console's record page shows the new phone."""

from __future__ import annotations

import re

from tests.e2e.test_portal_invitations import STAFF, record
from tests.fixtures import Operator, login_staff, wait_for

LINK = re.compile(r"\S+/invitations/[A-Za-z0-9_-]+")
PASSWORD = "a long portal passphrase"


def agency(url: str):
    """A new agency with its portal enabled; its administrator's session over the API, with
    ``slug``, ``login_email`` and ``login_password`` for the browser."""
    made = Operator(url).create_agency()
    admin = login_staff(url, made["slug"], made["admin_email"], made["admin_password"])
    admin.login_email, admin.login_password = made["admin_email"], made["admin_password"]
    answer = admin.patch(f"{url}{STAFF}/settings", json={"portal_enabled": True})
    assert answer.status_code == 200, answer.text
    return admin


def credentials(admin) -> dict:
    return {"slug": admin.slug, "email": admin.login_email, "password": admin.login_password}


def test_staff_invite_client_accepts_edits_phone_and_staff_see_it(
        web_url, gateway_url, mail_server, browser):
    admin = agency(gateway_url)
    made = record(gateway_url, admin, first_name="Marguerite", last_name="Okonkwo",
                  phones=[{"type": "mobile", "number": "+44 20 7946 0001"}])

    invited = browser("staff_invites", web_url=web_url, **credentials(admin),
                      search="margerite okonkwo", name="Marguerite Okonkwo",
                      record_id=made["id"], client_email=made["email"])
    assert f"to {made['email']}" in invited["state"]

    [mail] = wait_for(lambda: [m for m in mail_server.received if made["email"] in m.rcpt_tos],
                      timeout=20)
    [link] = LINK.findall(mail.text)
    assert link.startswith(f"{web_url}/invitations/")

    client = browser("client_accepts_and_edits_phone", web_url=web_url, link=link,
                     password=PASSWORD, new_phone="+44 20 7946 0999")
    assert made["email"] in client["details"]
    assert "+44 20 7946 0999" in client["phones"]

    seen = browser("staff_sees_phone", web_url=web_url, **credentials(admin),
                   record_id=made["id"], phone="+44 20 7946 0999")
    assert "+44 20 7946 0001" not in seen["summary"]
