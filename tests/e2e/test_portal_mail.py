"""The invitation workflow with the real notifications service and a real SMTP server (the
``mail_server`` fixture, aiosmtpd in the test process): the client follows the link of the
e-mail they received (INV-2, INV-4; API.md "E-mail, links and the mail catcher")."""

from __future__ import annotations

import re

import requests

from casework.config import settings
from tests.e2e.test_portal_invitations import (
    PASSWORD,
    STAFF,
    accept,
    agency,
    client_session,
    linked,
    record,
)
from tests.fixtures import wait_for

LINK = re.compile(r"\S+/invitations/[A-Za-z0-9_-]+")


def test_inv2_inv4_the_client_follows_the_link_in_the_email_they_received(gateway_url,
                                                                          mail_server):
    url = gateway_url
    admin = agency(url)
    made = record(url, admin)
    answer = admin.post(f"{url}{STAFF}/records/{made['id']}/invitation", json={"confirm": True})
    assert answer.status_code == 201, answer.text

    def mail_to_client():
        return [m for m in mail_server.received if made["email"] in m.rcpt_tos]

    [mail] = wait_for(mail_to_client, timeout=20)
    [link] = LINK.findall(mail.text)
    assert link.startswith(f"{settings().portal_url}/invitations/")
    assert link in mail.html
    assert PASSWORD not in mail.text
    token = link.rsplit("/", 1)[1]

    shown = requests.get(f"{url}/api/v1/invitations/{token}")
    assert shown.status_code == 200 and shown.json()["email"] == made["email"]
    client = client_session(accept(url, token))
    assert wait_for(lambda: linked(url, client, made["id"]))
    me = client.get(f"{url}/api/v1/portal/me").json()
    assert me["username"] == made["email"]
    assert [r["record_id"] for r in me["records"]] == [made["id"]]
