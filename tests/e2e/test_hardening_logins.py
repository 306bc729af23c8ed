"""Issue 19, "Logins that cannot be turned against their users" (QUALITY S2, ID-3), through the
gateway, the bus, the identity service and PostgreSQL. Client addresses are real: each
``session_from`` connects from its own loopback address (127.x.y.z), which the gateway passes to
identity as the address (no X-Forwarded-For: no proxy is trusted in the tests)."""

import uuid

from sqlalchemy import text

from casework.config import settings
from services.identity.domain import LoginKeys
from tests.fixtures import session_from

LOGIN = "/api/v1/auth/staff/login"


def login(session, url, slug, email, password):
    return session.post(f"{url}{LOGIN}", json={"organization": slug, "email": email,
                                                "password": password})


def test_an_attacker_from_one_address_cannot_keep_the_owner_out_of_a_known_address(
        gateway_url, operator):
    agency = operator.create_agency()
    slug, email, password = agency["slug"], agency["admin_email"], agency["admin_password"]
    owner, attacker, elsewhere = session_from(), session_from(), session_from()
    assert login(owner, gateway_url, slug, email, password).status_code == 200  # B is known
    limit = settings().login_max_failures_per_account
    answers = [login(attacker, gateway_url, slug, email, "guess" * 3).status_code
               for _ in range(limit + 3)]
    assert answers == [401] * limit + [429] * 3
    # the owner, from the address they logged in from before, is never refused
    assert login(owner, gateway_url, slug, email, password).status_code == 200
    # ... nor counted with the attacker: their own typo is a plain 401
    assert login(owner, gateway_url, slug, email, "a typo of mine").status_code == 401
    assert login(owner, gateway_url, slug, email, password).status_code == 200
    # from an address the account never logged in from, the account-wide soft limit slows
    # everyone down (a botnet spreading guesses over addresses), with Retry-After
    soft = login(elsewhere, gateway_url, slug, email, password)
    assert soft.status_code == 429
    assert soft.json()["code"] == "rate_limited"
    # (the owner's typo was a sixth failure of the account: its lock doubled)
    assert 1 <= int(soft.headers["Retry-After"]) <= 2 * settings().login_lockout_seconds
    # the attacker is still slowed after the owner's logins
    assert login(attacker, gateway_url, slug, email, password).status_code == 429


def test_the_attacker_is_slowed_with_growing_delays_and_retry_after(
        gateway_url, operator, engine):
    agency = operator.create_agency()
    slug, email = agency["slug"], agency["admin_email"]
    attacker = session_from()
    limit, base = settings().login_max_failures_per_account, settings().login_lockout_seconds
    for _ in range(limit):
        assert login(attacker, gateway_url, slug, email, "guess" * 3).status_code == 401
    first = login(attacker, gateway_url, slug, email, "guess" * 3)
    assert first.status_code == 429
    assert first.json()["code"] == "rate_limited"
    assert first.headers["Content-Type"] == "application/problem+json"
    assert base - 5 <= int(first.headers["Retry-After"]) <= base
    # the lock ends (moved into the past here rather than waited for) ...
    keys = LoginKeys(f"staff:{slug}:{email}", attacker.address)
    with engine.begin() as conn:
        ended = conn.execute(text(
            "UPDATE identity.login_failures SET locked_until = now() - interval '1 s'"
            " WHERE (scope, key) IN (('pair', :pair), ('account', :account))"),
            {"pair": keys.pair, "account": keys.account}).rowcount
    assert ended == 2
    # ... and the next wrong guess waits twice as long, never more than 15 minutes
    assert login(attacker, gateway_url, slug, email, "guess" * 3).status_code == 401
    second = login(attacker, gateway_url, slug, email, "guess" * 3)
    assert second.status_code == 429
    assert 2 * base - 5 <= int(second.headers["Retry-After"]) <= min(2 * base, 15 * 60)


def test_a_shared_office_address_is_not_locked_out_by_its_staffs_typos(gateway_url, staff):
    admin = staff()
    role = admin.post(f"{gateway_url}/api/v1/staff/roles",
                      json={"name": "Office", "permissions": []}).json()["id"]
    office = session_from()
    per_address = settings().login_max_failures_per_address
    people = per_address // 2 + 3  # together they mistype more often than the address limit
    for n in range(people):
        email, password = f"office-{n}-{uuid.uuid4().hex[:6]}@example.org", f"password {n:08}"
        made = admin.post(f"{gateway_url}/api/v1/staff/users", json={
            "email": email, "first_name": "O", "last_name": f"Staff {n}", "role_id": role,
            "password": password})
        assert made.status_code == 201, made.text
        for typo in ("pasword typo 1", "password typo 2"):
            assert login(office, gateway_url, admin.slug, email, typo).status_code == 401
        assert login(office, gateway_url, admin.slug, email, password).status_code == 200, n
    assert 2 * people > per_address


def test_a_success_resets_its_own_address_count_and_not_anyone_elses(
        gateway_url, operator, engine):
    agency = operator.create_agency()
    slug, admin, password = agency["slug"], agency["admin_email"], agency["admin_password"]
    office, other_place = session_from(), session_from()
    limit = settings().login_max_failures_per_account
    for _ in range(limit - 2):
        assert login(office, gateway_url, slug, admin, "typo typo typo").status_code == 401
    for _ in range(limit - 1):
        assert login(office, gateway_url, slug, "ghost@example.org", "typo typo").status_code \
            == 401
    assert login(other_place, gateway_url, slug, admin, "typo typo typo").status_code == 401

    def counts():
        with engine.connect() as conn:
            return dict(conn.execute(text(
                "SELECT scope || ':' || key, failures FROM identity.login_failures"
                " WHERE key IN (:office, :account, :ghost)"),
                {"office": office.address, "account": f"staff:{slug}:{admin}",
                 "ghost": f"staff:{slug}:ghost@example.org"}).all())

    assert counts() == {f"address:{office.address}": 2 * limit - 3,
                        f"account:staff:{slug}:{admin}": limit - 1,
                        f"account:staff:{slug}:ghost@example.org": limit - 1}
    assert login(office, gateway_url, slug, admin, password).status_code == 200
    # the office's failures for this account are gone; the ghost's and the other place's stay
    assert counts() == {f"address:{office.address}": limit - 1,
                        f"account:staff:{slug}:{admin}": 1,
                        f"account:staff:{slug}:ghost@example.org": limit - 1}
    assert login(office, gateway_url, slug, "ghost@example.org", "typo typo").status_code == 401
    assert login(office, gateway_url, slug, "ghost@example.org", "typo typo").status_code == 429
    assert login(office, gateway_url, slug, admin, password).status_code == 200


def test_known_addresses_are_remembered_only_as_hashes(gateway_url, operator, engine):
    agency = operator.create_agency()
    place = session_from()
    assert login(place, gateway_url, agency["slug"], agency["admin_email"],
                 agency["admin_password"]).status_code == 200
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT digest FROM identity.login_known_addresses")).scalars()
        stored = " ".join(rows)
        pairs = " ".join(conn.execute(text(
            "SELECT key FROM identity.login_failures WHERE scope = 'pair'")).scalars())
    assert place.address not in stored and agency["admin_email"] not in stored
    assert place.address not in pairs


def test_unknown_user_and_wrong_password_are_throttled_alike_from_a_known_address(
        gateway_url, operator):
    """The soft limit's known addresses belong to the login name as typed: from an address that
    never logged in, a real account and an unknown one answer the same codes."""
    agency = operator.create_agency()
    limit = settings().login_max_failures_per_account
    outcomes = []
    for email in (agency["admin_email"], "ghost@example.org"):
        guesser = session_from()
        outcomes.append([login(guesser, gateway_url, agency["slug"], email,
                               "bad password!").status_code for _ in range(limit + 1)])
        outcomes.append([login(session_from(), gateway_url, agency["slug"], email,
                               "bad password!").status_code])
    assert outcomes[0] == outcomes[2] == [401] * limit + [429]
    assert outcomes[1] == outcomes[3] == [429]
