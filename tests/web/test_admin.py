"""The agency administration in the browser (/staff/admin): staff members and roles, client
types, warning indicators, groups and settings, the global invitation link and the requests to
join with their possible duplicates; each result checked through the API too, the refusals
(a duplicate name, a role still in use, the built-in administrator role) shown in plain words,
and a staff member without agency_admin kept out. axe on every page and state."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.test_portal_invitations import STAFF, join, record
from tests.fixtures import wait_for
from tests.web.test_seed_workflow import agency, credentials

# two Chromium runs per test (each bounded by the browser fixture's own limit)
pytestmark = pytest.mark.timeout(240)


def _both(browser, first: str, second: str, **arguments) -> dict:
    """Two flows one after the other (each has its own Chromium and its own time limit)."""
    out = browser(first, **arguments)
    more = browser(second, **{k: v for k, v in arguments.items() if k in SECOND[second]})
    return {**out, **more, "checked": out["checked"] + more["checked"]}


SECOND = {
    "admin_builtin_role": ("web_url", "slug", "email", "password"),
    "admin_staff_changes": ("web_url", "slug", "email", "password", "plain_email",
                            "plain_password", "suffix"),
    "admin_indicators_and_groups": ("web_url", "slug", "email", "password", "suffix"),
}


def _role(url, admin, name, permissions=()):
    answer = admin.post(f"{url}{STAFF}/roles", json={"name": name,
                                                      "permissions": list(permissions)})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_admin_manages_roles(web_url, gateway_url, browser):
    url = gateway_url
    admin = agency(url)
    suffix = uuid.uuid4().hex[:6]

    out = _both(browser, "admin_roles", "admin_builtin_role", web_url=web_url,
                **credentials(admin), suffix=suffix)

    assert "Staff members" in out["overview"] and "Requests to join" in out["overview"]
    assert "Enter a name for the role" in out["empty_role"]
    assert out["role_created"] == f"The role Caseworkers {suffix} was created."
    assert "There is already a role with this name" in out["duplicate_role"]
    assert out["role_saved"] == f"The role Case workers {suffix} was saved."
    assert out["role_deleted"] == f"The role Volunteers {suffix} was deleted."
    assert "Agency Administrator role cannot be deleted" in out["admin_role_delete"]
    assert "always keeps Agency administration" in out["admin_role_strip"]
    assert len(out["checked"]) >= 8

    roles = {r["name"]: r for r in admin.get(f"{url}{STAFF}/roles").json()["items"]}
    assert f"Volunteers {suffix}" not in roles and f"Caseworkers {suffix}" not in roles
    edited = roles[f"Case workers {suffix}"]
    assert sorted(edited["permissions"]) == ["case_numbers", "manage_groups"]
    assert "agency_admin" in roles["Agency Administrator"]["permissions"]


def test_admin_manages_staff_members_and_others_are_kept_out(web_url, gateway_url, browser):
    url = gateway_url
    admin = agency(url)
    suffix = uuid.uuid4().hex[:6]
    plain_role = _role(url, admin, f"Reception {suffix}", ["view_audit"])
    _role(url, admin, f"Case workers {suffix}", ["manage_groups"])
    plain_email = f"plain-{suffix}@example.org"
    assert admin.post(f"{url}{STAFF}/users", json={
        "email": plain_email, "first_name": "Pat", "last_name": "Plain",
        "role_id": plain_role["id"], "password": "a plain passphrase"}).status_code == 201
    staff_email = f"rosa-{suffix}@example.org"

    out = browser("admin_staff", web_url=web_url, **credentials(admin), suffix=suffix,
                  staff_email=staff_email)
    more = browser("admin_staff_changes", web_url=web_url, **credentials(admin),
                   plain_email=plain_email, plain_password="a plain passphrase", suffix=suffix)
    out = {**out, **more, "checked": out["checked"] + more["checked"]}

    assert "at least 12 characters" in out["short_password"]
    assert "already has this e-mail address" in out["duplicate_email"]
    assert out["staff_added"].startswith(f"Rosa Lind {suffix} was added as Case workers")
    assert f"Rosa Lind {suffix}" in out["staff_table"]
    assert "cannot be deleted: 1 staff member still has it" in out["role_in_use"]
    assert out["staff_saved"] == f"Rosa Lind {suffix}'s details were saved."
    assert "was deactivated" in out["deactivated"] and "Inactive" in out["heading"]
    assert out["unknown_user"] == "Page not found"
    assert "Administration" not in out["plain_menu"] and "Find a record" in out["plain_menu"]
    assert (out["plain_status"], out["plain_page"]) == (403, "You cannot see this page")
    assert out["plain_roles_status"] == 403
    assert len(out["checked"]) >= 10

    users = {u["email"]: u for u in admin.get(f"{url}{STAFF}/users").json()["items"]}
    rosa = users[staff_email]
    assert (rosa["role_name"], rosa["active"], rosa["allow_client_initiated_contact"]) == (
        "Staff", False, True)
    roles = {r["name"]: r for r in admin.get(f"{url}{STAFF}/roles").json()["items"]}
    assert roles[f"Case workers {suffix}"]["users"] == 0


def test_admin_manages_client_types_warning_indicators_and_groups(web_url, gateway_url, browser):
    url = gateway_url
    admin = agency(url)
    suffix = uuid.uuid4().hex[:6]
    used = admin.post(f"{url}{STAFF}/client-types", json={"name": f"Used {suffix}"}).json()
    member = record(url, admin, client_type_id=used["id"])
    old = admin.post(f"{url}{STAFF}/groups", json={"name": f"Old group {suffix}"}).json()
    assert admin.post(f"{url}{STAFF}/records/{member['id']}/groups",
                      json={"group_id": old["id"]}).status_code in (200, 201, 204)

    out = _both(browser, "admin_catalogues", "admin_indicators_and_groups", web_url=web_url,
                **credentials(admin), suffix=suffix)

    assert out["type_added"] == f"The client type Temporary {suffix} was added."
    assert "There is already a client type with this name" in out["duplicate_type"]
    assert "so it was made inactive instead of deleted" in out["type_in_use"]
    assert out["type_deleted"] == f"The client type Temporary {suffix} was deleted."
    assert "Enter a colour as # and 6 hexadecimal digits" in out["bad_colour"]
    assert out["member_count"] == "1 record is in this group."
    assert out["group_deleted"] == f"The group Old group {suffix} was deleted."
    assert len(out["checked"]) >= 10

    types = {t["name"]: t for t in admin.get(f"{url}{STAFF}/client-types").json()["items"]}
    assert set(types) == {f"Used {suffix}", f"Household {suffix}"}
    assert types[f"Used {suffix}"]["active"] is False and types[f"Household {suffix}"]["active"]
    [indicator] = admin.get(f"{url}{STAFF}/warning-indicators").json()["items"]
    assert (indicator["name"], indicator["description"], indicator["colour"].upper(),
            indicator["active"]) == (f"Lone working {suffix}", "Visit in pairs", "#C0392B",
                                     False)
    [group] = admin.get(f"{url}{STAFF}/groups").json()["items"]
    assert (group["name"], group["description"]) == (f"Tuesday group {suffix}",
                                                      "Meets on Tuesdays")


def test_admin_changes_the_portal_and_agency_settings(web_url, gateway_url, browser):
    url = gateway_url
    admin = agency(url)
    suffix = uuid.uuid4().hex[:6]

    out = browser("admin_settings", web_url=web_url, **credentials(admin), suffix=suffix)

    assert "Enter a number of hours from 1 to 720" in out["bad_hours"]
    assert out["settings_saved"] == "The settings were saved."
    assert len(out["checked"]) >= 5
    settings = admin.get(f"{url}{STAFF}/settings").json()
    assert settings["invitation_ttl_hours"] == 48 and settings["timezone"] == "Europe/Madrid"
    assert "messages" not in settings["portal_features"]
    assert "sessions" in settings["portal_features"]
    assert settings["disable_notifications_for_closed_records"] is True
    assert settings["sender_name"] == f"Front desk {suffix}" and settings["portal_enabled"]


def test_admin_decides_requests_to_join_and_manages_the_link(web_url, gateway_url, browser):
    url = gateway_url
    admin = agency(url)
    suffix = uuid.uuid4().hex[:6]
    phone = [{"number": "07700 900123", "type": "mobile"}]
    existing = record(url, admin, first_name="Joanna", last_name=f"Joiner{suffix}",
                      phones=phone)
    link = admin.post(f"{url}{STAFF}/invitation-links", json={}).json()
    people = {"jo": ("Joanna", f"Joiner{suffix}", existing["email"]),
              "nina": ("Nina", f"Newcomb{suffix}", f"nina-{suffix}@example.org"),
              "rex": ("Rex", f"Rowntree{suffix}", f"rex-{suffix}@example.org")}
    for first, last, email in people.values():
        answer = join(url, link["slug"], email, first_name=first, last_name=last,
                      phones=phone if first == "Joanna" else [])
        assert answer.status_code == 202, answer.text
    assert wait_for(lambda: len(admin.get(f"{url}{STAFF}/enrollment-requests")
                                .json()["items"]) == 3, timeout=20)
    names = {key: f"{first} {last}" for key, (first, last, _) in people.items()}

    out = browser("admin_link_and_requests", web_url=web_url, **credentials(admin),
                  link_url=link["url"], **names)

    assert out["pending_count"] == "3 requests are waiting for a decision."
    assert "Certain match" in out["jo_duplicates"]
    assert "Same e-mail address" in out["jo_duplicates"]
    assert "same phone number" in out["jo_duplicates"]
    assert out["jo_choice"] == existing["id"]  # a certain match is offered first
    assert "No record of the agency looks like this person" in out["nina_text"]
    assert out["nina_choice"] == "new"
    assert out["jo_accepted"] == f"{names['jo']} was accepted and linked to the existing record."
    assert out["nina_accepted"] == f"{names['nina']} was accepted: a new record was created."
    assert out["tabbed"][-1] == f"Reject {names['rex']}"
    assert out["rex_rejected"] == f"The request of {names['rex']} was rejected."
    assert out["pending_after"] == "No request is waiting for a decision."
    assert names["jo"] in out["accepted_list"] and names["nina"] in out["accepted_list"]
    assert names["rex"] in out["rejected_list"]
    assert out["shown"] == link["url"]
    assert out["copied"] in ("Link copied.", "Select the link and copy it.")
    assert "The previous link no longer works" in out["replaced"]
    assert out["new_link"] != link["url"] and out["new_link"].startswith(f"{web_url}/join/")
    assert out["no_link"] == "No link is active: nobody can ask to join."
    assert out["created"] not in (link["url"], out["new_link"])
    assert link["url"] in out["past"] and out["new_link"] in out["past"]
    assert len(out["checked"]) >= 10

    # through the API
    accepted = {r["email"]: r for r in admin.get(
        f"{url}{STAFF}/enrollment-requests", params={"status": "accepted"}).json()["items"]}
    assert accepted[existing["email"]]["record_id"] == existing["id"]
    nina_record = accepted[people["nina"][2]]["record_id"]
    assert nina_record and nina_record != existing["id"]
    assert admin.get(f"{url}{STAFF}/records/{nina_record}").json()["first_name"] == "Nina"
    [rejected] = admin.get(f"{url}{STAFF}/enrollment-requests",
                           params={"status": "rejected"}).json()["items"]
    assert rejected["email"] == people["rex"][2]
    links = admin.get(f"{url}{STAFF}/invitation-links").json()["items"]
    assert [(i["url"], i["active"]) for i in links] == [
        (out["created"], True), (out["new_link"], False), (link["url"], False)]
