"""The web front end's safety, over HTTP against the running web process: the API token never
reaches the browser, sessions live on the server and are kept apart per audience, every form
needs its CSRF token, the Content-Security-Policy allows no inline script or style, and the
gateway's own paths answer on the web port."""

from __future__ import annotations

import hashlib
import re

import requests
from sqlalchemy import text

from tests.e2e.test_portal_invitations import record
from tests.web.test_pages import PASSWORD, portal_account
from tests.web.test_seed_workflow import agency

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def staff_session(web_url: str, admin) -> tuple[requests.Session, requests.Response]:
    browser = requests.Session()
    form = browser.get(f"{web_url}/staff/login")
    answer = browser.post(f"{web_url}/staff/login", data={
        "csrf_token": CSRF.search(form.text).group(1), "organization": admin.slug,
        "email": admin.login_email, "password": admin.login_password}, allow_redirects=False)
    assert answer.status_code == 302, answer.text
    return browser, answer


def test_the_session_is_an_opaque_httponly_cookie_and_the_token_stays_on_the_server(
        web_url, gateway_url, engine):
    admin = agency(gateway_url)
    made = record(gateway_url, admin)
    browser, login = staff_session(web_url, admin)
    cookie = login.headers["Set-Cookie"]
    assert cookie.startswith("casework_staff=")
    for flag in ("HttpOnly", "SameSite=Lax", "Path=/staff"):
        assert flag in cookie, cookie
    session_id = browser.cookies.get("casework_staff", path="/staff")
    page = browser.get(f"{web_url}/staff/records/{made['id']}")
    assert page.status_code == 200 and made["name"] in page.text
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, audience, data FROM web.sessions")).all()
    mine = [row for row in rows if row.id == hashlib.sha256(session_id.encode()).hexdigest()]
    assert len(mine) == 1 and mine[0].audience == "staff"
    token = mine[0].data["token"]
    assert all(row.id != session_id for row in rows)  # only its digest is kept
    assert token not in page.text and token not in login.headers.get("Set-Cookie", "")
    # the id seen before signing in is not the one after (no session fixation)
    assert login.headers["Set-Cookie"].split(";")[0] != ""
    # signing out ends it on the server
    form = CSRF.search(page.text).group(1)
    browser.post(f"{web_url}/staff/logout", data={"csrf_token": form})
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM web.sessions WHERE id = :id"),
                            {"id": mine[0].id}).scalar() == 0
    assert requests.get(f"{gateway_url}/api/v1/staff/me",
                        headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_form_without_its_csrf_token_is_refused(web_url, gateway_url):
    admin = agency(gateway_url)
    made = record(gateway_url, admin)
    browser, _ = staff_session(web_url, admin)
    refused = browser.post(f"{web_url}/staff/records/{made['id']}/invitation",
                           data={"confirm": "y"})
    assert refused.status_code == 400 and "Your form expired" in refused.text
    # a page elsewhere posting the login form (login CSRF) signs nobody in
    stranger = requests.post(f"{web_url}/staff/login", data={
        "organization": admin.slug, "email": admin.login_email,
        "password": admin.login_password}, allow_redirects=False)
    assert stranger.status_code == 400 and "Your form expired" in stranger.text
    assert requests.get(f"{web_url}/staff/", cookies=stranger.cookies,
                        allow_redirects=False).status_code == 302


def test_staff_and_portal_sessions_are_kept_apart(web_url, gateway_url):
    admin = agency(gateway_url)
    browser, _ = staff_session(web_url, admin)
    staff_id = browser.cookies.get("casework_staff", path="/staff")
    # the staff cookie is not sent to /portal; presented there anyway, it opens nothing
    forged = requests.get(f"{web_url}/portal/", cookies={"casework_portal": staff_id},
                          allow_redirects=False)
    assert forged.status_code == 302 and "/portal/login" in forged.headers["Location"]
    assert browser.get(f"{web_url}/portal/", allow_redirects=False).status_code == 302
    client = portal_account(gateway_url)
    portal = requests.Session()
    form = portal.get(f"{web_url}/portal/login")
    signed_in = portal.post(f"{web_url}/portal/login", data={
        "csrf_token": CSRF.search(form.text).group(1), "username": client["username"],
        "password": PASSWORD}, allow_redirects=False)
    assert signed_in.status_code == 302
    assert "Path=/portal" in signed_in.headers["Set-Cookie"]
    portal_id = portal.cookies.get("casework_portal", path="/portal")
    assert requests.get(f"{web_url}/staff/", cookies={"casework_staff": portal_id},
                        allow_redirects=False).status_code == 302


def test_pages_carry_a_content_security_policy_without_inline_script_or_style(web_url):
    for path in ("/staff/login", "/portal/login"):
        page = requests.get(web_url + path)
        policy = page.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert "<script>" not in page.text and "<style" not in page.text
        assert " style=" not in page.text and " onclick=" not in page.text


def test_the_api_and_operations_paths_answer_on_the_web_port(web_url, gateway_url):
    assert requests.get(f"{web_url}/health").json() == {"status": "ok"}
    assert requests.get(f"{web_url}/ready").status_code == 200
    document = requests.get(f"{web_url}/api/v1/openapi.json")
    assert document.status_code == 200 and document.json()["openapi"].startswith("3.")
    admin = agency(gateway_url)
    login = requests.post(f"{web_url}/api/v1/auth/staff/login", json={
        "organization": admin.slug, "email": admin.login_email,
        "password": admin.login_password})
    assert login.status_code == 200
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    made = requests.post(f"{web_url}/api/v1/staff/records", headers=headers,
                         json={"first_name": "Ada", "last_name": "Lovelace"})
    assert made.status_code == 201
    found = requests.get(f"{web_url}/api/v1/staff/records", params={"q": "lovlace"},
                         headers=headers)
    assert [r["id"] for r in found.json()["items"]] == [made.json()["id"]]
    problem = requests.post(f"{web_url}/api/v1/staff/records", headers=headers,
                            data=b"{not json", )
    assert problem.status_code in (400, 415) and problem.json()["code"]


def test_the_gateway_throttles_logins_per_browser_not_per_web_process(web_url, gateway_url):
    """The web process names the browser's address in X-Forwarded-For, and the gateway (which
    trusts it, as `casework run` sets up) counts failed logins per browser: a browser that
    failed too often waits, another one signs in."""
    from tests.fixtures import session_from

    admin = agency(gateway_url)
    noisy, quiet = session_from(), session_from()

    def sign_in(browser, email, password):
        form = browser.get(f"{web_url}/staff/login")
        return browser.post(f"{web_url}/staff/login", data={
            "csrf_token": CSRF.search(form.text).group(1), "organization": admin.slug,
            "email": email, "password": password}, allow_redirects=False)

    answers = [sign_in(noisy, f"nobody-{n}@example.org", "wrong password")
               for n in range(21)]
    assert "Too many failed attempts" in answers[-1].text
    still = sign_in(noisy, admin.login_email, admin.login_password)
    assert still.status_code == 400 and "Too many failed attempts" in still.text
    other = sign_in(quiet, admin.login_email, admin.login_password)
    assert other.status_code == 302 and other.headers["Location"].endswith("/staff/")
