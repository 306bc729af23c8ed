"""An agency's global invitation link in the browser (INV-5): a visitor asks to join and the
agency's enrollment requests list them; a disabled link and an unknown one say they do not
work. axe on every page visited."""

from __future__ import annotations

import uuid

from tests.e2e.test_portal_invitations import STAFF
from tests.fixtures import wait_for
from tests.web.test_seed_workflow import agency

PASSWORD = "a long joining passphrase"


def test_a_visitor_asks_to_join_through_the_agency_link(web_url, gateway_url, browser):
    admin = agency(gateway_url)
    old = admin.post(f"{gateway_url}{STAFF}/invitation-links", json={})
    assert old.status_code == 201, old.text
    assert admin.delete(f"{gateway_url}{STAFF}/invitation-links/{old.json()['id']}") \
        .status_code == 204
    link = admin.post(f"{gateway_url}{STAFF}/invitation-links", json={}).json()
    assert link["url"] == f"{web_url}/join/{link['slug']}"  # CASEWORK_PORTAL_URL: the portal
    email = f"joiner-{uuid.uuid4().hex[:8]}@example.org"

    result = browser("join_agency", web_url=web_url, link=link["url"], first_name="Imogen",
                     last_name="Achterberg", email=email, password=PASSWORD,
                     dead_links=[old.json()["url"], f"{web_url}/join/{'x' * 32}"])
    assert result["title"].startswith("Ask to join ")
    assert "Enter your first name" in result["empty"] and "Enter a password" in result["empty"]
    assert result["sent"] == "Your request has been sent"
    assert result["dead"] == ["This link to join does not work"] * 2

    def pending():
        answer = admin.get(f"{gateway_url}{STAFF}/enrollment-requests")
        assert answer.status_code == 200, answer.text
        return [r for r in answer.json()["items"] if r["email"] == email]

    [request] = wait_for(pending, timeout=20)
    assert (request["first_name"], request["last_name"]) == ("Imogen", "Achterberg")
    assert ["900456" in p["number"] for p in request["phones"]] == [True]
