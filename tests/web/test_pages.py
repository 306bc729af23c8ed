"""The pages in a browser, beyond the seed workflow: keyboard alone, 320 px wide, JavaScript
off, every way of finding a record, the portal in Spanish; axe on each page visited (the flows
in tests/web/flows.py)."""

from __future__ import annotations

import uuid

import requests

from tests.e2e.test_portal_invitations import STAFF, record
from tests.web.test_seed_workflow import agency, credentials

PASSWORD = "a long portal passphrase"


def test_staff_sign_in_with_the_keyboard_alone(web_url, gateway_url, browser):
    admin = agency(gateway_url)
    result = browser("keyboard_login", web_url=web_url, **credentials(admin))
    assert "organization" in result["focused"]


def test_pages_fit_a_320_pixel_screen(web_url, browser):
    widths = browser("narrow_screens", web_url=web_url)
    assert all(width <= 320 for width in widths.values()), widths


def test_staff_find_and_open_a_record_with_javascript_off(web_url, gateway_url, browser):
    admin = agency(gateway_url)
    record(gateway_url, admin, first_name="Theodora", last_name="Vasquez")
    result = browser("without_javascript", web_url=web_url, **credentials(admin),
                     search="theodora vasques", name="Theodora Vasquez")
    assert result["title"].startswith("Theodora Vasquez")


def test_staff_find_a_record_by_misspelt_name_case_number_email_and_phone(
        web_url, gateway_url, browser):
    admin = agency(gateway_url)
    made = record(gateway_url, admin, first_name="Bartholomew", last_name="Nakamura",
                  case_number=f"CN-{uuid.uuid4().hex[:6]}",
                  phones=[{"type": "mobile", "number": "+1 415 555 0142"}])
    record(gateway_url, admin, first_name="Someone", last_name="Else")
    queries = ["bartholomew nakamora", made["case_number"], made["email"], "+1 415 555 0142"]
    found = browser("search_finds", web_url=web_url, **credentials(admin), queries=queries)
    for query in queries:
        assert found[query][:1] == ["Bartholomew Nakamura"], (query, found)


def test_the_portal_in_the_language_the_client_picks(web_url, gateway_url, browser):
    client = portal_account(gateway_url)
    result = browser("portal_in_spanish", web_url=web_url, username=client["username"],
                     password=PASSWORD, bad_link=f"{web_url}/invitations/{'x' * 43}")
    assert result["english"] == "Sign in"
    assert result["spanish"] == "Iniciar sesión" and result["lang"] == "es"
    assert result["home"] == "Sus datos"
    assert result["after_logout"] == "Iniciar sesión"  # the choice outlives the session
    assert result["invalid"] == "Este enlace de invitación no funciona"


def portal_account(gateway_url: str) -> dict:
    """A client with a portal account, made as the platform makes one: invited and accepted
    (over the API)."""
    admin = agency(gateway_url)
    made = record(gateway_url, admin)
    answer = admin.post(f"{gateway_url}{STAFF}/records/{made['id']}/invitation",
                        json={"confirm": True})
    assert answer.status_code == 201, answer.text
    return {"username": made["email"], "record": made, "admin": admin,
            "token": accepted_token(gateway_url, made["email"])}


def accepted_token(gateway_url: str, email: str) -> str:
    """Accept the invitation sent to ``email``, reading its link from the web tests' SMTP
    server."""
    import re

    from tests.fixtures import wait_for
    from tests.web.conftest import SMTP

    [mail] = wait_for(lambda: [m for m in SMTP[0].received if email in m.rcpt_tos],
                      timeout=20)
    token = re.search(r"/invitations/([A-Za-z0-9_-]+)", mail.text).group(1)
    answer = requests.post(f"{gateway_url}/api/v1/invitations/{token}/accept",
                           json={"password": PASSWORD}, timeout=30)
    assert answer.status_code == 201, answer.text
    return answer.json()["access_token"]
