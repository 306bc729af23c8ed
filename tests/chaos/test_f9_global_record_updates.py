"""F9: concurrent global-record updates under faults F3 and F4 -> every agency copy ends at the
latest version.

Ten agency records are copies of one global record (ID-4). 300 ``identity.global_record_updated``
events, each changing one field at the next version as identity would write them, are published
from several threads at once, in shuffled order, and each twice (the same envelope: a
redelivery). Two records instances consume them; one is SIGKILLed (F4) and the broker is
restarted (F3) while they flow. Each copy must end with every field at the value of its highest
version, with nothing dead-lettered.
"""

from __future__ import annotations

import random
import time
import uuid

import eventlet
import pytest
from kombu import Connection
from nameko.standalone.events import get_event_exchange

from casework.events import envelope

from .platform import elapsed_since, queue_state
from .servers import wait_until
from .writers import RecordsUnitOfWork

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(600)]

COPIES = 10
UPDATES = 300
PUBLISHERS = 6
QUEUE = "evt-identity-global_record_updated--records.on_global_record_updated"


def value_of(field: str, version: int):
    if field == "phones":
        return [{"number": f"07700 9{version:05d}", "type": "mobile"}]
    if field == "email":
        return f"v{version}@example.org"
    return f"Name{version}"


def updates(global_record_id: str, linked: list[dict]) -> list[dict]:
    """What identity would publish: version n changes one field, which then has version n."""
    fields = ("first_name", "phones", "email", "last_name")
    return [{"global_record_id": global_record_id, "version": n,
             "changes": {fields[n % 4]: value_of(fields[n % 4], n)},
             "field_versions": {fields[n % 4]: n}, "linked_records": linked}
            for n in range(2, UPDATES + 2)]


def publish(amqp_uri: str, event: dict) -> None:
    """With publisher confirms, retried while the broker is away."""
    exchange = get_event_exchange("identity")
    deadline = time.monotonic() + 120
    while True:
        try:
            with Connection(amqp_uri, transport_options={"confirm_publish": True},
                            connect_timeout=2) as conn:
                conn.Producer().publish(event, exchange=exchange,
                                        routing_key="global_record_updated",
                                        serializer="json", delivery_mode=2, declare=[exchange],
                                        retry=False)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            eventlet.sleep(0.3)


def test_f9_concurrent_global_record_updates_under_broker_restart_and_killed_instance_end_at_the_latest(  # noqa: E501
        platform, chaos_env, figures):
    platform.start("records", instances=2)
    wait_until(lambda: (queue_state(chaos_env.amqp_uri, QUEUE) or (0, 0))[1] >= 2, 60,
               "two records consumers of global_record_updated", 0.2)
    organization_id = str(uuid.uuid4())
    uow = RecordsUnitOfWork(chaos_env.database_url)
    record_ids = uow.create_many(organization_id, COPIES, "F9")
    uow.close()
    global_record_id = str(uuid.uuid4())
    linked = [{"organization_id": organization_id, "record_id": r} for r in record_ids]
    events = [envelope("identity", "global_record_updated", data, organization_id=None)
              for data in updates(global_record_id, linked)]
    deliveries = events + events  # each twice: the second is a redelivery of the same event
    random.Random(9).shuffle(deliveries)
    latest = {}
    for event in events:
        for field, version in event["data"]["field_versions"].items():
            if version > latest.get(field, (0, None))[0]:
                latest[field] = (version, event["data"]["changes"][field])

    started = time.monotonic()
    chunks = [deliveries[i::PUBLISHERS] for i in range(PUBLISHERS)]
    publishers = [eventlet.spawn(lambda chunk=chunk: [publish(chaos_env.amqp_uri, e)
                                                      for e in chunk]) for chunk in chunks]

    def applied() -> int:
        return chaos_env.scalar("SELECT count(*) FROM records.inbox WHERE handler = "
                                "'on_global_record_updated'")

    wait_until(lambda: applied() >= UPDATES // 4, 120, "a quarter of the updates applied", 0.1)
    killed = platform.instances("records")[0]
    killed.kill()  # F4, mid-flow; the supervisor starts a replacement
    at_kill = applied()
    rabbit = chaos_env.rabbit
    try:
        rabbit.stop()  # F3
        eventlet.sleep(2)
    finally:
        rabbit.start()
    at_restart = applied()
    for publisher in publishers:
        publisher.wait()

    def copies_at_latest() -> bool:
        rows = chaos_env.rows(
            "SELECT first_name, last_name, email, phones, global_versions FROM records.records"
            " WHERE organization_id = :o", o=organization_id)
        return len(rows) == COPIES and all(
            row[4].get(field) == version and row[{"first_name": 0, "last_name": 1, "email": 2,
                                                  "phones": 3}[field]] == value
            for row in rows for field, (version, value) in latest.items())

    wait_until(lambda: applied() >= UPDATES and copies_at_latest(), 300,
               "every copy at the latest version", 0.5)
    seconds = elapsed_since(started)
    eventlet.sleep(2)  # late redeliveries must change nothing
    dead = chaos_env.scalar("SELECT count(*) FROM records.dead_letters")

    figures["copies"] = COPIES
    figures["updates_published_twice_shuffled"] = UPDATES
    figures["applied_at_kill"] = at_kill
    figures["applied_after_broker_restart"] = at_restart
    figures["applied_total"] = applied()
    figures["dead_lettered"] = dead
    figures["all_at_latest_after_s"] = seconds
    figures["service_crashes_restarted"] = platform.crashes
    figures.report()

    assert copies_at_latest() and applied() == UPDATES
    assert 0 < at_kill < UPDATES, "the kill did not happen during the deliveries"
    assert dead == 0
    assert platform.crashes == [], "a consumer died of the faults"
