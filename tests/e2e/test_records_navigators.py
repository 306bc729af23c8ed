"""Navigators (REC-8): staff users of the same agency, learnt from identity.events, assigned to
and unassigned from records; navigator_assigned / navigator_unassigned are published."""

import uuid

from tests.e2e.test_records_support import API, create_record, publish, sql, staff_user_event
from tests.fixtures import wait_for


def assign(session, base, record_id, user_id):
    return session.post(f"{base}{API}/records/{record_id}/navigators", json={"user_id": user_id})


def assign_when_known(session, base, record_id, user_id):
    """Records learns staff users from identity's events: retry until it knows the user."""
    answer = wait_for(lambda: (lambda a: a if a.status_code in (200, 201) else None)(
        assign(session, base, record_id, user_id)))
    assert answer, f"records never learnt staff user {user_id}"
    return answer


def navigator_events(engine, record_id):
    rows = sql(engine, "SELECT routing_key, payload FROM records.outbox WHERE routing_key LIKE"
               " 'navigator_%' AND payload->'data'->>'record_id' = :r ORDER BY id", r=record_id)
    return [(key, payload["data"]["user_id"]) for key, payload in rows]


def test_rec8_staff_users_are_assigned_and_unassigned_as_navigators(gateway_url, staff, engine):
    alice = staff()
    base = gateway_url
    colleague = staff(permissions=(), organization_id=alice.organization_id)
    record = create_record(alice, base)
    other = create_record(alice, base, first_name="Grace")
    assigned = assign_when_known(alice, base, record["id"], colleague.user_id)
    assert assigned.status_code == 201
    assert [n["user_id"] for n in assigned.json()["navigators"]] == [colleague.user_id]
    assert assigned.json()["navigators"][0]["active"] is True
    assert assign(colleague, base, record["id"], colleague.user_id).status_code == 200
    assert assign(colleague, base, record["id"], alice.user_id).status_code == 201

    mine = alice.get(f"{base}{API}/records", params={"navigator_id": colleague.user_id}).json()
    assert [r["id"] for r in mine["items"]] == [record["id"]]
    url = f"{base}{API}/records/{record['id']}/navigators/{colleague.user_id}"
    assert alice.delete(url).status_code == 204
    assert alice.delete(url).status_code == 404
    assert alice.delete(f"{base}{API}/records/{other['id']}/navigators/"
                        f"{alice.user_id}").status_code == 404
    view = alice.get(f"{base}{API}/records/{record['id']}").json()
    assert [n["user_id"] for n in view["navigators"]] == [alice.user_id]
    assert navigator_events(engine, record["id"]) == [
        ("navigator_assigned", colleague.user_id), ("navigator_assigned", alice.user_id),
        ("navigator_unassigned", colleague.user_id)]


def test_rec8_only_active_staff_users_of_the_same_agency_can_be_navigators(
        gateway_url, staff, platform_config):
    alice, bob = staff(), staff()
    base, amqp = gateway_url, platform_config["AMQP_URI"]
    record = create_record(alice, base)
    assign_when_known(bob, base, create_record(bob, base)["id"], bob.user_id)  # bob is known
    for outsider in (bob.user_id, str(uuid.uuid4())):
        refused = assign(alice, base, record["id"], outsider)
        assert refused.status_code == 422
        assert refused.json()["errors"] == {"user_id": [
            "not an active staff user of this agency"]}
    nina = staff_user_event(first_name="Nina")
    publish(amqp, "identity", "staff_user_created", nina, alice.organization_id)
    assign_when_known(alice, base, record["id"], nina["user_id"])
    publish(amqp, "identity", "staff_user_updated", {**nina, "active": False},
            alice.organization_id)

    def shown_inactive():
        view = alice.get(f"{base}{API}/records/{record['id']}").json()
        return [n["active"] for n in view["navigators"]] == [False]

    assert wait_for(shown_inactive)
    later = create_record(alice, base, first_name="Later")
    assert assign(alice, base, later["id"], nina["user_id"]).status_code == 422


def test_staff_user_events_applied_out_of_order_keep_the_latest(gateway_url, staff,
                                                                platform_config, engine):
    alice, bob = staff(), staff()
    amqp = platform_config["AMQP_URI"]
    user = staff_user_event(first_name="Old")
    newer = publish(amqp, "identity", "staff_user_updated",
                    {**user, "first_name": "New", "name": "New Navigator"},
                    alice.organization_id, occurred_at="2030-01-02T00:00:00Z")
    older = publish(amqp, "identity", "staff_user_created", user, alice.organization_id,
                    occurred_at="2030-01-01T00:00:00Z")
    moved = publish(amqp, "identity", "staff_user_updated", {**user, "name": "Moved"},
                    bob.organization_id, occurred_at="2030-01-03T00:00:00Z")
    handled = "SELECT count(*) FROM records.inbox WHERE event_id IN (:a, :b, :c)"
    assert wait_for(lambda: sql(engine, handled, a=newer["event_id"], b=older["event_id"],
                                c=moved["event_id"]) == [(3,)])
    assert sql(engine, "SELECT name, organization_id::text FROM records.staff_users"
               " WHERE user_id = :u", u=user["user_id"]) == [
        ("New Navigator", alice.organization_id)]

    malformed = publish(amqp, "identity", "staff_user_created", {"email": "x@example.org"},
                        alice.organization_id)
    reasons = wait_for(lambda: sql(engine, "SELECT reason FROM records.dead_letters"
                                   " WHERE event_id = :e", e=malformed["event_id"]))
    assert reasons and "user_id" in reasons[0][0] and "active" in reasons[0][0]
