"""Login, tokens and logout through the gateway, the bus and PostgreSQL (ID-3; QUALITY S2, S3)."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import requests
from sqlalchemy import text

from casework.config import settings
from tests.fixtures import session_from, wait_for

LOGIN = "/api/v1/auth/staff/login"


def login(session, url, slug, email, password):
    return session.post(f"{url}{LOGIN}", json={"organization": slug, "email": email,
                                                "password": password})


def test_id3_staff_login_answers_a_token_that_expires_after_the_configured_ttl(
        gateway_url, operator):
    agency = operator.create_agency()
    answer = login(requests, gateway_url, agency["slug"], agency["admin_email"],
                   agency["admin_password"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["user"]["id"] == agency["admin_user_id"]
    assert body["user"]["organization_id"] == agency["id"]
    assert "agency_admin" in body["user"]["permissions"]
    assert body["user"]["role_name"] == "Agency Administrator"
    assert len(body["access_token"]) >= 43  # 256 random bits, url-safe base64
    expires_at = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    expected = datetime.now(UTC) + timedelta(seconds=settings().token_ttl_seconds)
    assert abs((expires_at - expected).total_seconds()) < 30
    me = requests.get(f"{gateway_url}/api/v1/staff/me",
                      headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["email"] == agency["admin_email"]


def test_id3_unknown_user_unknown_agency_and_wrong_password_answer_identically(
        gateway_url, operator):
    agency = operator.create_agency()
    client = session_from()
    answers = [
        login(client, gateway_url, agency["slug"], agency["admin_email"], "wrong password 123"),
        login(client, gateway_url, agency["slug"], "nobody@example.org", "wrong password 123"),
        login(client, gateway_url, "no-such-agency", agency["admin_email"], "whatever 123456"),
        login(client, gateway_url, agency["slug"], agency["admin_email"].upper(), "nope nope"),
    ]
    assert {a.status_code for a in answers} == {401}
    bodies = [a.json() for a in answers]
    assert all(b == bodies[0] for b in bodies), bodies
    assert bodies[0]["code"] == "invalid_credentials"
    assert answers[0].headers["Content-Type"] == answers[1].headers["Content-Type"]
    assert "Retry-After" not in answers[0].headers


def test_id3_e_mail_is_not_case_sensitive_at_login(gateway_url, operator):
    agency = operator.create_agency()
    answer = login(requests, gateway_url, agency["slug"].upper(),
                   agency["admin_email"].upper(), agency["admin_password"])
    assert answer.status_code == 200, answer.text


def test_s2_repeated_failures_slow_the_account_from_addresses_it_never_logged_in_from(
        gateway_url, operator, staff):
    """The account-wide soft limit (an address it logged in from before is never refused by it:
    tests/e2e/test_hardening_logins.py)."""
    agency = operator.create_agency()
    attacker, owner = session_from(), session_from()
    limit = settings().login_max_failures_per_account
    for _ in range(limit):
        failed = login(attacker, gateway_url, agency["slug"], agency["admin_email"], "guess" * 3)
        assert failed.status_code == 401
    # even the right password, from another address never logged in from, waits now
    locked = login(owner, gateway_url, agency["slug"], agency["admin_email"],
                   agency["admin_password"])
    assert locked.status_code == 429
    assert locked.json()["code"] == "rate_limited"
    assert 1 <= int(locked.headers["Retry-After"]) <= settings().login_lockout_seconds
    # the lock is per account: another account logs in from the attacker's address
    other = operator.create_agency()
    assert login(attacker, gateway_url, other["slug"], other["admin_email"],
                 other["admin_password"]).status_code == 200


def test_s2_an_unknown_account_locks_exactly_like_a_real_one(gateway_url, operator):
    agency = operator.create_agency()
    limit = settings().login_max_failures_per_account
    outcomes = []
    for email in (agency["admin_email"], "ghost@example.org"):
        client = session_from()
        codes = [login(client, gateway_url, agency["slug"], email, "bad password!").status_code
                 for _ in range(limit + 1)]
        outcomes.append(codes)
    assert outcomes[0] == outcomes[1] == [401] * limit + [429]


def test_s2_repeated_failures_from_one_address_lock_that_address_for_every_account(
        gateway_url, operator):
    agency = operator.create_agency()
    attacker = session_from()
    limit = settings().login_max_failures_per_address
    for n in range(limit):  # one try per account: per-account limits are never reached
        failed = login(attacker, gateway_url, agency["slug"], f"user{n}@example.org", "x" * 12)
        assert failed.status_code == 401
    locked = login(attacker, gateway_url, agency["slug"], agency["admin_email"],
                   agency["admin_password"])
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) >= 1
    assert locked.json()["code"] == "rate_limited"
    # everyone else still logs in
    assert login(session_from(), gateway_url, agency["slug"], agency["admin_email"],
                 agency["admin_password"]).status_code == 200


def test_s2_failure_counters_are_shared_in_postgresql(gateway_url, operator, engine):
    agency = operator.create_agency()
    client = session_from()
    login(client, gateway_url, agency["slug"], agency["admin_email"], "bad password!!")
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT scope, key, failures FROM identity.login_failures"
            " WHERE key IN (:account, :address) ORDER BY scope"),
            {"account": f"staff:{agency['slug']}:{agency['admin_email']}",
             "address": client.address}).all()
    assert [(r.scope, r.failures) for r in rows] == [("account", 1), ("address", 1)]


def test_s2_a_successful_login_clears_the_account_failures(gateway_url, operator):
    agency = operator.create_agency()
    client = session_from()
    limit = settings().login_max_failures_per_account
    for _ in range(limit - 1):
        login(client, gateway_url, agency["slug"], agency["admin_email"], "bad password!!")
    assert login(client, gateway_url, agency["slug"], agency["admin_email"],
                 agency["admin_password"]).status_code == 200
    for _ in range(limit - 1):
        assert login(client, gateway_url, agency["slug"], agency["admin_email"],
                     "bad password!!").status_code == 401
    assert login(client, gateway_url, agency["slug"], agency["admin_email"],
                 agency["admin_password"]).status_code == 200


def test_s2_passwords_are_stored_with_argon2id(gateway_url, staff, engine):
    admin = staff()
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM identity.staff_users WHERE id = :u"),
                              {"u": admin.user_id}).scalar_one()
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_s2_passwords_need_12_characters_and_long_ones_are_welcome(gateway_url, staff):
    admin = staff()
    url = f"{gateway_url}/api/v1/staff/users"
    short = admin.post(url, json={"email": "short@example.org", "first_name": "S",
                                  "last_name": "P", "password": "eleven char"})
    assert short.status_code == 422
    assert short.json()["code"] == "validation_error"
    assert list(short.json()["errors"]) == ["password"]
    long_password = "correct horse battery staple " * 30  # 870 characters
    made = admin.post(url, json={"email": "long@example.org", "first_name": "L",
                                 "last_name": "P", "password": long_password})
    assert made.status_code == 201, made.text
    assert login(requests, gateway_url, admin.slug, "long@example.org",
                 long_password).status_code == 200
    exactly_12 = admin.post(url, json={"email": "twelve@example.org", "first_name": "T",
                                       "last_name": "P", "password": "twelve chars"})
    assert exactly_12.status_code == 201


def test_s2_operator_refuses_a_short_administrator_password(gateway_url, operator):
    answer = operator.session.post(f"{gateway_url}/api/v1/operator/organizations", json={
        "name": "Short", "slug": f"short-{secrets.token_hex(4)}",
        "admin": {"email": "a@example.org", "first_name": "A", "last_name": "B",
                  "password": "too short"}})
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"admin": {"password": ["12 to 1024 characters"]}}


def test_s3_tokens_are_stored_only_as_sha256_hashes(gateway_url, staff, engine):
    admin = staff()
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM identity.access_tokens WHERE user_id = :u"),
                            {"u": admin.user_id}).mappings().all()
    assert len(rows) == 1
    assert rows[0]["token_hash"] == hashlib.sha256(admin.token.encode()).hexdigest()
    assert all(admin.token not in str(value) for value in rows[0].values())


def test_s3_logout_revokes_the_token_at_once_in_the_serving_gateway(gateway_url, staff):
    admin = staff()
    me = f"{gateway_url}/api/v1/staff/me"
    assert admin.get(me).status_code == 200  # now cached by the gateway
    assert admin.post(f"{gateway_url}/api/v1/auth/logout").status_code == 204
    after = admin.get(me)
    assert after.status_code == 401
    assert after.json()["code"] == "unauthenticated"
    assert admin.post(f"{gateway_url}/api/v1/auth/logout").status_code == 401


def test_s3_logout_without_or_with_a_bad_token_is_refused(gateway_url):
    assert requests.post(f"{gateway_url}/api/v1/auth/logout").status_code == 401
    bad = requests.post(f"{gateway_url}/api/v1/auth/logout",
                        headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
    assert bad.json()["code"] == "unauthenticated"


def test_s3_revocation_elsewhere_takes_effect_within_the_cache_window(gateway_url, staff):
    """Deactivating a user revokes their tokens in the identity service; this gateway has the
    token cached (as another gateway instance would after a logout it did not serve) and
    refuses it once the cache entry ends."""
    admin = staff()
    member = staff(("case_numbers",), organization_id=admin.organization_id)
    me = f"{gateway_url}/api/v1/staff/me"
    assert member.get(me).status_code == 200
    deactivated = admin.patch(f"{gateway_url}/api/v1/staff/users/{member.user_id}",
                              json={"active": False})
    assert deactivated.status_code == 200
    window = settings().token_cache_seconds
    assert wait_for(lambda: member.get(me).status_code == 401, timeout=window + 2)


def test_s3_an_expired_token_is_refused(gateway_url, staff, engine):
    admin = staff()
    with engine.begin() as conn:
        conn.execute(text("UPDATE identity.access_tokens SET expires_at = now() - interval '1 s'"
                          " WHERE token_hash = :h"),
                     {"h": hashlib.sha256(admin.token.encode()).hexdigest()})
    answer = admin.get(f"{gateway_url}/api/v1/staff/me")
    assert answer.status_code == 401
    assert answer.json()["code"] == "unauthenticated"


def test_s3_a_cached_token_is_refused_once_it_expires(gateway_url, staff, engine):
    admin = staff()
    with engine.begin() as conn:
        conn.execute(text("UPDATE identity.access_tokens SET expires_at = now() + interval '1 s'"
                          " WHERE token_hash = :h"),
                     {"h": hashlib.sha256(admin.token.encode()).hexdigest()})
    me = f"{gateway_url}/api/v1/staff/me"
    assert admin.get(me).status_code == 200
    assert wait_for(lambda: admin.get(me).status_code == 401, timeout=3)


def test_staff_routes_refuse_garbage_tokens_and_other_schemes(gateway_url):
    url = f"{gateway_url}/api/v1/staff/me"
    for header in ("Bearer " + secrets.token_urlsafe(32), "Bearer " + "x" * 5000,
                   "Basic dXNlcjpwYXNz", "Bearer"):
        answer = requests.get(url, headers={"Authorization": header})
        assert answer.status_code == 401, header
        assert answer.json()["code"] == "unauthenticated"


def test_operator_route_refuses_a_wrong_or_missing_token(gateway_url):
    url = f"{gateway_url}/api/v1/operator/organizations"
    body = {"name": "X", "slug": "x-agency", "admin": {
        "email": "a@example.org", "first_name": "A", "last_name": "B",
        "password": "long enough password"}}
    assert requests.post(url, json=body).status_code == 401
    wrong = requests.post(url, json=body, headers={"Authorization": "Bearer wrong-token"})
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "unauthenticated"


def test_operator_route_refuses_staff_tokens(gateway_url, staff):
    admin = staff()
    answer = admin.post(f"{gateway_url}/api/v1/operator/organizations", json={
        "name": "X", "slug": "x-agency", "admin": {
            "email": "a@example.org", "first_name": "A", "last_name": "B",
            "password": "long enough password"}})
    assert answer.status_code == 401


def test_a_duplicate_slug_is_refused_with_409(gateway_url, operator):
    agency = operator.create_agency()
    again = operator.session.post(f"{gateway_url}/api/v1/operator/organizations", json={
        "name": "Again", "slug": agency["slug"], "admin": {
            "email": "b@example.org", "first_name": "B", "last_name": "C",
            "password": "long enough password"}})
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate_slug"
    assert again.json()["errors"] == {"slug": ["already in use"]}


def test_operator_validates_slug_and_time_zone(gateway_url, operator):
    url = f"{gateway_url}/api/v1/operator/organizations"
    admin = {"email": "a@example.org", "first_name": "A", "last_name": "B",
             "password": "long enough password"}
    bad_slug = operator.session.post(url, json={"name": "X", "slug": "Not A Slug",
                                                "admin": admin})
    assert bad_slug.status_code == 422
    assert list(bad_slug.json()["errors"]) == ["slug"]
    bad_zone = operator.session.post(url, json={"name": "X", "slug": "zone-test",
                                                "timezone": "Mars/Olympus", "admin": admin})
    assert bad_zone.status_code == 422
    assert list(bad_zone.json()["errors"]) == ["timezone"]


def test_id2_a_new_agency_starts_with_administrator_and_staff_roles_and_publishes_events(
        gateway_url, operator, staff, engine):
    admin = staff()
    roles = admin.get(f"{gateway_url}/api/v1/staff/roles").json()["items"]
    assert [(r["name"], r["builtin"], r["users"]) for r in roles] == [
        ("Agency Administrator", True, 1), ("Staff", True, 0)]
    assert roles[0]["permissions"] == [
        "agency_admin", "case_numbers", "delete_clients", "client_account_invitations",
        "view_audit", "manage_groups", "schedule_any_client"]
    assert roles[1]["permissions"] == []
    with engine.connect() as conn:
        events = conn.execute(text(
            "SELECT routing_key, payload FROM identity.outbox"
            " WHERE payload->>'organization_id' = :o ORDER BY id"),
            {"o": admin.organization_id}).all()
    assert [e.routing_key for e in events] == ["organization_created", "staff_user_created"]
    created, user = events[0].payload, events[1].payload
    assert created["type"] == "identity.organization_created"
    assert created["data"] == {"organization_id": admin.organization_id,
                               "name": f"Agency {admin.slug}", "slug": admin.slug,
                               "timezone": "UTC"}
    assert user["data"] == {
        "user_id": admin.user_id, "email": f"admin@{admin.slug}.example.org",
        "first_name": "Ada", "last_name": "Admin", "name": "Ada Admin", "active": True,
        "allow_client_initiated_contact": True, "role": "Agency Administrator"}
    assert "password" not in str(user) and "hash" not in str(user)


def test_expired_tokens_and_forgotten_failures_are_purged(start_services, engine, platform_config):
    from nameko.testing.services import entrypoint_hook
    from nameko.testing.utils import get_container

    from services.identity.service import IdentityService

    runner = start_services("identity")
    stale, fresh = "a" * 64, "b" * 64
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO identity.access_tokens (token_hash, kind, expires_at) VALUES"
            " (:stale, 'portal', now() - interval '2 days'), (:fresh, 'portal', now())"),
            {"stale": stale, "fresh": fresh})
        conn.execute(text(
            "INSERT INTO identity.login_failures (scope, key, failures, last_failure_at,"
            " locked_until) VALUES ('address', 'purge-old', 3, now() - interval '1 hour', NULL),"
            " ('address', 'purge-locked', 9, now() - interval '1 hour', now() + interval '1 h'),"
            " ('address', 'purge-recent', 1, now(), NULL)"))
    with entrypoint_hook(get_container(runner, IdentityService), "purge_expired") as purge:
        purge()
    with engine.connect() as conn:
        tokens = conn.execute(text("SELECT token_hash FROM identity.access_tokens"
                                   " WHERE token_hash IN (:a, :b)"),
                              {"a": stale, "b": fresh}).scalars().all()
        failures = conn.execute(text("SELECT key FROM identity.login_failures"
                                     " WHERE key LIKE 'purge-%' ORDER BY key")).scalars().all()
    assert tokens == [fresh]
    assert failures == ["purge-locked", "purge-recent"]


def test_p1_a_request_with_a_cached_token_makes_no_call_to_identity(
        start_services, platform_config):
    """With the identity service stopped, a token checked a moment ago still works: the gateway
    answered from its cache, without a broker round trip for auth."""
    from nameko.testing.utils import get_container

    from services.identity.service import IdentityService
    from tests.fixtures import ALL_SERVICES, Operator, login_staff

    runner = start_services(*ALL_SERVICES)
    url = f"http://{platform_config['WEB_SERVER_ADDRESS']}"
    assert wait_for(lambda: requests.get(f"{url}/ready").status_code == 200)
    agency = Operator(url).create_agency()
    admin = login_staff(url, agency["slug"], agency["admin_email"], agency["admin_password"])
    records = f"{url}/api/v1/staff/records"
    assert admin.get(records).status_code == 200
    get_container(runner, IdentityService).kill()
    assert admin.get(records).status_code == 200  # within the cache window
    ready = requests.get(f"{url}/ready", headers={
        "Authorization": f"Bearer {settings().operator_token}"}).json()
    assert ready["checks"]["identity"] != "ok"
