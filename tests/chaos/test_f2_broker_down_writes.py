"""F2: the broker stopped while records are written, then started -> every committed change's event
is delivered (outbox), none invented.

While the broker is down the gateway answers 503 (it needs the bus), so records are written
through the records service's own unit of work in this process (``writers.py``); the records
service process stays up and its outbox relay publishes what was committed once the broker is
back. A spy queue bound to ``records.events`` shows what really reached the broker; the
scheduling service and the probe (``probe.py``) show what was consumed and applied.
"""

from __future__ import annotations

import time

import eventlet
import pytest
import requests

from .platform import RPC_TIMEOUT, EventSpy, staff_headers
from .servers import wait_until
from .writers import RecordsUnitOfWork

pytestmark = pytest.mark.chaos


class Writers:
    def __init__(self, url: str, headers: dict, organization_id: str, uow: RecordsUnitOfWork):
        self.url, self.headers, self.organization_id, self.uow = (
            url, headers, organization_id, uow)
        self.phase = "before"
        self.running = True
        self.committed: dict[str, list[str]] = {
            "before": [], "outage": [], "restarting": [], "after": []}
        self.gateway: list[tuple[str, int | None]] = []
        self.acknowledged: set[str] = set()

    def through_unit_of_work(self) -> None:
        n = 0
        while self.running:
            n += 1
            phase = self.phase
            record = self.uow.create(self.organization_id, f"uow-{phase}-{n}")
            self.committed[phase].append(record["id"])
            eventlet.sleep(0.02)

    def through_gateway(self) -> None:
        n = 0
        while self.running:
            n += 1
            phase = self.phase
            try:
                status = requests.post(
                    f"{self.url}/api/v1/staff/records", headers=self.headers,
                    timeout=RPC_TIMEOUT + 15,
                    json={"first_name": "Http", "last_name": f"http-{phase}-{n}"}).status_code
            except requests.RequestException:
                status = None
            self.gateway.append((phase, status))
            if status == 201:
                self.acknowledged.add(f"http-{phase}-{n}")
            eventlet.sleep(0.05)


def test_f2_broker_stopped_while_records_are_written_every_committed_event_delivered_none_invented(
        platform, chaos_env, figures):
    for name in ("identity", "records", "scheduling", "probe", "gateway"):
        platform.start(name)
    url = platform.wait_gateway()
    platform.wait_consumers("scheduling", 1)
    platform.wait_consumers("chaos_probe", 1)
    platform.wait_rpc_consumers("records", 1)
    platform.wait_rpc_consumers("identity", 1)
    spy = EventSpy(chaos_env.amqp_uri)
    headers, organization_id = staff_headers(url)
    writers = Writers(url, headers, organization_id, RecordsUnitOfWork(chaos_env.database_url))
    pool = eventlet.GreenPool(2)
    pool.spawn(writers.through_unit_of_work)
    pool.spawn(writers.through_gateway)
    rabbit = chaos_env.rabbit
    try:
        eventlet.sleep(2)
        rabbit.stop()
        writers.phase = "outage"
        eventlet.sleep(5)
    finally:
        writers.phase = "restarting"
        rabbit.start()
    restarted = time.monotonic()
    writers.phase = "after"
    eventlet.sleep(2)
    writers.running = False
    pool.waitall()
    writers.uow.close()

    org = {"o": organization_id}
    outage_writes = set(writers.committed["outage"])
    wait_until(lambda: _applied_record_ids(chaos_env, organization_id) >= outage_writes, 60,
               "the events of the records written during the outage")
    backlog_seconds = round(time.monotonic() - restarted, 3)
    wait_until(lambda: chaos_env.scalar(
        "SELECT count(*) FROM records.outbox WHERE published_at IS NULL") == 0 and
        chaos_env.scalar("SELECT count(*) FROM chaos_probe.applied a JOIN records.outbox o"
                         " USING (event_id) WHERE o.payload->>'organization_id' = :o", **org)
        == chaos_env.scalar("SELECT count(*) FROM records.records WHERE organization_id = :o",
                            **org), 60, "every committed event applied")
    eventlet.sleep(1)  # room for a late duplicate to arrive and be refused
    committed = {str(i) for (i,) in chaos_env.rows(
        "SELECT id FROM records.records WHERE organization_id = :o", **org)}
    outbox = {str(e): r for e, r in chaos_env.rows(
        "SELECT event_id, payload->'data'->>'record_id' FROM records.outbox"
        " WHERE payload->>'organization_id' = :o", **org)}
    unpublished = chaos_env.scalar(
        "SELECT count(*) FROM records.outbox WHERE published_at IS NULL")
    spied = [e for e in spy.drain() if e.get("organization_id") == organization_id]
    applied = chaos_env.rows(
        "SELECT a.event_id, count(*) FROM chaos_probe.applied a JOIN records.outbox o"
        " USING (event_id) WHERE o.payload->>'organization_id' = :o GROUP BY a.event_id", **org)
    scheduled = {str(i) for (i,) in chaos_env.rows(
        "SELECT record_id FROM scheduling.clients WHERE organization_id = :o", **org)}
    deliveries = chaos_env.scalar(
        "SELECT count(*) FROM chaos_probe.deliveries d JOIN records.outbox o USING (event_id)"
        " WHERE o.payload->>'organization_id' = :o", **org)
    gateway_outage = [s for phase, s in writers.gateway if phase == "outage"]

    figures["committed_before"] = len(writers.committed["before"])
    figures["committed_during_outage"] = len(outage_writes)
    figures["committed_after"] = len(writers.committed["restarting"] + writers.committed["after"])
    figures["gateway_201"] = sum(1 for _, s in writers.gateway if s == 201)
    figures["gateway_503_during_outage"] = gateway_outage.count(503)
    http_stored = {n for (n,) in chaos_env.rows(
        "SELECT last_name FROM records.records WHERE organization_id = :o"
        " AND last_name LIKE 'http-%'", **org)}
    figures["gateway_503_applied_later"] = len(http_stored - writers.acknowledged)
    figures["events_written"] = len(outbox)
    figures["published_unconfirmed_left"] = unpublished
    figures["reached_broker"] = f"{len({e['event_id'] for e in spied})} ({len(spied)} messages)"
    figures["consumed"] = deliveries
    figures["applied_probe"] = sum(n for _, n in applied)
    figures["applied_scheduling"] = len(scheduled)
    figures["outage_backlog_applied_after_s"] = backlog_seconds
    figures["service_crashes_restarted"] = platform.crashes
    figures.report()

    assert outage_writes, "nothing was written while the broker was down"
    assert gateway_outage and set(gateway_outage) == {503}
    assert set(outbox.values()) == committed, "a committed change without its one event"
    assert len(outbox) == len(committed)
    assert unpublished == 0
    assert {e["event_id"] for e in spied} == set(outbox), "an event lost or invented"
    assert {e["data"]["record_id"] for e in spied} <= committed
    assert writers.acknowledged <= http_stored, "an acknowledged write was lost"
    assert {str(e) for e, _ in applied} == set(outbox)
    assert all(n == 1 for _, n in applied), "an event applied twice"
    assert scheduled == committed
    assert platform.crashes == [], "a service died of the broker outage"


def _applied_record_ids(env, organization_id: str) -> set[str]:
    return {str(i) for (i,) in env.rows(
        "SELECT a.record_id FROM chaos_probe.applied a JOIN records.outbox o USING (event_id)"
        " WHERE o.payload->>'organization_id' = :o", o=organization_id)}
