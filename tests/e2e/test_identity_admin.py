"""Agency administration through the gateway: staff users, roles, settings, own profile (ID-1,
ID-2, NOT-6), and the identity events other services build on."""

import base64
import json
import uuid

import requests
from sqlalchemy import text

from casework.config import settings
from tests.fixtures import login_staff, wait_for


def api(url, path):
    return f"{url}/api/v1/staff/{path}"


def new_user(admin, url, **fields):
    body = {"email": f"u-{uuid.uuid4().hex[:8]}@example.org", "first_name": "Grace",
            "last_name": "Hopper", "password": "a long enough password", **fields}
    return admin.post(api(url, "users"), json=body)


def role_id(admin, url, name):
    roles = admin.get(api(url, "roles")).json()["items"]
    return next(r["id"] for r in roles if r["name"] == name)


def events(engine, organization_id, name):
    with engine.connect() as conn:
        return [row.payload for row in conn.execute(text(
            "SELECT payload FROM identity.outbox WHERE routing_key = :n"
            " AND payload->>'organization_id' = :o ORDER BY id"),
            {"n": name, "o": organization_id})]


def test_id2_staff_user_created_with_a_role_gets_its_permissions_at_login(gateway_url, staff):
    admin = staff()
    role = admin.post(api(gateway_url, "roles"), json={
        "name": "Navigator", "permissions": ["case_numbers", "view_audit"]}).json()
    made = new_user(admin, gateway_url, email="Nav@Example.org", role_id=role["id"])
    assert made.status_code == 201, made.text
    user = made.json()
    assert user["email"] == "nav@example.org"
    assert (user["role_id"], user["role_name"]) == (role["id"], "Navigator")
    assert user["permissions"] == ["case_numbers", "view_audit"]
    assert user["name"] == "Grace Hopper" and user["active"] is True
    member = login_staff(gateway_url, admin.slug, "nav@example.org", "a long enough password")
    assert member.get(api(gateway_url, "me")).json()["permissions"] == [
        "case_numbers", "view_audit"]
    assert admin.get(api(gateway_url, f"users/{user['id']}")).json() == user


def test_id2_a_user_without_a_role_gets_the_staff_role_and_no_admin_routes(gateway_url, staff):
    admin = staff()
    made = new_user(admin, gateway_url, email="plain@example.org").json()
    assert (made["role_name"], made["permissions"]) == ("Staff", [])
    plain = login_staff(gateway_url, admin.slug, "plain@example.org", "a long enough password")
    refused = plain.get(api(gateway_url, "users"))
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert plain.get(api(gateway_url, "me")).status_code == 200


def test_duplicate_e_mail_in_an_agency_is_refused_but_another_agency_may_use_it(
        gateway_url, staff):
    alice, bob = staff(), staff()
    assert new_user(alice, gateway_url, email="same@example.org").status_code == 201
    again = new_user(alice, gateway_url, email="SAME@example.org")
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate_email"
    assert new_user(bob, gateway_url, email="same@example.org").status_code == 201


def test_a_role_of_another_agency_cannot_be_given(gateway_url, staff):
    alice, bob = staff(), staff()
    bobs_role = bob.post(api(gateway_url, "roles"), json={"name": "B", "permissions": []}).json()
    for role in (bobs_role["id"], str(uuid.uuid4())):
        refused = new_user(alice, gateway_url, role_id=role)
        assert refused.status_code == 422
        assert refused.json()["errors"] == {"role_id": ["no such role in this agency"]}


def test_update_user_changes_name_email_role_and_publishes_staff_user_updated(
        gateway_url, staff, engine):
    admin = staff()
    user = new_user(admin, gateway_url).json()
    navigator = admin.post(api(gateway_url, "roles"),
                           json={"name": "Nav", "permissions": ["manage_groups"]}).json()
    changed = admin.patch(api(gateway_url, f"users/{user['id']}"), json={
        "first_name": "Grace B.", "email": "grace@example.org", "role_id": navigator["id"],
        "allow_client_initiated_contact": False})
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["name"], body["email"], body["permissions"]) == (
        "Grace B. Hopper", "grace@example.org", ["manage_groups"])
    updated = events(engine, admin.organization_id, "staff_user_updated")
    assert [e["data"] for e in updated] == [{
        "user_id": user["id"], "email": "grace@example.org", "first_name": "Grace B.",
        "last_name": "Hopper", "name": "Grace B. Hopper", "active": True,
        "allow_client_initiated_contact": False, "role": "Nav"}]
    created = events(engine, admin.organization_id, "staff_user_created")
    assert created[-1]["data"]["user_id"] == user["id"]


def test_a_role_change_publishes_staff_user_updated_with_the_role_name(gateway_url, staff,
                                                                       engine):
    """Records names who did what by name and role (issue 18): a user's new role is announced;
    a change that leaves every announced field as it was publishes nothing."""
    admin = staff()
    user = new_user(admin, gateway_url).json()
    administrator = role_id(admin, gateway_url, "Agency Administrator")
    assert admin.patch(api(gateway_url, f"users/{user['id']}"),
                       json={"role_id": administrator}).status_code == 200
    updated = events(engine, admin.organization_id, "staff_user_updated")
    assert [e["data"]["role"] for e in updated] == ["Agency Administrator"]
    assert admin.patch(api(gateway_url, f"users/{user['id']}"),
                       json={"role_id": administrator}).status_code == 200
    assert len(events(engine, admin.organization_id, "staff_user_updated")) == 1


def test_deactivating_a_user_revokes_their_tokens_and_refuses_their_login(
        gateway_url, staff, engine):
    admin = staff()
    user = new_user(admin, gateway_url, email="leaver@example.org").json()
    member = login_staff(gateway_url, admin.slug, "leaver@example.org", "a long enough password")
    off = admin.patch(api(gateway_url, f"users/{user['id']}"), json={"active": False})
    assert off.status_code == 200 and off.json()["active"] is False
    with engine.connect() as conn:
        live = conn.execute(text(
            "SELECT count(*) FROM identity.access_tokens WHERE user_id = :u"
            " AND revoked_at IS NULL"), {"u": user["id"]}).scalar_one()
    assert live == 0
    assert member.get(api(gateway_url, "me")).status_code == 401  # never used: not cached
    refused = requests.post(f"{gateway_url}/api/v1/auth/staff/login", json={
        "organization": admin.slug, "email": "leaver@example.org",
        "password": "a long enough password"})
    assert refused.status_code == 401
    assert refused.json()["code"] == "invalid_credentials"
    assert [e["data"]["active"] for e in events(engine, admin.organization_id,
                                                 "staff_user_updated")] == [False]


def test_an_inactive_user_with_the_right_password_gets_the_same_answer_as_a_wrong_one(
        gateway_url, staff):
    admin = staff()
    user = new_user(admin, gateway_url, email="off@example.org", active=False).json()
    right = requests.post(f"{gateway_url}/api/v1/auth/staff/login", json={
        "organization": admin.slug, "email": "off@example.org",
        "password": "a long enough password"})
    wrong = requests.post(f"{gateway_url}/api/v1/auth/staff/login", json={
        "organization": admin.slug, "email": "off@example.org", "password": "not the password"})
    assert right.status_code == wrong.status_code == 401
    assert right.json() == wrong.json()
    admin.patch(api(gateway_url, f"users/{user['id']}"), json={"active": True})
    assert login_staff(gateway_url, admin.slug, "off@example.org", "a long enough password")


def test_an_administrator_sets_a_new_password_which_revokes_the_old_tokens(gateway_url, staff):
    admin = staff()
    user = new_user(admin, gateway_url, email="pw@example.org").json()
    old = login_staff(gateway_url, admin.slug, "pw@example.org", "a long enough password")
    short = admin.patch(api(gateway_url, f"users/{user['id']}"), json={"password": "short"})
    assert short.status_code == 422 and list(short.json()["errors"]) == ["password"]
    assert admin.patch(api(gateway_url, f"users/{user['id']}"),
                       json={"password": "a brand new passphrase"}).status_code == 200
    assert old.get(api(gateway_url, "me")).status_code == 401  # never used, so never cached
    assert login_staff(gateway_url, admin.slug, "pw@example.org", "a brand new passphrase")


def test_the_last_active_administrator_cannot_be_deactivated_or_demoted(gateway_url, staff):
    admin = staff()
    me = f"users/{admin.user_id}"
    staff_role = role_id(admin, gateway_url, "Staff")
    for change in ({"active": False}, {"role_id": staff_role}):
        refused = admin.patch(api(gateway_url, me), json=change)
        assert refused.status_code == 409, change
        assert refused.json()["code"] == "last_administrator"
    assert admin.get(api(gateway_url, me)).json()["active"] is True
    # with a second administrator, the first may step down
    second = new_user(admin, gateway_url,
                      role_id=role_id(admin, gateway_url, "Agency Administrator"))
    assert second.status_code == 201
    assert admin.patch(api(gateway_url, me), json={"role_id": staff_role}).status_code == 200
    # permissions are read with the token: the demotion holds within the gateway's cache window
    assert wait_for(lambda: admin.get(api(gateway_url, "users")).status_code == 403,
                    timeout=settings().token_cache_seconds + 2)


def test_id2_roles_create_rename_change_and_delete(gateway_url, staff):
    admin = staff()
    made = admin.post(api(gateway_url, "roles"), json={
        "name": "Scheduler", "permissions": ["schedule_any_client", "case_numbers"]})
    assert made.status_code == 201
    role = made.json()
    assert role["permissions"] == ["case_numbers", "schedule_any_client"]
    assert (role["builtin"], role["users"]) == (False, 0)
    renamed = admin.patch(api(gateway_url, f"roles/{role['id']}"),
                          json={"name": "Bookings", "permissions": []})
    assert renamed.status_code == 200
    assert (renamed.json()["name"], renamed.json()["permissions"]) == ("Bookings", [])
    assert admin.delete(api(gateway_url, f"roles/{role['id']}")).status_code == 204
    names = [r["name"] for r in admin.get(api(gateway_url, "roles")).json()["items"]]
    assert names == ["Agency Administrator", "Staff"]
    gone = admin.patch(api(gateway_url, f"roles/{role['id']}"), json={"name": "X"})
    assert gone.status_code == 404


def test_id2_unknown_permissions_and_duplicate_role_names_are_refused(gateway_url, staff):
    admin = staff()
    unknown = admin.post(api(gateway_url, "roles"),
                         json={"name": "X", "permissions": ["fly"]})
    assert unknown.status_code == 422
    assert list(unknown.json()["errors"]) == ["permissions"]
    duplicate = admin.post(api(gateway_url, "roles"), json={"name": "staff", "permissions": []})
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "duplicate_role_name"


def test_id2_a_role_still_assigned_cannot_be_deleted(gateway_url, staff):
    admin = staff()
    member = staff(("view_audit",), organization_id=admin.organization_id)
    refused = admin.delete(api(gateway_url, f"roles/{member.role_id}"))
    assert refused.status_code == 409
    assert refused.json()["code"] == "role_in_use"
    roles = {r["id"]: r for r in admin.get(api(gateway_url, "roles")).json()["items"]}
    assert roles[member.role_id]["users"] == 1


def test_id2_the_agency_administrator_role_keeps_agency_admin_and_cannot_be_deleted(
        gateway_url, staff):
    admin = staff()
    administrator = role_id(admin, gateway_url, "Agency Administrator")
    stripped = admin.patch(api(gateway_url, f"roles/{administrator}"),
                           json={"permissions": ["view_audit"]})
    assert stripped.status_code == 409
    assert stripped.json()["code"] == "role_protected"
    deleted = admin.delete(api(gateway_url, f"roles/{administrator}"))
    assert deleted.status_code == 409
    assert deleted.json()["code"] == "role_protected"
    # renaming it, or narrowing it to agency_admin alone, keeps the agency administered
    kept = admin.patch(api(gateway_url, f"roles/{administrator}"),
                       json={"name": "Admins", "permissions": ["agency_admin"]})
    assert kept.status_code == 200
    assert admin.get(api(gateway_url, "users")).status_code == 200


def test_removing_agency_admin_from_the_role_of_the_only_administrators_is_refused(
        gateway_url, staff):
    admin = staff()
    custom = admin.post(api(gateway_url, "roles"),
                        json={"name": "Boss", "permissions": ["agency_admin"]}).json()
    assert admin.patch(api(gateway_url, f"users/{admin.user_id}"),
                       json={"role_id": custom["id"]}).status_code == 200
    refused = admin.patch(api(gateway_url, f"roles/{custom['id']}"),
                          json={"permissions": ["view_audit"]})
    assert refused.status_code == 409
    assert refused.json()["code"] == "last_administrator"


def test_settings_read_and_change(gateway_url, staff):
    admin = staff()
    url = api(gateway_url, "settings")
    settings = admin.get(url).json()
    assert settings == {
        "name": f"Agency {admin.slug}", "slug": admin.slug, "portal_enabled": False,
        "portal_features": ["profile_editing", "availability", "sessions", "messages",
                            "requests"],
        "disable_notifications_for_closed_records": False, "invitation_ttl_hours": 72,
        "timezone": "UTC", "sender_name": None, "welcome_template": None}
    changed = admin.patch(url, json={
        "portal_enabled": True, "portal_features": ["messages", "profile_editing"],
        "disable_notifications_for_closed_records": True, "invitation_ttl_hours": 48,
        "timezone": "Europe/London", "sender_name": "Hope Street",
        "welcome_template": "Welcome, {first_name}."})
    assert changed.status_code == 200
    assert admin.get(url).json() == {
        **settings, "portal_enabled": True, "portal_features": ["profile_editing", "messages"],
        "disable_notifications_for_closed_records": True, "invitation_ttl_hours": 48,
        "timezone": "Europe/London", "sender_name": "Hope Street",
        "welcome_template": "Welcome, {first_name}."}


def test_settings_refuse_invalid_values(gateway_url, staff):
    admin = staff()
    url = api(gateway_url, "settings")
    bad = admin.patch(url, json={"portal_features": ["teleport"], "invitation_ttl_hours": 0,
                                 "timezone": "Nowhere/Land", "slug": "renamed"})
    assert bad.status_code == 422
    # (the gateway's schema knows the time zones, so it names that field too)
    assert set(bad.json()["errors"]) == {"portal_features", "invitation_ttl_hours", "slug",
                                         "timezone"}
    zone = admin.patch(url, json={"timezone": "Nowhere/Land"})
    assert zone.status_code == 422 and list(zone.json()["errors"]) == ["timezone"]


def test_not6_own_profile_and_client_initiated_contact(gateway_url, staff, engine):
    admin = staff()
    member = staff((), organization_id=admin.organization_id)
    me = api(gateway_url, "me")
    assert member.get(me).json()["allow_client_initiated_contact"] is True
    changed = member.patch(me, json={"allow_client_initiated_contact": False,
                                     "last_name": "Navigator"})
    assert changed.status_code == 200
    assert member.get(me).json()["allow_client_initiated_contact"] is False
    data = events(engine, admin.organization_id, "staff_user_updated")[-1]["data"]
    assert (data["user_id"], data["allow_client_initiated_contact"], data["last_name"]) == (
        member.user_id, False, "Navigator")
    # one's own role, e-mail or activity are the administrator's business
    refused = member.patch(me, json={"role_id": str(uuid.uuid4()), "active": False})
    assert refused.status_code == 422
    assert set(refused.json()["errors"]) == {"role_id", "active"}


def test_lists_are_paged_with_limit_and_cursor(gateway_url, staff):
    admin = staff()
    for n in range(4):
        assert new_user(admin, gateway_url, last_name=f"Person {n}").status_code == 201
    seen, cursor = [], None
    while True:
        page = admin.get(api(gateway_url, "users"), params={"limit": 2, **(
            {"cursor": cursor} if cursor else {})}).json()
        assert len(page["items"]) <= 2
        seen += [u["id"] for u in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 5
    assert admin.get(api(gateway_url, "users"), params={"cursor": "bogus"}).status_code == 422
    assert admin.get(api(gateway_url, "roles"), params={"limit": 501}).status_code == 422


def test_identity_lists_refuse_a_cursor_they_never_gave_with_422(gateway_url, staff):
    """One cursor codec (casework.cursors): a well-formed cursor whose position is beyond a
    bigint, a boolean or of another kind is a 422 about the cursor, on every identity list."""
    admin = staff()
    for _ in range(2):
        assert new_user(admin, gateway_url).status_code == 201
    for path in ("users", "roles"):
        first = admin.get(api(gateway_url, path), params={"limit": 1}).json()
        assert first["next_cursor"]  # a cursor identity gave works
        second = admin.get(api(gateway_url, path), params={"limit": 1,
                                                            "cursor": first["next_cursor"]})
        assert second.status_code == 200 and second.json()["items"] != first["items"]
        for forged in ({"o": 2 ** 63}, {"o": True}, {"o": -1}, {"b": 1}):
            cursor = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode()
            answer = admin.get(api(gateway_url, path), params={"cursor": cursor})
            assert answer.status_code == 422, (path, forged, answer.text)
            assert answer.json()["code"] == "validation_error"
            assert answer.json()["errors"] == {"cursor": ["not a cursor we gave"]}
