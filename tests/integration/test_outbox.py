"""The transactional outbox and idempotent consumers (OPS-2; QUALITY F1, and the skeleton's
"exactly once even when the relay is restarted mid-way")."""

import uuid

import pytest
from nameko.rpc import rpc
from nameko.standalone.rpc import ClusterRpcClient
from sqlalchemy import insert, text

from casework.db import Database, make_engine
from casework.outbox import OutboxRelay
from services.records.models import case_number_counters, messaging, metadata
from tests.fixtures import signed, wait_for


class FailingRecordsWriter:
    name = "failing_writer"
    db = Database("records", metadata)

    @rpc
    def write_then_fail(self, organization_id):
        with self.db.transaction() as uow:
            record_id = str(uuid.uuid4())
            # any business write of the records schema will do; this table is the simplest
            uow.session.execute(insert(case_number_counters).values(
                organization_id=organization_id, last_value=41))
            uow.emit("record_created", {"record_id": record_id, "kind": "client",
                                        "status": "active", "case_number": "C-42"},
                     organization_id=organization_id)
            raise RuntimeError("boom after the business write, before commit")


def count(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def test_f1_exception_before_commit_leaves_no_row_no_outbox_event_and_publishes_nothing(
        start_services, runner_factory, platform_config, engine):
    start_services("scheduling")
    runner_factory(FailingRecordsWriter).start()
    organization_id = str(uuid.uuid4())
    with ClusterRpcClient() as client, pytest.raises(Exception, match="boom"):
        client.failing_writer.write_then_fail(organization_id)
    assert count(engine, "SELECT count(*) FROM records.case_number_counters"
                 " WHERE organization_id = :o", o=organization_id) == 0
    assert count(engine, "SELECT count(*) FROM records.outbox WHERE payload->>"
                 "'organization_id' = :o", o=organization_id) == 0
    assert count(engine, "SELECT count(*) FROM scheduling.clients WHERE organization_id = :o",
                 o=organization_id) == 0


def test_event_applied_exactly_once_when_the_relay_restarts_after_publishing(
        start_services, platform_config, engine, database_url):
    """The relay publishes, then 'crashes' before marking the row: a restarted relay publishes
    the same event again, and the consumer applies it once."""
    start_services("records", "scheduling")
    organization_id = str(uuid.uuid4())
    caller = signed({"kind": "staff", "organization_id": organization_id,
                     "user_id": str(uuid.uuid4()), "permissions": []})
    with ClusterRpcClient() as client:
        record = client.records.create_record(caller, {"first_name": "Ada", "last_name": "L"})
    applied = "SELECT count(*) FROM scheduling.clients WHERE record_id = :r"
    assert wait_for(lambda: count(engine, applied, r=record["id"]) == 1)

    # the relay's crash window: published, but published_at never written
    with engine.begin() as conn:
        conn.execute(text("UPDATE records.outbox SET published_at = NULL"
                          " WHERE payload->'data'->>'record_id' = :r"), {"r": record["id"]})
    relay = OutboxRelay(make_engine(database_url, pool_size=1), messaging["outbox"],
                        platform_config["AMQP_URI"], interval=0.1)
    assert relay.sweep() >= 1
    relay.stop()

    handled = ("SELECT count(*) FROM scheduling.inbox i JOIN records.outbox o"
               " ON o.event_id = i.event_id WHERE o.payload->'data'->>'record_id' = :r")
    assert wait_for(lambda: count(engine, handled, r=record["id"]) == 1)
    # give the duplicate delivery time to arrive and be skipped, then check nothing doubled
    wait_for(lambda: False, timeout=1.0)
    assert count(engine, applied, r=record["id"]) == 1
    assert count(engine, handled, r=record["id"]) == 1


def test_malformed_inbound_event_is_dead_lettered_with_its_reason(
        start_services, platform_config, engine):
    from kombu import Connection
    from nameko.standalone.events import get_event_exchange

    start_services("scheduling")
    marker = str(uuid.uuid4())
    with Connection(platform_config["AMQP_URI"]) as conn:
        exchange = get_event_exchange("records")
        conn.Producer().publish({"type": "records.record_created", "version": 99,
                                 "event_id": marker}, exchange=exchange,
                                routing_key="record_created", serializer="json",
                                declare=[exchange])
    reason = wait_for(lambda: count(
        engine, "SELECT count(*) FROM scheduling.dead_letters WHERE payload->>'event_id' = :m",
        m=marker) == 1)
    assert reason
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT reason, attempts FROM scheduling.dead_letters"
                                   " WHERE payload->>'event_id' = :m"), {"m": marker}).one()
    assert "malformed envelope" in stored.reason and stored.attempts == 0


def test_relay_chores_run_in_the_relays_own_loop_and_transaction(platform_config, database_url):
    """Housekeeping (pruning stored RPC replies) runs in the relay's greenthread, on its
    connection, instead of a thread of its own taking another pooled connection."""
    import eventlet

    relay = OutboxRelay(make_engine(database_url, pool_size=1), messaging["outbox"],
                        platform_config["AMQP_URI"], interval=0.05)
    seen = []
    relay.add_chore(0.1, lambda conn: seen.append(conn.execute(text("SELECT 1")).scalar()))
    runner = eventlet.spawn(relay.run)
    try:
        assert wait_for(lambda: len(seen) >= 2, timeout=5)
    finally:
        relay.stop()
        runner.wait()
        relay.engine.dispose()
    assert set(seen) == {1}
