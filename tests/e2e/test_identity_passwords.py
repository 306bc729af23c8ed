"""Changing a password and resetting a forgotten one by the e-mailed link, for clients and
staff: HTTP through the gateway, the real identity, invitations and notifications services on
the broker and database, and a real SMTP server (``mail_server``) whose e-mail the test follows.
"""

from __future__ import annotations

import re
import time
import uuid

import requests
from sqlalchemy import text

from casework.config import settings
from services.identity.domain import RESET_ANSWER_SECONDS
from tests.e2e.test_portal_invitations import PASSWORD, STAFF, accept, agency, record
from tests.fixtures import Operator, login_staff, session_from, wait_for

AUTH = "/api/v1/auth"
RESET_LINK = re.compile(r"\S+/password-reset/[A-Za-z0-9_-]+")
NEW_PASSWORD = "a brand new long passphrase"


# --- helpers -----------------------------------------------------------------------------------

def bearer(token: str, session: requests.Session | None = None) -> requests.Session:
    session = session or session_from()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def staff_user(url: str) -> dict:
    """A new agency's administrator: slug, email, password and a live token."""
    made = Operator(url).create_agency()
    session = login_staff(url, made["slug"], made["admin_email"], made["admin_password"],
                          session=session_from())
    return {"slug": made["slug"], "email": made["admin_email"],
            "password": made["admin_password"], "token": session.token}


def staff_login(url: str, user: dict, password: str) -> requests.Response:
    return session_from().post(f"{url}{AUTH}/staff/login", json={
        "organization": user["slug"], "email": user["email"], "password": password})


def portal_login(url: str, username: str, password: str) -> requests.Response:
    return session_from().post(f"{url}{AUTH}/portal/login",
                               json={"username": username, "password": password})


def client_user(url: str, mail_server) -> dict:
    """A client with a portal account, made by following the invitation e-mail."""
    admin = agency(url)
    made = record(url, admin)
    answer = admin.post(f"{url}{STAFF}/records/{made['id']}/invitation", json={"confirm": True})
    assert answer.status_code == 201, answer.text
    [mail] = wait_for(lambda: mails_to(mail_server, made["email"]), timeout=20)
    token = re.search(r"/invitations/([A-Za-z0-9_-]+)", mail.text).group(1)
    accepted = accept(url, token)
    assert accepted.status_code == 201, accepted.text
    return {"email": made["email"], "password": PASSWORD,
            "token": accepted.json()["access_token"]}


def mails_to(mail_server, address: str) -> list:
    return [m for m in mail_server.received if address in m.rcpt_tos]


def reset_links(mail_server, address: str) -> list[str]:
    return [RESET_LINK.search(m.text).group(0) for m in mails_to(mail_server, address)
            if "/password-reset/" in m.text]


def ask_reset(url: str, email: str, organization: str | None = None) -> requests.Response:
    body = {"email": email} if organization is None else {"email": email,
                                                          "organization": organization}
    return session_from().post(f"{url}{AUTH}/password-reset", json=body)


def reset(url: str, link: str, password: str = NEW_PASSWORD) -> requests.Response:
    token = link.rsplit("/", 1)[1]
    return session_from().post(f"{url}{AUTH}/password-reset/{token}",
                               json={"password": password})


def refused(url: str, token: str) -> bool:
    """The token no longer works (the gateway trusts a checked token for a short while)."""
    return bearer(token).post(f"{url}{AUTH}/logout").status_code == 401


def revoked(url: str, token: str) -> bool:
    return wait_for(lambda: refused(url, token), timeout=settings().token_cache_seconds + 3)


# --- changing a password -------------------------------------------------------------------------

def test_staff_change_their_password_and_every_token_stops_working(gateway_url):
    url = gateway_url
    user = staff_user(url)
    other = staff_login(url, user, user["password"]).json()["access_token"]
    me = bearer(user["token"])
    assert me.get(f"{url}{STAFF}/me").status_code == 200

    wrong = me.post(f"{url}{AUTH}/password", json={"current_password": "not my password",
                                                    "new_password": NEW_PASSWORD})
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_credentials"
    short = me.post(f"{url}{AUTH}/password", json={"current_password": user["password"],
                                                    "new_password": "short"})
    assert short.status_code == 422 and short.json()["code"] == "validation_error"
    assert "new_password" in short.json()["errors"]
    assert me.get(f"{url}{STAFF}/me").status_code == 200  # nothing changed so far

    changed = me.post(f"{url}{AUTH}/password", json={"current_password": user["password"],
                                                      "new_password": NEW_PASSWORD})
    assert changed.status_code == 204, changed.text
    assert me.get(f"{url}{STAFF}/me").status_code == 401  # this token: at once
    assert revoked(url, other)  # every other token of the account
    assert staff_login(url, user, user["password"]).status_code == 401
    again = staff_login(url, user, NEW_PASSWORD)
    assert again.status_code == 200, again.text
    assert bearer(again.json()["access_token"]).get(f"{url}{STAFF}/me").status_code == 200


def test_a_client_changes_their_password(gateway_url, mail_server):
    url = gateway_url
    client = client_user(url, mail_server)
    me = bearer(client["token"])
    assert me.get(f"{url}/api/v1/portal/me").status_code == 200
    wrong = me.post(f"{url}{AUTH}/password", json={"current_password": "not my password",
                                                    "new_password": NEW_PASSWORD})
    assert wrong.status_code == 401 and wrong.json()["code"] == "invalid_credentials"
    changed = me.post(f"{url}{AUTH}/password", json={"current_password": client["password"],
                                                      "new_password": NEW_PASSWORD})
    assert changed.status_code == 204, changed.text
    assert me.get(f"{url}/api/v1/portal/me").status_code == 401
    assert portal_login(url, client["email"], client["password"]).status_code == 401
    assert portal_login(url, client["email"], NEW_PASSWORD).status_code == 200


def test_wrong_current_passwords_are_throttled_like_logins(gateway_url):
    url = gateway_url
    user = staff_user(url)
    me = bearer(user["token"])
    limit = settings().login_max_failures_per_account
    statuses = [me.post(f"{url}{AUTH}/password", json={
        "current_password": f"wrong {i}", "new_password": NEW_PASSWORD}).status_code
        for i in range(limit + 1)]
    assert statuses == [401] * limit + [429]
    # the account is locked for logins too, even with the right password
    locked = staff_login(url, user, user["password"])
    assert locked.status_code == 429 and locked.json()["code"] == "rate_limited"


def test_a_password_change_needs_a_token(gateway_url):
    answer = session_from().post(f"{gateway_url}{AUTH}/password", json={
        "current_password": "anything at all", "new_password": NEW_PASSWORD})
    assert answer.status_code == 401 and answer.json()["code"] == "unauthenticated"
    answer = bearer("not-a-token").post(f"{gateway_url}{AUTH}/password", json={
        "current_password": "anything at all", "new_password": NEW_PASSWORD})
    assert answer.status_code == 401 and answer.json()["code"] == "unauthenticated"


# --- resetting a forgotten password -------------------------------------------------------------

def test_a_client_resets_a_forgotten_password_by_the_emailed_link(gateway_url, mail_server):
    url = gateway_url
    client = client_user(url, mail_server)
    second = portal_login(url, client["email"], client["password"]).json()["access_token"]

    asked = ask_reset(url, client["email"].upper())  # the username as typed
    assert asked.status_code == 202 and asked.content == b""
    [link] = wait_for(lambda: reset_links(mail_server, client["email"]), timeout=20)
    [mail] = [m for m in mails_to(mail_server, client["email"]) if link in m.text]
    assert link.startswith(f"{settings().portal_url}/password-reset/")
    assert link in mail.html
    assert client["password"] not in mail.text
    assert len(link.rsplit("/", 1)[1]) >= 22  # >= 128 random bits, base64url

    short = reset(url, link, "short")
    assert short.status_code == 422 and "password" in short.json()["errors"]
    done = reset(url, link)
    assert done.status_code == 204, done.text
    assert revoked(url, client["token"]) and revoked(url, second)  # every token of the account
    assert portal_login(url, client["email"], client["password"]).status_code == 401
    assert portal_login(url, client["email"], NEW_PASSWORD).status_code == 200

    used = reset(url, link, "yet another long passphrase")
    assert used.status_code == 404 and used.json()["code"] == "reset_invalid"
    assert portal_login(url, client["email"], NEW_PASSWORD).status_code == 200


def test_staff_reset_a_forgotten_password_by_the_emailed_link(gateway_url, mail_server):
    url = gateway_url
    user = staff_user(url)
    asked = ask_reset(url, user["email"], user["slug"])
    assert asked.status_code == 202
    [link] = wait_for(lambda: reset_links(mail_server, user["email"]), timeout=20)
    assert link.startswith(f"{settings().portal_url}/password-reset/")
    done = reset(url, link)
    assert done.status_code == 204, done.text
    assert revoked(url, user["token"])
    assert staff_login(url, user, user["password"]).status_code == 401
    assert staff_login(url, user, NEW_PASSWORD).status_code == 200
    again = reset(url, link)
    assert again.status_code == 404 and again.json()["code"] == "reset_invalid"


def test_an_unknown_account_gets_the_same_answer_and_no_email(gateway_url, mail_server):
    url = gateway_url
    user = staff_user(url)
    nobody = f"nobody-{uuid.uuid4().hex[:10]}@example.org"
    answers = []
    for email, organization in ((nobody, None), (nobody, user["slug"]),
                                (user["email"], "no-such-agency"), (user["email"], None),
                                (user["email"], user["slug"])):
        started = time.monotonic()
        answer = ask_reset(url, email, organization)
        answers.append((answer.status_code, answer.content, answer.headers.get("Content-Type")))
        assert time.monotonic() - started >= RESET_ANSWER_SECONDS
    assert len(set(answers)) == 1 and answers[0][0] == 202
    # only the last one names an account: one e-mail, to the staff user
    assert wait_for(lambda: reset_links(mail_server, user["email"]), timeout=20)
    time.sleep(1.0)  # what else would have been sent by now
    assert len(reset_links(mail_server, user["email"])) == 1
    assert mails_to(mail_server, nobody) == []


def test_a_new_request_voids_the_earlier_link(gateway_url, mail_server):
    url = gateway_url
    user = staff_user(url)
    assert ask_reset(url, user["email"], user["slug"]).status_code == 202
    [first] = wait_for(lambda: reset_links(mail_server, user["email"]), timeout=20)
    assert ask_reset(url, user["email"], user["slug"]).status_code == 202
    links = wait_for(lambda: (lambda found: found if len(found) == 2 else None)(
        reset_links(mail_server, user["email"])), timeout=20)
    [second] = [link for link in links if link != first]
    superseded = reset(url, first)
    assert superseded.status_code == 404 and superseded.json()["code"] == "reset_invalid"
    assert reset(url, second).status_code == 204
    assert staff_login(url, user, NEW_PASSWORD).status_code == 200


def test_an_account_gets_a_few_reset_emails_an_hour_and_every_request_the_same_answer(
        gateway_url, mail_server):
    """Nobody can fill a person's mailbox with reset links: beyond
    ``CASEWORK_RESET_EMAILS_PER_HOUR`` (3) an hour, a request answers the same 202 and sends
    nothing; the last link sent still works."""
    url = gateway_url
    user = staff_user(url)
    cap = settings().reset_emails_per_hour
    answers = [ask_reset(url, user["email"], user["slug"]) for _ in range(cap + 3)]
    assert {(a.status_code, a.content) for a in answers} == {(202, answers[0].content)}
    links = wait_for(lambda: (lambda found: found if len(found) == cap else None)(
        reset_links(mail_server, user["email"])), timeout=20)
    assert links, reset_links(mail_server, user["email"])
    time.sleep(1.0)  # what else would have been sent by now
    assert len(reset_links(mail_server, user["email"])) == cap
    # another account is not held back by this one's cap
    other = staff_user(url)
    assert ask_reset(url, other["email"], other["slug"]).status_code == 202
    assert wait_for(lambda: reset_links(mail_server, other["email"]), timeout=20)
    # the last link made voided the earlier ones: exactly one of those sent works
    assert sorted(reset(url, link).status_code for link in links) == [204] + [404] * (cap - 1)
    assert staff_login(url, user, NEW_PASSWORD).status_code == 200


def test_an_expired_or_made_up_link_is_refused(gateway_url, mail_server, engine):
    url = gateway_url
    user = staff_user(url)
    assert ask_reset(url, user["email"], user["slug"]).status_code == 202
    [link] = wait_for(lambda: reset_links(mail_server, user["email"]), timeout=20)
    with engine.begin() as conn:
        expired = conn.execute(text(
            "UPDATE identity.password_resets SET expires_at = now() - interval '1 second' "
            "WHERE user_id = (SELECT u.id FROM identity.staff_users u JOIN "
            "identity.organizations o ON o.id = u.organization_id "
            "WHERE o.slug = :slug AND u.email = :email)"),
            {"slug": user["slug"], "email": user["email"]}).rowcount
    assert expired == 1
    answer = reset(url, link)
    assert answer.status_code == 404 and answer.json()["code"] == "reset_invalid"
    made_up = reset(url, f"{settings().portal_url}/password-reset/{'A' * 43}")
    assert made_up.status_code == 404 and made_up.json()["code"] == "reset_invalid"
    assert staff_login(url, user, user["password"]).status_code == 200
    # the token itself is never stored, only its SHA-256
    token = link.rsplit("/", 1)[1]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM identity.password_resets "
                                 "WHERE token_hash = :t"), {"t": token}).scalar() == 0
