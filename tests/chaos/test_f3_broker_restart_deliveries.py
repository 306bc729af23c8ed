"""F3: the broker restarted during 10,000 event deliveries -> every event id consumed at least
once and applied exactly once.

The records service's unit of work commits 10,000 ``records.record_created`` events in batches
(``writers.py``); the records service process's relay publishes them; the scheduling service and
the probe (``probe.py``, whose ``applied`` table has no unique key, so a double application would
show) consume them. The broker is stopped and started again once a quarter has been applied.
"""

from __future__ import annotations

import time
import uuid

import eventlet
import pytest

from .platform import elapsed_since
from .servers import wait_until
from .writers import RecordsUnitOfWork

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(900)]

EVENTS = 10_000
BATCH = 500


def applied(env, *, distinct: bool = False) -> int:
    what = "count(DISTINCT event_id)" if distinct else "count(*)"
    return env.scalar(f"SELECT {what} FROM chaos_probe.applied")


def test_f3_broker_restarted_during_10000_deliveries_each_consumed_once_or_more_applied_once(
        platform, chaos_env, figures):
    for name in ("records", "scheduling", "probe"):
        platform.start(name)
    platform.wait_consumers("scheduling", 1)
    platform.wait_consumers("chaos_probe", 1)
    organization_id = str(uuid.uuid4())
    uow = RecordsUnitOfWork(chaos_env.database_url)

    failures = []

    def produce():
        try:
            for batch in range(EVENTS // BATCH):
                uow.create_many(organization_id, BATCH, f"F3-{batch}")
                eventlet.sleep(0.2)
        except Exception as exc:
            failures.append(exc)
            raise

    started = time.monotonic()
    producer = eventlet.spawn(produce)
    wait_until(lambda: failures or applied(chaos_env) >= EVENTS // 4, 300,
               "a quarter of the events applied")
    assert not failures, failures
    at_stop = {"committed": chaos_env.scalar("SELECT count(*) FROM records.outbox"),
               "published": chaos_env.scalar(
                   "SELECT count(*) FROM records.outbox WHERE published_at IS NOT NULL"),
               "applied": applied(chaos_env)}
    rabbit = chaos_env.rabbit
    try:
        rabbit.stop()
        eventlet.sleep(2)
    finally:
        rabbit.start()
    producer.wait()
    uow.close()
    wait_until(lambda: applied(chaos_env, distinct=True) >= EVENTS and chaos_env.scalar(
        "SELECT count(*) FROM scheduling.inbox") >= EVENTS, 600, "every event applied", 0.5)
    total_seconds = elapsed_since(started)
    eventlet.sleep(2)  # room for late redeliveries to arrive and be refused

    outbox = chaos_env.scalar("SELECT count(*) FROM records.outbox")
    unpublished = chaos_env.scalar("SELECT count(*) FROM records.outbox WHERE published_at IS NULL")
    consumed = chaos_env.scalar("SELECT count(DISTINCT event_id) FROM chaos_probe.deliveries")
    deliveries = chaos_env.scalar("SELECT count(*) FROM chaos_probe.deliveries")
    never_consumed = chaos_env.scalar(
        "SELECT count(*) FROM records.outbox o WHERE NOT EXISTS (SELECT 1 FROM"
        " chaos_probe.deliveries d WHERE d.event_id = o.event_id)")
    doubled = chaos_env.scalar(
        "SELECT count(*) FROM (SELECT event_id FROM chaos_probe.applied GROUP BY event_id"
        " HAVING count(*) > 1) twice")
    scheduling_inbox = chaos_env.scalar(
        "SELECT count(*) FROM scheduling.inbox i JOIN records.outbox o USING (event_id)")
    scheduled = chaos_env.scalar(
        "SELECT count(*) FROM scheduling.clients c JOIN records.records r ON r.id = c.record_id")
    dead = chaos_env.scalar("SELECT (SELECT count(*) FROM scheduling.dead_letters)"
                            " + (SELECT count(*) FROM chaos_probe.dead_letters)")

    figures["events_written"] = outbox
    figures["at_broker_stop"] = at_stop
    figures["published_unconfirmed_left"] = unpublished
    figures["consumed_distinct"] = consumed
    figures["deliveries_incl_redeliveries"] = deliveries
    figures["applied_probe"] = applied(chaos_env)
    figures["applied_twice"] = doubled
    figures["applied_scheduling"] = f"{scheduled} (inbox {scheduling_inbox})"
    figures["dead_lettered"] = dead
    figures["all_applied_after_s"] = total_seconds
    figures["service_crashes_restarted"] = platform.crashes
    figures.report()

    assert outbox == EVENTS and unpublished == 0
    assert 0 < at_stop["applied"] < EVENTS, "the restart did not happen during the deliveries"
    assert never_consumed == 0 and consumed == EVENTS
    assert applied(chaos_env) == applied(chaos_env, distinct=True) == EVENTS
    assert doubled == 0
    assert scheduled == scheduling_inbox == EVENTS
    assert dead == 0
    assert platform.crashes == [], "a consumer died of the broker restart"
