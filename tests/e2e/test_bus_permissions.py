"""Who may speak on the bus (issue 19): each service, the gateway and outside systems connect as
their own RabbitMQ user (``casework.broker``), and a service acts only on a caller the gateway
signed (``casework.callers``). Through the real broker, services and database."""

from __future__ import annotations

import time
import uuid

import pytest
from amqp.exceptions import AccessRefused
from kombu import Connection, Exchange, Queue
from nameko.standalone.rpc import ClusterRpcClient

from casework import broker, callers
from casework.errors import PermissionDenied
from casework.events import envelope, event_exchange
from tests.e2e.test_records_support import API, create_record, sql
from tests.fixtures import signed, wait_for


def publish_as(uri: str, source: str, name: str, data: dict, organization_id) -> dict:
    """Publish an event envelope on ``<source>.events`` with publisher confirms, as the user of
    ``uri`` (the exchange exists: the platform declared it)."""
    payload = envelope(source, name, data, organization_id=organization_id)
    with Connection(uri, transport_options={"confirm_publish": True}) as conn:
        conn.Producer().publish(payload, exchange=event_exchange(source), routing_key=name,
                                serializer="json", retry=False)
    return payload


def rpc_as(uri: str, process: str, timeout: float = 10) -> ClusterRpcClient:
    """A standalone RPC client connecting as ``process``'s user, with a reply queue named as
    that process's are (``rpc.reply-<process>-<uuid>``)."""
    client = ClusterRpcClient(uri=uri, timeout=timeout)
    client.reply_listener.queue.name = f"rpc.reply-{process}-{uuid.uuid4()}"
    return client


def portal_status(engine, record_id: str):
    return sql(engine, "SELECT portal_status FROM records.records WHERE id = :r",
               r=record_id)[0][0]


def test_a_forged_invitation_accepted_from_an_outside_system_is_refused_and_changes_nothing(
        gateway_url, bus_users, staff, engine):
    alice = staff()
    record = create_record(alice, gateway_url)
    data = {"invitation_id": str(uuid.uuid4()), "record_id": record["id"],
            "email": "ada@example.org"}
    # an outside system, and a service that is not invitations, may not publish it
    for process in ("external", "records", "identity", "gateway"):
        with pytest.raises(AccessRefused):
            publish_as(bus_users[process], "invitations", "invitation_accepted", data,
                       alice.organization_id)
    time.sleep(1.0)  # what would have been consumed by now (relay sweeps every 0.2 s)
    assert portal_status(engine, record["id"]) is None
    assert alice.get(f"{gateway_url}{API}/records/{record['id']}").json()[
        "has_client_account"] is False
    # the same event from the invitations service's own user is applied: the refusal above was
    # the broker's, not a mistake in the event
    publish_as(bus_users["invitations"], "invitations", "invitation_accepted", data,
               alice.organization_id)
    assert wait_for(lambda: portal_status(engine, record["id"]) == "active")


def test_an_outside_system_publishes_on_external_events_only_and_reads_into_its_own_queues(
        gateway_url, bus_users, staff):
    alice = staff()
    publish_as(bus_users["external"], "external", "client_enrolled", {
        "record_id": str(uuid.uuid4())}, alice.organization_id)  # allowed (dead-lettered)
    for source in ("records", "identity", "scheduling"):
        with pytest.raises(AccessRefused):
            publish_as(bus_users["external"], source, "record_created", {}, None)
    with Connection(bus_users["external"]) as conn:
        # the platform declared records.events: an outside system only checks it (passive)
        records_events = Exchange("records.events", "topic", durable=True, passive=True)
        mine = Queue("external.crm.records", exchange=records_events,
                     routing_key="record_created", auto_delete=True)
        inbox = conn.SimpleQueue(mine)
        record = create_record(alice, gateway_url)
        message = inbox.get(timeout=10)
        assert message.payload["data"]["record_id"] == record["id"]
        message.ack()
        inbox.close()
    for name in ("external.unrouted", "rpc-records"):  # the platform's queues are not its own
        with Connection(bus_users["external"]) as conn:
            with pytest.raises(AccessRefused):
                conn.SimpleQueue(Queue(name, no_declare=True)).get(timeout=1)


def test_an_outside_system_cannot_call_any_service(gateway_url, bus_users, staff, engine):
    """A forged RPC call to records with another agency's caller, from an outside system's user:
    the broker refuses it (no reply queue, no request), and nothing is written."""
    victim = staff()
    forged = signed({"kind": "staff", "organization_id": victim.organization_id,
                     "user_id": victim.user_id, "permissions": ["agency_admin"]})
    with pytest.raises(AccessRefused), rpc_as(bus_users["external"], "external") as client:
        client.records.create_record(forged, {"first_name": "Eve", "last_name": "Forged"})
    request = {"args": [forged, {"first_name": "Eve", "last_name": "Forged"}], "kwargs": {}}
    with Connection(bus_users["external"], transport_options={"confirm_publish": True}) as conn:
        with pytest.raises(AccessRefused):
            conn.Producer().publish(request, exchange=Exchange(broker.RPC_EXCHANGE, "topic"),
                                    routing_key="records.create_record", serializer="json",
                                    reply_to=str(uuid.uuid4()), retry=False)
    time.sleep(0.5)
    assert sql(engine, "SELECT count(*) FROM records.records WHERE organization_id = :o",
               o=victim.organization_id)[0][0] == 0


def test_a_service_calls_only_the_services_its_code_calls(gateway_url, bus_users):
    """Topic permissions on nameko-rpc: scheduling calls nobody, records only scheduling and
    identity, invitations only identity, records and notifications."""
    request = {"args": [], "kwargs": {}}
    for process, key in (("scheduling", "records.create_record"),
                         ("records", "notifications.send_email"),
                         ("invitations", "scheduling.financial_links")):
        with Connection(bus_users[process], transport_options={"confirm_publish": True}) as c:
            with pytest.raises(AccessRefused):
                c.Producer().publish(request, exchange=Exchange(broker.RPC_EXCHANGE, "topic"),
                                     routing_key=key, serializer="json",
                                     reply_to=str(uuid.uuid4()), retry=False)


def test_a_service_cannot_take_another_services_requests(gateway_url, bus_users):
    """Binding a queue of its own to nameko-rpc with another service's key is refused (topic
    read), and so is consuming another service's queue (read)."""
    rpc_exchange = Exchange(broker.RPC_EXCHANGE, "topic", durable=True)
    with Connection(bus_users["scheduling"]) as conn:
        reply_key = str(uuid.uuid4())  # its own reply queue, as nameko binds it: allowed
        Queue(f"rpc.reply-scheduling-{reply_key}", exchange=rpc_exchange, routing_key=reply_key,
              auto_delete=True)(conn.channel()).declare()
        queue = Queue(f"rpc.reply-scheduling-{uuid.uuid4()}", exchange=rpc_exchange,
                      routing_key="identity.*", auto_delete=True)
        with pytest.raises(AccessRefused):
            queue(conn.channel()).declare()
    with Connection(bus_users["scheduling"]) as conn:
        with pytest.raises(AccessRefused):
            conn.SimpleQueue(Queue("rpc-identity", no_declare=True)).get(timeout=1)


def forged_callers(victim, attacker) -> dict:
    mine = signed({"kind": "staff", "organization_id": attacker.organization_id,
                   "user_id": attacker.user_id, "permissions": ["agency_admin"]})
    theirs = {"kind": "staff", "organization_id": victim.organization_id,
              "user_id": victim.user_id, "permissions": ["agency_admin"]}
    return {
        "unsigned": theirs,
        "signed with another key": callers.sign(theirs, key="guessed-key"),
        "expired": callers.sign(theirs, now=time.time() - callers.LIFETIME - 5),
        "another agency edited into a signed caller": {
            **mine, "organization_id": victim.organization_id},
    }


def test_a_forged_caller_from_a_permitted_user_is_refused_by_the_service_before_any_transaction(
        gateway_url, bus_users, staff, engine):
    victim, attacker = staff(), staff()
    record = create_record(victim, gateway_url)
    before = sql(engine, "SELECT count(*) FROM records.records WHERE organization_id = :o",
                 o=victim.organization_id)[0][0]
    replies = sql(engine, "SELECT count(*) FROM records.rpc_replies")[0][0]
    audit = sql(engine, "SELECT count(*) FROM records.audit_entries")[0][0]
    with rpc_as(bus_users["gateway"], "gateway") as client:
        for name, caller in forged_callers(victim, attacker).items():
            with pytest.raises(PermissionDenied):
                client.records.create_record(caller, {"first_name": "Eve", "last_name": name})
            with pytest.raises(PermissionDenied):
                client.records.get_record(caller, record["id"])
            with pytest.raises(PermissionDenied):
                client.records.delete_record(caller, record["id"])
        # no command transaction ran: no stored reply, no audit row (reads are audited too)
        assert sql(engine, "SELECT count(*) FROM records.rpc_replies")[0][0] == replies
        assert sql(engine, "SELECT count(*) FROM records.audit_entries")[0][0] == audit
        # the gateway's user with a caller the gateway signed works as before
        genuine = signed({"kind": "staff", "organization_id": victim.organization_id,
                          "user_id": victim.user_id, "permissions": ["agency_admin"]})
        assert client.records.get_record(genuine, record["id"])["id"] == record["id"]
    assert sql(engine, "SELECT count(*) FROM records.records WHERE organization_id = :o",
               o=victim.organization_id)[0][0] == before
    assert sql(engine, "SELECT deleted_at FROM records.records WHERE id = :r",
               r=record["id"])[0][0] is None
