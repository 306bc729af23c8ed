"""What agencies do with many records (issue 18), through the gateway, the bus and the database:
a search that says when it was capped, group counts without deleted records, a caseload moved
in one call, many statuses changed at once, deleted records listed to restore one."""

from __future__ import annotations

import uuid

from casework.events import parse_envelope
from tests.e2e.test_records_groups import insert_records
from tests.e2e.test_records_support import API, counting_statements, create_record, sql
from tests.fixtures import wait_for


def known_to_records(engine, *user_ids) -> None:
    """Records learns staff users from identity's events: wait until it knows them all."""
    assert wait_for(lambda: sql(engine, "SELECT count(*) FROM records.staff_users WHERE"
                                " user_id = ANY(CAST(:ids AS uuid[]))", ids=list(user_ids))
                    == [(len(user_ids),)]), "records never learnt the staff users"


def navigate(engine, organization_id: str, user_id: str, record_ids: list[str]) -> None:
    sql(engine, """INSERT INTO records.record_navigators (record_id, user_id, organization_id)
                   SELECT r, CAST(:u AS uuid), CAST(:o AS uuid)
                   FROM unnest(CAST(:ids AS uuid[])) AS r""",
        u=user_id, o=organization_id, ids=record_ids)


def published(engine, organization_id: str, routing_key: str) -> int:
    """Events of the agency the relay has published onto the bus."""
    return sql(engine, "SELECT count(*) FROM records.outbox WHERE routing_key = :k AND"
               " payload->>'organization_id' = :o AND published_at IS NOT NULL",
               k=routing_key, o=organization_id)[0][0]


# --- search that does not quietly stop --------------------------------------------------------

def test_a_search_matching_more_than_it_ranks_says_so_on_its_last_page(gateway_url, staff,
                                                                      engine):
    alice = staff()
    insert_records(engine, alice.organization_id, 2100, "zyxcapped")
    search = f"{gateway_url}{API}/records"
    seen, cursor, pages = [], None, []
    while True:
        answer = alice.get(search, params={"q": "zyxcapped", "limit": 500,
                                           **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        page = answer.json()
        pages.append(page)
        seen += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    # every page ranks the same candidates: nothing repeated, nothing skipped, and each page
    # says plainly that the result was capped and how to narrow it
    assert len(seen) == len(set(seen)) and 200 < len(seen) <= 402
    assert all(p["truncated"] is True for p in pages)
    assert all("narrow" in p["detail"] and "200" in p["detail"] for p in pages)
    small = alice.get(search, params={"q": "zyxcapped", "limit": 50}).json()
    paged, cursor = [], None
    while True:
        page = alice.get(search, params={"q": "zyxcapped", "limit": 50,
                                         **({"cursor": cursor} if cursor else {})}).json()
        paged += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert paged == seen and small["items"][0]["id"] == seen[0]

    # a search that matched fewer ends as it should: no cap, no detail
    quentin = create_record(alice, gateway_url, first_name="Quentin", last_name="Qwfpgj")
    few = alice.get(search, params={"q": "qwfpgj", "limit": 500}).json()
    assert few["truncated"] is False and few["detail"] is None and few["next_cursor"] is None
    assert [r["id"] for r in few["items"]] == [quentin["id"]]
    # narrowing with a filter is what the detail says: here, nothing closed matches
    closed = alice.get(search, params={"q": "zyxcapped", "status": "closed"}).json()
    assert (closed["items"], closed["truncated"]) == ([], False)


def test_group_member_counts_leave_deleted_records_out(gateway_url, staff):
    alice = staff()
    group = alice.post(f"{gateway_url}{API}/groups", json={"name": "Counted"}).json()
    members = [create_record(alice, gateway_url, first_name=n)["id"] for n in "ABC"]
    bulk = f"{gateway_url}{API}/groups/{group['id']}/members/bulk"
    assert alice.post(bulk, json={"add": members}).json()["added"] == 3
    assert alice.delete(f"{gateway_url}{API}/records/{members[0]}").status_code == 204
    listed = alice.get(f"{gateway_url}{API}/groups").json()["items"]
    assert [(g["id"], g["member_count"]) for g in listed] == [(group["id"], 2)]
    renamed = alice.patch(f"{gateway_url}{API}/groups/{group['id']}", json={"name": "Still"})
    assert renamed.json()["member_count"] == 2
    # restored, it is back in its group and counted again
    assert alice.post(f"{gateway_url}{API}/records/{members[0]}/restore").status_code == 200
    assert alice.get(f"{gateway_url}{API}/groups").json()["items"][0]["member_count"] == 3


# --- caseload moves -------------------------------------------------------------------------

def test_a_departing_navigators_caseload_moves_evenly_in_one_call(gateway_url, staff, engine):
    alice = staff()
    org = alice.organization_id
    nina, tom, ursula = (staff(permissions=(), organization_id=org) for _ in range(3))
    known_to_records(engine, nina.user_id, tom.user_id, ursula.user_id)
    caseload = sorted(insert_records(engine, org, 10, "caseload"))  # shared out in id order
    deleted = insert_records(engine, org, 1, "gone")[0]
    elsewhere = insert_records(engine, org, 1, "elsewhere")[0]
    navigate(engine, org, nina.user_id, caseload + [deleted])
    navigate(engine, org, tom.user_id, caseload[:1] + [elsewhere])
    sql(engine, "UPDATE records.records SET deleted_at = now() WHERE id = :r", r=deleted)
    move = f"{gateway_url}{API}/navigators/{nina.user_id}/caseload/move"

    assert nina.post(move, json={"to": [tom.user_id]}).status_code == 403
    for to in ([nina.user_id], [str(uuid.uuid4())], []):
        refused = alice.post(move, json={"to": to})
        assert refused.status_code == 422 and "to" in refused.json()["errors"], refused.text
    assert alice.post(f"{gateway_url}{API}/navigators/{uuid.uuid4()}/caseload/move",
                      json={"to": [tom.user_id]}).status_code == 404

    answer = alice.post(move, json={"to": [tom.user_id, ursula.user_id]})
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["moved"] == 10 and {r["record_id"] for r in result["results"]} == set(caseload)
    shares = {u: [r for r in result["results"] if r["to_user_id"] == u]
              for u in (tom.user_id, ursula.user_id)}
    assert [len(s) for s in shares.values()] == [5, 5]
    already = [r["record_id"] for r in result["results"] if r["code"] == "already_navigator"]
    assert already == caseload[:1] and all(r["outcome"] == "moved" for r in result["results"])

    navigated = dict(sql(engine, "SELECT user_id::text, count(*) FROM records.record_navigators"
                                 " WHERE organization_id = :o GROUP BY user_id", o=org))
    # the deleted record keeps its navigator (it is restored as it was); the rest moved
    assert navigated == {nina.user_id: 1, tom.user_id: 6, ursula.user_id: 5}
    mine = alice.get(f"{gateway_url}{API}/records", params={"navigator_id": ursula.user_id})
    assert {r["id"] for r in mine.json()["items"]} == {
        r["record_id"] for r in shares[ursula.user_id]}
    audit = sql(engine, "SELECT record_id::text, actor_id::text, changes FROM"
                " records.audit_entries WHERE organization_id = :o AND action LIKE 'navigator_%'",
                o=org)
    assert sorted(r[0] for r in audit) == caseload and {r[1] for r in audit} == {alice.user_id}
    nina_name = sql(engine, "SELECT name FROM records.staff_users WHERE user_id = :u",
                    u=nina.user_id)[0][0]
    first = next(r[2] for r in audit if r[0] == caseload[0])
    assert first == {"navigators": {
        "old": {"user_id": nina.user_id, "name": nina_name},
        "new": {"user_id": tom.user_id, "name": first["navigators"]["new"]["name"],
                "already": True}}}
    # one event per record, as the single-record paths publish them, out on the bus
    assert wait_for(lambda: (published(engine, org, "navigator_unassigned"),
                             published(engine, org, "navigator_assigned")) == (10, 9),
                    timeout=60)
    again = alice.post(move, json={"to": [tom.user_id]}).json()
    assert again == {"moved": 0, "results": []}


def test_a_caseload_of_10000_moves_with_as_many_statements_as_one_of_10(
        gateway_url, staff, engine):
    alice = staff()
    org = alice.organization_id
    nina, tom = (staff(permissions=(), organization_id=org) for _ in range(2))
    known_to_records(engine, nina.user_id, tom.user_id)
    counts = {}
    for size in (10, 10000):
        navigate(engine, org, nina.user_id, insert_records(engine, org, size, f"load{size}-"))
        with counting_statements() as statements:
            answer = alice.post(f"{gateway_url}{API}/navigators/{nina.user_id}/caseload/move",
                                json={"to": [tom.user_id]})
        assert answer.status_code == 200 and answer.json()["moved"] == size, answer.text
        counts[size] = len(statements)
    # the move, its audit rows and its events are one statement, whatever the caseload
    assert counts[10000] == counts[10] <= 6, counts
    assert sql(engine, "SELECT count(*) FROM records.outbox WHERE routing_key LIKE"
               " 'navigator_%' AND payload->>'organization_id' = :o", o=org) == [(20020,)]
    # (the relay sends outbox rows in order: later tests in this database need not wait for
    # these 20,020 events to reach this test's vhost, which is gone)
    sql(engine, "UPDATE records.outbox SET published_at = now() WHERE published_at IS NULL"
        " AND payload->>'organization_id' = :o", o=org)


# --- status in bulk -------------------------------------------------------------------------

def test_many_records_change_status_at_once_with_a_result_per_record(gateway_url, staff,
                                                                     engine):
    alice, bob = staff(), staff()
    org = alice.organization_id
    ada, grace, closed, gone = (create_record(alice, gateway_url, first_name=n)["id"]
                                for n in ("Ada", "Grace", "Closed", "Gone"))
    assert alice.put(f"{gateway_url}{API}/records/{closed}/status",
                     json={"status": "closed"}).status_code == 200
    assert alice.delete(f"{gateway_url}{API}/records/{gone}").status_code == 204
    theirs, unknown = create_record(bob, gateway_url)["id"], str(uuid.uuid4())
    bulk = f"{gateway_url}{API}/records/status/bulk"
    plain_staff = staff(permissions=("manage_groups",), organization_id=org)
    assert plain_staff.post(bulk, json={"record_ids": [ada], "status": "closed"}).status_code \
        == 403
    assert alice.post(bulk, json={"record_ids": [ada], "status": "gone"}).status_code == 422
    assert alice.post(bulk, json={"record_ids": [ada] * 10001,
                                  "status": "closed"}).status_code == 422

    answer = alice.post(bulk, json={"record_ids": [ada, closed, theirs, grace, unknown, gone, ada],
                                    "status": "closed"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["changed"] == 2
    assert [(r["record_id"], r["outcome"], r["code"]) for r in answer.json()["results"]] == [
        (ada, "changed", None), (closed, "unchanged", "already_in_status"),
        (theirs, "failed", "not_found"), (grace, "changed", None),
        (unknown, "failed", "not_found"), (gone, "failed", "not_found")]
    history = alice.get(f"{gateway_url}{API}/records/{ada}/status-history").json()["items"]
    assert [(h["old_status"], h["new_status"], h["changed_by"]) for h in history][:1] == [
        ("active", "closed", alice.user_id)]
    assert sql(engine, "SELECT status FROM records.records WHERE id = :r", r=theirs) == [
        ("active",)]
    assert sql(engine, "SELECT changes FROM records.audit_entries WHERE record_id = :r AND"
               " action = 'record_status_changed'", r=grace) == [
        ({"status": {"old": "active", "new": "closed"}},)]
    # (the relay may still be sending an earlier test's thousands of events: wait longer)
    assert wait_for(lambda: published(engine, org, "record_status_changed") == 3, timeout=60)
    events = sql(engine, "SELECT payload, event_id::text FROM records.outbox WHERE routing_key ="
                 " 'record_status_changed' AND payload->'data'->>'record_id' = :r", r=grace)
    assert len(events) == 1
    payload, event_id = events[0]
    assert payload["data"] == {"record_id": grace, "kind": "client", "old": "active",
                               "new": "closed"}
    # the envelope the statement wrote is the one emit writes: it loads with the contract
    parsed = parse_envelope(payload, expected_type="records.record_status_changed")
    assert str(parsed["event_id"]) == event_id and str(parsed["organization_id"]) == org
    assert parsed["correlation_id"] == answer.headers["X-Request-Id"]


# --- deleted records ------------------------------------------------------------------------

def test_administrators_list_deleted_records_to_find_the_one_to_restore(gateway_url, staff):
    alice, bob = staff(), staff()
    deleted = f"{gateway_url}{API}/records/deleted"
    keep = create_record(alice, gateway_url, first_name="Kept")
    ada = create_record(alice, gateway_url, first_name="Ada", case_number="DEL-1")
    grace = create_record(alice, gateway_url, first_name="Grace", last_name="Hopper")
    theirs = create_record(bob, gateway_url)
    for session, record in ((alice, ada), (alice, grace), (bob, theirs)):
        assert session.delete(f"{gateway_url}{API}/records/{record['id']}").status_code == 204
    listed = alice.get(deleted)
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert [r["id"] for r in items] == [grace["id"], ada["id"]]  # latest deletion first
    assert items[0]["deleted_by"] == alice.user_id and items[0]["deleted_at"]
    assert [r["id"] for r in alice.get(deleted, params={"q": "del-1"}).json()["items"]] == [
        ada["id"]]
    assert [r["id"] for r in alice.get(deleted, params={"q": "hopp"}).json()["items"]] == [
        grace["id"]]
    page = alice.get(deleted, params={"limit": 1}).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    remover = staff(permissions=("delete_clients",), organization_id=alice.organization_id)
    assert remover.get(deleted).status_code == 403
    assert alice.post(f"{gateway_url}{API}/records/{ada['id']}/restore").status_code == 200
    assert [r["id"] for r in alice.get(deleted).json()["items"]] == [grace["id"]]
    assert keep["id"] not in [r["id"] for r in alice.get(deleted).json()["items"]]
