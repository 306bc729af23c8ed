"""Invitations, enrollment, global identity and the portal end to end: HTTP through the gateway,
the real services on the broker and database, e-mail captured by the notifications stand-in
(tests/e2e/portal_platform.py). Rules: INV-1 to INV-6, ID-4 to ID-6, QUALITY S1, S3, F8, F9."""

from __future__ import annotations

import hashlib
import secrets
import threading
import uuid

import requests
from sqlalchemy import text

from casework.config import settings
from tests.e2e.portal_platform import FAIL, emails_to, token_of
from tests.e2e.test_records_support import publish
from tests.fixtures import Operator, add_staff_member, login_staff, session_from, wait_for

STAFF = "/api/v1/staff"
PASSWORD = "a long portal passphrase"


# --- helpers -----------------------------------------------------------------------------------

def agency(url: str, *, portal: bool = True, features=None) -> requests.Session:
    made = Operator(url).create_agency()
    admin = login_staff(url, made["slug"], made["admin_email"], made["admin_password"])
    admin.agency_name = f"Agency {made['slug']}"
    if portal:
        body = {"portal_enabled": True}
        if features is not None:
            body["portal_features"] = features
        assert admin.patch(f"{url}{STAFF}/settings", json=body).status_code == 200
    return admin


def record(url: str, staff: requests.Session, **fields) -> dict:
    body = {"first_name": "Cleo", "last_name": "Client",
            "email": f"cleo-{uuid.uuid4().hex[:10]}@example.org", **fields}
    answer = staff.post(f"{url}{STAFF}/records", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def invite(url: str, staff: requests.Session, record_id: str) -> requests.Response:
    return staff.post(f"{url}{STAFF}/records/{record_id}/invitation", json={"confirm": True})


def invited_token(url: str, staff, made: dict) -> str:
    answer = invite(url, staff, made["id"])
    assert answer.status_code == 201, answer.text
    return token_of(emails_to(made["email"])[-1])


def accept(url: str, token: str, password: str = PASSWORD) -> requests.Response:
    """From an address of its own: wrong passwords here never throttle another test's logins."""
    return session_from().post(f"{url}/api/v1/invitations/{token}/accept",
                               json={"password": password})


def client_session(accepted: requests.Response) -> requests.Session:
    assert accepted.status_code == 201, accepted.text
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {accepted.json()['access_token']}"
    session.account = accepted.json()
    return session


def linked(url: str, client: requests.Session, record_id: str) -> dict | None:
    """The portal record once records has taken the link (an event)."""
    answer = client.get(f"{url}/api/v1/portal/records/{record_id}")
    return answer.json() if answer.status_code == 200 else None


# --- INV-1: each missing condition, its own code -------------------------------------------------

def test_inv1_each_missing_condition_has_its_own_error(portal_url):
    url = portal_url
    admin = agency(url, portal=False)
    made = record(url, admin)
    answer = invite(url, admin, made["id"])
    assert (answer.status_code, answer.json()["code"]) == (409, "portal_not_enabled")

    assert admin.patch(f"{url}{STAFF}/settings", json={"portal_enabled": True}).status_code == 200
    plain = add_staff_member(url, admin, [])
    answer = invite(url, plain, made["id"])
    assert (answer.status_code, answer.json()["code"]) == (403, "permission_denied")

    no_email = record(url, admin, email=None)
    answer = invite(url, admin, no_email["id"])
    assert (answer.status_code, answer.json()["code"]) == (422, "no_primary_email")

    answer = admin.post(f"{url}{STAFF}/records/{made['id']}/invitation", json={})
    assert (answer.status_code, answer.json()["code"]) == (422, "confirmation_required")

    answer = invite(url, admin, str(uuid.uuid4()))
    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    assert emails_to(made["email"]) == []  # nothing was sent for a refused invitation

    inviter = add_staff_member(url, admin, ["client_account_invitations"])
    client_session(accept(url, invited_token(url, inviter, made)))
    wait_for(lambda: admin.get(f"{url}{STAFF}/records/{made['id']}").json()["has_client_account"])
    answer = invite(url, admin, made["id"])
    assert (answer.status_code, answer.json()["code"]) == (409, "already_has_account")


# --- INV-2, INV-4, S3: the link and accepting it -------------------------------------------------

def test_inv2_inv4_accepting_the_link_makes_the_account_and_links_the_record(portal_url, engine):
    url = portal_url
    admin = agency(url)
    made = record(url, admin, phones=[{"number": "+44 20 7946 0001", "type": "mobile"}])
    answer = invite(url, admin, made["id"])
    assert answer.status_code == 201, answer.text
    sent = answer.json()
    assert sent["email"] == made["email"] and sent["status"] == "sent" and sent["sends"] == 1

    [message] = emails_to(made["email"])
    assert message["template"] == "invitation"
    assert message["key"] == f"invitation:{sent['invitation_id']}:1"
    assert message["context"]["link"].startswith(f"{settings().portal_url}/invitations/")
    token = token_of(message)
    assert len(token) >= 22  # at least 128 random bits (S3)

    with engine.connect() as conn:  # S3: kept only as its hash
        stored = conn.execute(text("SELECT token_hash FROM invitations.invitations "
                                   "WHERE id = :id"), {"id": sent["invitation_id"]}).scalar()
        dumped = conn.execute(text("SELECT count(*) FROM invitations.invitations "
                                   "WHERE token_hash = :t OR email = :t"), {"t": token}).scalar()
    assert stored == hashlib.sha256(token.encode()).hexdigest() and dumped == 0

    # REC-1 / INV-2: the record shows that, when and to which address
    shown = wait_for(lambda: admin.get(f"{url}{STAFF}/records/{made['id']}").json()[
        "invitation"]["sent"] and admin.get(f"{url}{STAFF}/records/{made['id']}").json())
    assert shown["invitation"]["email"] == made["email"]

    view = requests.get(f"{url}/api/v1/invitations/{token}")
    assert view.status_code == 200, view.text
    assert view.json()["email"] == made["email"] and view.json()["existing_account"] is False
    assert view.json()["organization_name"] == admin.agency_name

    short = accept(url, token, "short")
    assert (short.status_code, short.json()["code"]) == (422, "validation_error")

    client = client_session(accept(url, token))
    assert client.account["username"] == made["email"] and client.account["created"] is True
    again = accept(url, token)
    assert (again.status_code, again.json()["code"]) == (404, "invitation_invalid")
    gone = requests.get(f"{url}/api/v1/invitations/{token}")
    assert (gone.status_code, gone.json()["code"]) == (404, "invitation_invalid")

    me = client.get(f"{url}/api/v1/portal/me").json()
    assert me["username"] == made["email"]
    assert me["global_record"]["phones"] == [{"number": "+44 20 7946 0001", "type": "mobile"}]
    assert [r["record_id"] for r in me["records"]] == [made["id"]]
    mine = wait_for(lambda: linked(url, client, made["id"]))
    assert mine and mine["portal_status"] == "active" and mine["case_number"]
    assert "notes" not in mine and "profile_editing" in mine["features"]


def test_inv2_expired_and_unknown_links_answer_invitation_invalid(portal_url, engine):
    url = portal_url
    admin = agency(url)
    made = record(url, admin)
    token = invited_token(url, admin, made)
    with engine.begin() as conn:
        conn.execute(text("UPDATE invitations.invitations SET expires_at = now() - interval "
                          "'1 second' WHERE record_id = :r"), {"r": made["id"]})
    for answer in (requests.get(f"{url}/api/v1/invitations/{token}"), accept(url, token),
                   requests.get(f"{url}/api/v1/invitations/{secrets.token_urlsafe(32)}")):
        assert (answer.status_code, answer.json()["code"]) == (404, "invitation_invalid")


def test_inv3_resend_goes_to_the_original_address_and_voids_every_earlier_link(portal_url):
    url = portal_url
    admin = agency(url)
    made = record(url, admin)
    first = invited_token(url, admin, made)
    new_address = f"changed-{uuid.uuid4().hex[:8]}@example.org"
    assert admin.patch(f"{url}{STAFF}/records/{made['id']}",
                       json={"email": new_address}).status_code == 200
    answer = admin.post(f"{url}{STAFF}/records/{made['id']}/invitation/resend")
    assert answer.status_code == 200, answer.text
    assert answer.json()["email"] == made["email"] and answer.json()["sends"] == 2
    second = admin.post(f"{url}{STAFF}/records/{made['id']}/invitation/resend")
    assert second.status_code == 200
    assert emails_to(new_address) == []
    messages = emails_to(made["email"])
    assert [m["key"].rsplit(":", 1)[1] for m in messages] == ["1", "2", "3"]
    tokens = [token_of(m) for m in messages]
    assert len(set(tokens)) == 3 and tokens[0] == first
    for old in tokens[:2]:
        assert accept(url, old).json()["code"] == "invitation_invalid"
    assert accept(url, tokens[2]).status_code == 201

    unknown = admin.post(f"{url}{STAFF}/records/{uuid.uuid4()}/invitation/resend")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")


def test_inv2_an_email_that_cannot_be_queued_keeps_no_invitation(portal_url, engine):
    url = portal_url
    admin = agency(url)
    made = record(url, admin)
    FAIL["send_email"] = True
    try:
        answer = invite(url, admin, made["id"])
    finally:
        FAIL["send_email"] = False
    assert (answer.status_code, answer.json()["code"]) == (503, "service_unavailable")
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT count(*) FROM invitations.invitations "
                                 "WHERE record_id = :r"), {"r": made["id"]}).scalar()
        events = conn.execute(text("SELECT count(*) FROM invitations.outbox WHERE "
                                   "payload->'data'->>'record_id' = :r"),
                              {"r": made["id"]}).scalar()
    assert kept == 0 and events == 0
    assert invite(url, admin, made["id"]).status_code == 201


def test_inv4_an_existing_account_proves_itself_and_is_never_doubled(portal_url, engine):
    url = portal_url
    email = f"one-{uuid.uuid4().hex[:8]}@example.org"
    first, second = agency(url), agency(url)
    a = record(url, first, email=email)
    b = record(url, second, email=email, first_name="Cleopatra")
    client = client_session(accept(url, invited_token(url, first, a)))

    token = invited_token(url, second, b)
    assert requests.get(f"{url}/api/v1/invitations/{token}").json()["existing_account"] is True
    wrong = accept(url, token, "not the password at all")
    assert (wrong.status_code, wrong.json()["code"]) == (401, "invalid_credentials")
    again = client_session(accept(url, token))  # the link survived the wrong password
    assert again.account["account_id"] == client.account["account_id"]
    assert again.account["created"] is False
    with engine.connect() as conn:
        accounts = conn.execute(text("SELECT count(*) FROM identity.portal_accounts "
                                     "WHERE username = :u"), {"u": email}).scalar()
    assert accounts == 1
    me = client.get(f"{url}/api/v1/portal/me").json()
    assert sorted(r["record_id"] for r in me["records"]) == sorted([a["id"], b["id"]])


# --- F8: one link, fifty concurrent accepts ------------------------------------------------------

def test_f8_fifty_concurrent_accepts_of_one_link_exactly_one_succeeds(portal_url, engine):
    url = portal_url
    admin = agency(url)
    made = record(url, admin)
    token = invited_token(url, admin, made)
    statuses: list[int] = []
    barrier = threading.Barrier(50)

    def attempt():
        barrier.wait()
        statuses.append(accept(url, token).status_code)

    threads = [threading.Thread(target=attempt) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"F8: 50 concurrent accepts -> {sorted(statuses)}")
    assert statuses.count(201) == 1, sorted(statuses)
    assert statuses.count(404) == 49, sorted(statuses)
    with engine.connect() as conn:
        accounts = conn.execute(text("SELECT count(*) FROM identity.portal_accounts "
                                     "WHERE username = :u"), {"u": made["email"]}).scalar()
        accepted = conn.execute(text("SELECT count(*) FROM invitations.outbox WHERE routing_key"
                                     " = 'invitation_accepted' AND payload->'data'->>'record_id'"
                                     " = :r"), {"r": made["id"]}).scalar()
    assert accounts == 1 and accepted == 1


# --- INV-5, INV-6: the global link and enrollment ------------------------------------------------

def join(url: str, slug: str, email: str, **fields) -> requests.Response:
    body = {"first_name": "Jo", "last_name": "Joiner", "email": email, "password": PASSWORD,
            "phones": [{"number": "07700 900123", "type": "mobile"}], **fields}
    return session_from().post(f"{url}/api/v1/join/{slug}", json=body)


def test_inv5_inv6_join_through_the_link_and_staff_accept_onto_the_duplicate(portal_url):
    url = portal_url
    admin = agency(url)
    existing = record(url, admin, first_name="Jo", last_name="Joiner",
                      phones=[{"number": "07700 900123", "type": "mobile"}])
    record(url, admin, first_name="Someone", last_name="Else")
    link = admin.post(f"{url}{STAFF}/invitation-links", json={})
    assert link.status_code == 201, link.text
    link = link.json()
    assert link["active"] and link["url"] == f"{settings().portal_url}/join/{link['slug']}"
    assert len(link["slug"]) == 32
    assert requests.get(f"{url}/api/v1/join/{link['slug']}").json() == {
        "organization_name": admin.agency_name}

    joined = join(url, link["slug"], existing["email"])
    assert joined.status_code == 202, joined.text
    assert joined.json()["status"] == "pending"
    repeated = join(url, link["slug"], existing["email"])  # the same person again: not doubled
    assert repeated.status_code == 202
    assert repeated.json()["request_id"] == joined.json()["request_id"]

    page = admin.get(f"{url}{STAFF}/enrollment-requests")
    assert page.status_code == 200, page.text
    [pending] = page.json()["items"]
    assert pending["id"] == joined.json()["request_id"]
    [duplicate] = pending["possible_duplicates"]  # INV-6: flagged, never silently doubled
    assert duplicate["record_id"] == existing["id"] and duplicate["grade"] == "certain"
    assert {"same_email", "same_phone", "same_name"} <= set(duplicate["reasons"])

    accepted = admin.post(f"{url}{STAFF}/enrollment-requests/{pending['id']}/accept",
                          json={"record_id": existing["id"]})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["record_id"] == existing["id"]
    twice = admin.post(f"{url}{STAFF}/enrollment-requests/{pending['id']}/accept", json={})
    assert (twice.status_code, twice.json()["code"]) == (409, "conflict")
    assert admin.get(f"{url}{STAFF}/enrollment-requests").json()["items"] == []

    client = requests.Session()
    login = client.post(f"{url}/api/v1/auth/portal/login",
                        json={"username": existing["email"], "password": PASSWORD})
    assert login.status_code == 200
    client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    assert wait_for(lambda: linked(url, client, existing["id"]))

    assert admin.delete(f"{url}{STAFF}/invitation-links/{link['id']}").status_code == 204
    dead = requests.get(f"{url}/api/v1/join/{link['slug']}")
    assert (dead.status_code, dead.json()["code"]) == (404, "invitation_invalid")
    assert join(url, link["slug"], "late@example.org").status_code == 404
    fresh = admin.post(f"{url}{STAFF}/invitation-links", json={}).json()
    assert fresh["slug"] != link["slug"]
    assert requests.get(f"{url}/api/v1/join/{link['slug']}").status_code == 404  # stays dead
    listed = admin.get(f"{url}{STAFF}/invitation-links").json()["items"]
    assert [(i["id"], i["active"]) for i in listed] == [(fresh["id"], True), (link["id"], False)]


def test_inv5_accept_creating_a_record_or_reject(portal_url):
    url = portal_url
    admin = agency(url)
    slug = admin.post(f"{url}{STAFF}/invitation-links", json={}).json()["slug"]
    assert join(url, slug, f"new-{uuid.uuid4().hex[:8]}@example.org").status_code == 202
    assert join(url, slug, f"other-{uuid.uuid4().hex[:8]}@example.org",
                first_name="Rex").status_code == 202
    first, second = admin.get(f"{url}{STAFF}/enrollment-requests").json()["items"]
    assert first["possible_duplicates"] == []
    made = admin.post(f"{url}{STAFF}/enrollment-requests/{first['id']}/accept", json={})
    assert made.status_code == 200, made.text
    view = admin.get(f"{url}{STAFF}/records/{made.json()['record_id']}").json()
    assert (view["first_name"], view["email"]) == ("Jo", first["email"])
    rejected = admin.post(f"{url}{STAFF}/enrollment-requests/{second['id']}/reject")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    listed = admin.get(f"{url}{STAFF}/enrollment-requests?status=rejected").json()["items"]
    assert [i["id"] for i in listed] == [second["id"]]

    wrong = join(url, slug, first["email"], password="not the account password")
    assert (wrong.status_code, wrong.json()["code"]) == (401, "invalid_credentials")
    plain = add_staff_member(url, admin, [])
    assert plain.get(f"{url}{STAFF}/enrollment-requests").status_code == 403
    assert plain.post(f"{url}{STAFF}/invitation-links", json={}).status_code == 403


# --- ID-4, ID-5, ID-6: the global record and the portal ------------------------------------------

def test_id4_id5_two_invitations_and_a_join_one_account_and_a_phone_change_reaches_all_three(
        portal_url, engine):
    url = portal_url
    email = f"three-{uuid.uuid4().hex[:8]}@example.org"
    a, b, c = agency(url), agency(url), agency(url)
    ra, rb = record(url, a, email=email), record(url, b, email=email)
    client = client_session(accept(url, invited_token(url, a, ra)))
    client_session(accept(url, invited_token(url, b, rb)))
    slug = c.post(f"{url}{STAFF}/invitation-links", json={}).json()["slug"]
    assert join(url, slug, email, first_name="Cleo", last_name="Client").status_code == 202
    [request] = c.get(f"{url}{STAFF}/enrollment-requests").json()["items"]
    rc = c.post(f"{url}{STAFF}/enrollment-requests/{request['id']}/accept", json={}).json()
    with engine.connect() as conn:
        accounts = conn.execute(text("SELECT count(*) FROM identity.portal_accounts WHERE "
                                     "username = :u"), {"u": email}).scalar()
        globals_ = conn.execute(text("SELECT count(*) FROM identity.global_records WHERE "
                                     "email = :u"), {"u": email}).scalar()
    assert (accounts, globals_) == (1, 1)
    ids = {ra["id"]: a, rb["id"]: b, rc["record_id"]: c}
    assert wait_for(lambda: all(linked(url, client, i) for i in ids))
    me = client.get(f"{url}/api/v1/portal/me").json()
    assert sorted(r["record_id"] for r in me["records"]) == sorted(ids)
    assert all(r["portal_status"] == "active" for r in me["records"])

    new_email = f"moved-{uuid.uuid4().hex[:8]}@example.org"
    phones = [{"number": "+44 7700 900999", "type": "mobile"}]
    changed = client.patch(f"{url}/api/v1/portal/me", json={"phones": phones,
                                                             "email": new_email})
    assert changed.status_code == 200, changed.text
    assert changed.json()["username"] == email  # ID-5: the username never changes
    assert changed.json()["global_record"]["email"] == new_email

    def everywhere():
        views = [staff.get(f"{url}{STAFF}/records/{i}").json() for i, staff in ids.items()]
        return all(v["phones"] == phones and v["email"] == new_email for v in views)

    assert wait_for(everywhere), "the change did not reach every linked agency record"
    found = a.get(f"{url}{STAFF}/records", params={"q": "900999"}).json()["items"]
    assert [r["id"] for r in found] == [ra["id"]]  # search columns follow the change
    audit = a.get(f"{url}{STAFF}/records/{ra['id']}/audit").json()["items"]
    assert any(entry["action"] == "global_record_updated" for entry in audit)
    login = requests.post(f"{url}/api/v1/auth/portal/login",
                          json={"username": email, "password": PASSWORD})
    assert login.status_code == 200


def test_id6_s1_portal_records_are_the_clients_own_and_banned_means_403(portal_url):
    url = portal_url
    admin = agency(url, features=["availability"])
    mine, theirs = record(url, admin), record(url, admin)
    client = client_session(accept(url, invited_token(url, admin, mine)))
    other = client_session(accept(url, invited_token(url, admin, theirs)))
    assert wait_for(lambda: linked(url, client, mine["id"]))
    assert wait_for(lambda: linked(url, other, theirs["id"]))

    notes = admin.put(f"{url}{STAFF}/records/{mine['id']}/notes",
                      json={"body": "staff only: never shown"})
    assert notes.status_code == 200, notes.text
    shown = client.get(f"{url}/api/v1/portal/records/{mine['id']}")
    assert shown.status_code == 200 and "staff only" not in shown.text
    assert shown.json()["features"] == ["availability"]

    foreign = client.get(f"{url}/api/v1/portal/records/{theirs['id']}")
    unknown = client.get(f"{url}/api/v1/portal/records/{uuid.uuid4()}")
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json()["code"] == unknown.json()["code"] == "not_found"
    assert foreign.json()["detail"] == unknown.json()["detail"]
    assert client.patch(f"{url}/api/v1/portal/records/{theirs['id']}",
                        json={"first_name": "X"}).status_code == 404

    refused = client.patch(f"{url}/api/v1/portal/records/{mine['id']}",
                           json={"first_name": "Cleopatra"})
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert admin.patch(f"{url}{STAFF}/settings", json={
        "portal_features": ["profile_editing"]}).status_code == 200
    edited = client.patch(f"{url}/api/v1/portal/records/{mine['id']}",
                          json={"first_name": "Cleopatra"})
    assert edited.status_code == 200, edited.text
    assert admin.get(f"{url}{STAFF}/records/{mine['id']}").json()["first_name"] == "Cleopatra"

    assert admin.put(f"{url}{STAFF}/records/{mine['id']}/portal-status",
                     json={"portal_status": "banned"}).status_code == 200
    banned = client.get(f"{url}/api/v1/portal/records/{mine['id']}")
    assert (banned.status_code, banned.json()["code"]) == (403, "permission_denied")
    statuses = {r["record_id"]: r["portal_status"]
                for r in client.get(f"{url}/api/v1/portal/me").json()["records"]}
    assert statuses == {mine["id"]: "banned"}
    assert other.get(f"{url}/api/v1/portal/records/{theirs['id']}").status_code == 200
    assert admin.get(f"{url}/api/v1/portal/me").status_code == 401  # staff token


# --- F9: concurrent updates, duplicate and out-of-order deliveries ------------------------------

def test_f9_concurrent_updates_with_duplicate_and_reordered_deliveries_end_at_the_latest(
        portal_url, engine, rabbit_uri):
    url = portal_url
    email = f"f9-{uuid.uuid4().hex[:8]}@example.org"
    agencies = [agency(url) for _ in range(2)]
    made = [record(url, staff, email=email) for staff in agencies]
    client = client_session(accept(url, invited_token(url, agencies[0], made[0])))
    client_session(accept(url, invited_token(url, agencies[1], made[1])))
    assert wait_for(lambda: all(linked(url, client, r["id"]) for r in made))

    def update(n):
        body = {"phones": [{"number": f"0770090{n:04d}", "type": "mobile"}]} if n % 2 else \
               {"first_name": f"Name{n}"}
        answer = client.patch(f"{url}/api/v1/portal/me", json=body)
        assert answer.status_code == 200, answer.text

    threads = [threading.Thread(target=update, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = client.get(f"{url}/api/v1/portal/me").json()["global_record"]
    assert final["version"] == 21

    # every event again, newest first, once as the same event (a redelivery) and once as a
    # new one (a replay): neither may move a copy back to an older value
    with engine.connect() as conn:
        events = [row[0] for row in conn.execute(text(
            "SELECT payload FROM identity.outbox WHERE routing_key = 'global_record_updated' "
            "AND payload->'data'->>'global_record_id' = :g ORDER BY id DESC"),
            {"g": final["id"]})]
    assert len(events) == 20
    for event in events:
        for event_id in (event["event_id"], str(uuid.uuid4())):
            publish(rabbit_uri, "identity", "global_record_updated", event["data"], None,
                    event_id=event_id, occurred_at=event["occurred_at"])

    def settled():
        views = [staff.get(f"{url}{STAFF}/records/{r['id']}").json()
                 for staff, r in zip(agencies, made, strict=True)]
        return all(v["first_name"] == final["first_name"] and v["phones"] == final["phones"]
                   for v in views)

    assert wait_for(settled, timeout=20), "a copy is not at the latest version"
    with engine.connect() as conn:
        dead = conn.execute(text("SELECT count(*) FROM records.dead_letters WHERE "
                                 "routing_key = 'global_record_updated'")).scalar()
    assert dead == 0
    print(f"F9: 20 concurrent updates + 40 replayed deliveries; copies at version "
          f"{final['version']}")


def test_s2_proving_an_existing_account_through_the_join_link_is_throttled(portal_url):
    url = portal_url
    admin = agency(url)
    made = record(url, admin)
    client_session(accept(url, invited_token(url, admin, made)))
    slug = admin.post(f"{url}{STAFF}/invitation-links", json={}).json()["slug"]
    answers = [join(url, slug, made["email"], password=f"guess number {n}").status_code
               for n in range(settings().login_max_failures_per_account + 1)]
    assert answers[:-1] == [401] * settings().login_max_failures_per_account
    assert answers[-1] == 429
    assert admin.get(f"{url}{STAFF}/enrollment-requests").json()["items"] == []


def test_inv6_staff_ask_for_duplicates_before_creating_a_record(portal_url):
    url = portal_url
    admin = agency(url)
    margaret = record(url, admin, first_name="Margaret", last_name="Thompson",
                      date_of_birth="1961-04-02",
                      phones=[{"number": "+44 7700 900555", "type": "mobile"}])
    record(url, admin, first_name="Peter", last_name="Thompson")
    other = agency(url)
    record(url, other, first_name="Margaret", last_name="Thompson")  # another agency's: unseen

    def duplicates(**query):
        answer = admin.get(f"{url}{STAFF}/records/duplicates", params=query)
        assert answer.status_code == 200, answer.text
        return answer.json()["items"]

    [found] = duplicates(first_name="Margret", last_name="Thomson", date_of_birth="1961-04-02")
    assert found["record_id"] == margaret["id"] and found["grade"] == "probable"
    assert "similar_name" in found["reasons"] and "same_date_of_birth" in found["reasons"]
    [by_phone] = duplicates(phone="07700 900555")
    assert by_phone["record_id"] == margaret["id"] and by_phone["reasons"] == ["same_phone"]
    [by_email] = duplicates(email=margaret["email"].upper())
    assert by_email["reasons"] == ["same_email"]
    assert duplicates(first_name="Zebedee", last_name="Quux") == []
    assert duplicates() == []
