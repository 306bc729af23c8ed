"""Who at the agency read or changed my record (issue 15, "Portal"; ID-6, REC-15): a client sees,
on one of their agency records, each staff member's read, change, export and search that found
it, newest first, by name and role, in a few words, from records' audit trail; never what was
read or changed (staff-only notes, search queries), nor their own changes; only their own record
(another client's answers like an unknown one, S1), 403 while banned there (REC-6)."""

from __future__ import annotations

import uuid

import requests

from tests.e2e.test_portal_invitations import (
    STAFF,
    accept,
    agency,
    client_session,
    invited_token,
    linked,
    record,
)
from tests.e2e.test_records_support import sql
from tests.fixtures import add_staff_member, wait_for

PORTAL = "/api/v1/portal/records"
SECRET = "staff only: the client must never read this"


def access(url, client, record_id, **params):
    return client.get(f"{url}{PORTAL}/{record_id}/access", params=params)


def everything(url, client, record_id, limit: int) -> list[dict]:
    """Every entry, page by page."""
    items, cursor = [], None
    while True:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        answer = access(url, client, record_id, **params)
        assert answer.status_code == 200, answer.text
        items += answer.json()["items"]
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            return items


def staff_row(engine, user_id: str) -> tuple[str, str]:
    """The name and role records holds for a staff user (from identity's events)."""
    assert wait_for(lambda: sql(engine, "SELECT role FROM records.staff_users WHERE user_id = :u",
                                u=user_id) not in ([], [(None,)]))
    return tuple(sql(engine, "SELECT name, role FROM records.staff_users WHERE user_id = :u",
                     u=user_id)[0])


def test_the_client_sees_who_read_and_changed_their_record_newest_first(portal_url, engine):
    url = portal_url
    admin = agency(url, features=["profile_editing"])
    sam = add_staff_member(url, admin, ())
    mine = record(url, admin, first_name="Philippa", last_name="Quartermaine")
    client = client_session(accept(url, invited_token(url, admin, mine)))
    assert wait_for(lambda: linked(url, client, mine["id"]))
    sam_name, sam_role = staff_row(engine, sam.user_id)
    ada_name, ada_role = staff_row(engine, admin.user_id)

    # before anything else: the admin made the record (the invitation and the account's link
    # are the invitations service's doing, by events: no staff member's)
    first = access(url, client, mine["id"])
    assert first.status_code == 200, first.text
    assert [(e["staff_name"], e["role"], e["action"]) for e in first.json()["items"]] == [
        (ada_name, ada_role, "created")]
    assert first.json()["next_cursor"] is None

    record_path = f"{url}{STAFF}/records/{mine['id']}"
    assert sam.get(record_path).status_code == 200                                  # viewed
    assert sam.patch(record_path, json={"last_name": "Quartermain"}).status_code == 200
    assert sam.put(f"{record_path}/notes", json={"body": SECRET}).status_code == 200
    assert admin.get(f"{record_path}/notes").status_code == 200                     # viewed
    found = admin.get(f"{url}{STAFF}/records", params={"q": "Philippa"})            # search
    assert found.status_code == 200 and mine["id"] in found.text
    assert admin.get(f"{url}{STAFF}/records", params={"q": "nobody-like-this"}).status_code == 200
    # the client's own change is theirs, not the agency's: not in the list
    assert client.patch(f"{url}/api/v1/portal/records/{mine['id']}",
                        json={"first_name": "Pippa"}).status_code == 200
    assert sam.put(f"{record_path}/status", json={"status": "inactive"}).status_code == 200

    answer = access(url, client, mine["id"])
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert [(e["staff_name"], e["role"], e["action"]) for e in items] == [
        (sam_name, sam_role, "changed"),           # status
        (ada_name, ada_role, "found_in_search"),   # the search that returned it (not the other)
        (ada_name, ada_role, "viewed"),            # the notes, read
        (sam_name, sam_role, "changed"),           # the notes, written
        (sam_name, sam_role, "changed"),           # the name
        (sam_name, sam_role, "viewed"),            # the record
        (ada_name, ada_role, "created")]
    assert set(items[0]) == {"at", "staff_name", "role", "action"}
    assert [e["at"] for e in items] == sorted((e["at"] for e in items), reverse=True)
    assert all(e["at"].endswith("Z") or e["at"].endswith("+00:00") for e in items)
    # never what was read or changed: not the note, the new name, nor the search
    for secret in (SECRET, "staff only", "Quartermain", "Philippa", "Pippa", "nobody"):
        assert secret not in answer.text, secret

    # the database's trail: the same staff entries (and the client's own change besides)
    rows = sql(engine, """
        SELECT a.action, s.name FROM records.audit_entries a
        LEFT JOIN records.staff_users s ON s.user_id = a.actor_id
        WHERE a.record_id = :r OR a.record_ids @> ARRAY[CAST(:r AS uuid)]
        ORDER BY a.at DESC, a.public_id DESC""", r=mine["id"])
    assert [name for action, name in rows if name is not None] == [
        e["staff_name"] for e in items]
    assert ("portal_record_updated", None) in [tuple(r) for r in rows]

    # keyset pages, newest first: every entry once, whatever the page size; a forged cursor 422
    for limit in (1, 3, 8):
        assert everything(url, client, mine["id"], limit) == items, limit
    bad = access(url, client, mine["id"], cursor="not-a-cursor")
    assert (bad.status_code, bad.json()["code"]) == (422, "validation_error")
    assert access(url, client, mine["id"], limit=0).status_code == 422
    # reading a staff member's newer read does not move a page already handed out
    page = access(url, client, mine["id"], limit=3).json()
    assert sam.get(record_path).status_code == 200
    rest = access(url, client, mine["id"], limit=20, cursor=page["next_cursor"]).json()
    assert page["items"] + rest["items"] == items
    newest = access(url, client, mine["id"], limit=1).json()["items"][0]
    assert (newest["staff_name"], newest["action"]) == (sam_name, "viewed")


def test_only_the_clients_own_record_a_staff_token_is_refused_and_banned_is_403(portal_url):
    url = portal_url
    admin = agency(url)
    mine, theirs = record(url, admin), record(url, admin)
    client = client_session(accept(url, invited_token(url, admin, mine)))
    other = client_session(accept(url, invited_token(url, admin, theirs)))
    assert wait_for(lambda: linked(url, client, mine["id"]))
    assert wait_for(lambda: linked(url, other, theirs["id"]))
    assert admin.get(f"{url}{STAFF}/records/{theirs['id']}").status_code == 200

    # another client's record answers exactly like one that does not exist
    foreign = access(url, client, theirs["id"])
    unknown = access(url, client, uuid.uuid4())
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json()["code"] == unknown.json()["code"] == "not_found"
    assert foreign.json()["detail"] == unknown.json()["detail"]
    assert access(url, client, "not-an-id").status_code == 404
    assert access(url, other, theirs["id"]).status_code == 200

    # a staff token (even the agency's administrator's), none or garbage: 401
    path = f"{url}{PORTAL}/{mine['id']}/access"
    for headers in ({"Authorization": admin.headers["Authorization"]}, {},
                    {"Authorization": "Bearer " + "x" * 43}):
        answer = requests.get(path, headers=headers)
        assert (answer.status_code, answer.json()["code"]) == (401, "unauthenticated"), headers

    # banned at this agency: 403, and the other client is unaffected
    assert admin.put(f"{url}{STAFF}/records/{mine['id']}/portal-status",
                     json={"portal_status": "banned"}).status_code == 200
    banned = access(url, client, mine["id"])
    assert (banned.status_code, banned.json()["code"]) == (403, "permission_denied")
    assert access(url, other, theirs["id"]).status_code == 200
    # lifted: the trail is there again, the ban itself in it
    assert admin.put(f"{url}{STAFF}/records/{mine['id']}/portal-status",
                     json={"portal_status": "active"}).status_code == 200
    again = access(url, client, mine["id"])
    assert again.status_code == 200 and again.json()["items"][0]["action"] == "changed"
