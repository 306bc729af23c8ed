"""F6: PostgreSQL restarted under load -> requests fail fast with 503 during the outage and succeed
after, with no lost acknowledged write (every 201 is in the database afterwards, with its audit row
and its event delivered)."""

from __future__ import annotations

import statistics
import time
import uuid

import eventlet
import pytest
import requests

from casework.db import UNAVAILABLE_PAUSE
from casework.migrations import SERVICES

from .platform import RPC_TIMEOUT, operator_headers, staff_headers
from .servers import wait_until
from .writers import RecordsUnitOfWork

pytestmark = pytest.mark.chaos

CLIENTS = 6
BACKLOG = 300
OUTAGE = 6
HANG = RPC_TIMEOUT + 15
MARGIN = 1.5


class Load:
    """``CLIENTS`` clients creating records through the gateway until told to stop."""

    def __init__(self, url: str, headers: dict):
        self.url, self.headers = url, headers
        self.results: list[dict] = []
        self.running = True

    def client(self, number: int) -> None:
        sequence = 0
        while self.running:
            sequence += 1
            name = f"c{number}-{sequence}"
            started = time.monotonic()
            try:
                answer = requests.post(f"{self.url}/api/v1/staff/records", headers=self.headers,
                                       json={"first_name": "Load", "last_name": name},
                                       timeout=HANG)
                status, body = answer.status_code, answer.json()
            except (requests.RequestException, ValueError) as exc:
                status, body = None, {"error": repr(exc)}
            self.results.append({"name": name, "status": status, "body": body,
                                 "started": started, "ended": time.monotonic()})
            if status != 201:
                time.sleep(0.05)  # a real client would back off a little too

    def between(self, start: float, end: float) -> list[dict]:
        return [r for r in self.results if start <= r["started"] and r["ended"] <= end]


def test_f6_postgres_restarted_under_load_fails_fast_with_503_and_loses_no_acknowledged_write(
        platform, chaos_env, figures):
    for name in SERVICES:
        platform.start(name)
    platform.start("gateway")
    url = platform.wait_gateway()
    platform.wait_ready()
    platform.wait_rpc_consumers("identity", 1)
    headers, organization_id = staff_headers(url)
    load = Load(url, headers)
    pool = eventlet.GreenPool(CLIENTS)
    for number in range(CLIENTS):
        pool.spawn(load.client, number)
    postgres = chaos_env.postgres
    try:
        eventlet.sleep(3)
        down_at = time.monotonic()
        postgres.stop("immediate")  # a crash: recovery replays the WAL at start
        eventlet.sleep(1)
        ready_status, ready = _ready(url)
        eventlet.sleep(3)
        up_at = time.monotonic()
    finally:
        if not postgres.running():
            postgres.start()
    started_again = time.monotonic()
    first_201 = wait_until(lambda: next((r for r in load.results if r["status"] == 201
                                         and r["started"] >= started_again), None), 60,
                           "a 201 after PostgreSQL came back", 0.1)
    eventlet.sleep(3)
    load.running = False
    pool.waitall()
    tail_start = time.monotonic() - 1.5

    acknowledged = {r["body"]["id"] for r in load.results if r["status"] == 201}
    stored = {str(i) for (i,) in chaos_env.rows(
        "SELECT id FROM records.records WHERE organization_id = :o", o=organization_id)}
    wait_until(lambda: chaos_env.scalar(
        "SELECT count(*) FROM scheduling.clients WHERE organization_id = :o",
        o=organization_id) >= len(stored), 60, "the events of every stored record")
    delivered = {str(i) for (i,) in chaos_env.rows(
        "SELECT record_id FROM scheduling.clients WHERE organization_id = :o", o=organization_id)}
    audited = {str(i) for (i,) in chaos_env.rows(
        "SELECT record_id FROM records.audit_entries WHERE action = 'record_created'"
        " AND organization_id = :o", o=organization_id)}
    outage = load.between(down_at + 0.2, up_at)
    outage_seconds = [r["ended"] - r["started"] for r in outage]
    statuses = [r["status"] for r in load.results]

    figures["requests"] = len(load.results)
    figures["answered_201"] = statuses.count(201)
    figures["answered_503"] = statuses.count(503)
    figures["other_answers"] = sorted({str(s) for s in statuses if s not in (201, 503)})
    figures["requests_inside_outage"] = len(outage)
    figures["outage_503_median_s"] = round(statistics.median(outage_seconds), 3)
    figures["outage_503_max_s"] = round(max(outage_seconds), 3)
    figures["first_201_after_restart_s"] = round(first_201["ended"] - started_again, 3)
    figures["acknowledged_writes_stored"] = f"{len(acknowledged & stored)}/{len(acknowledged)}"
    figures["stored_writes_audited"] = f"{len(stored & audited)}/{len(stored)}"
    figures["stored_writes_events_delivered"] = f"{len(stored & delivered)}/{len(stored)}"
    figures["ready_during_outage"] = f"{ready_status} records={ready.get('records')}"
    figures["service_crashes_restarted"] = platform.crashes
    figures.report()

    assert set(statuses) <= {201, 503}, [r for r in load.results if r["status"] not in (201, 503)]
    assert outage and all(r["status"] == 503 for r in outage)
    assert {r["body"]["code"] for r in outage} == {"service_unavailable"}
    assert max(outage_seconds) <= RPC_TIMEOUT + MARGIN, "a request did not fail fast"
    assert acknowledged <= stored, f"lost acknowledged writes: {acknowledged - stored}"
    assert stored == audited == delivered
    assert all(r["status"] == 201 for r in load.between(tail_start, time.monotonic()))
    assert ready_status == 503 and ready["records"].startswith("down")
    assert platform.crashes == [], "a service died of the database outage"


def _ready(url: str) -> tuple[int, dict]:
    answer = requests.get(f"{url}/ready", headers=operator_headers(), timeout=HANG)
    return answer.status_code, answer.json().get("checks", {})


def test_f6_consumers_wait_out_a_database_outage_without_spinning_and_lose_nothing(
        platform, chaos_env, figures):
    """Events waiting in the queue when PostgreSQL goes down go back to the queue after a pause
    (``casework.db.UNAVAILABLE_PAUSE``), not at once, and are all applied once afterwards."""
    platform.start("records")
    (scheduling,) = platform.start("scheduling")
    platform.wait_consumers("scheduling", 1)
    chaos_env.execute("""
        CREATE FUNCTION public.slow_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_sleep(0.05); RETURN NEW; END $$;
        CREATE TRIGGER slow_apply BEFORE INSERT ON scheduling.clients FOR EACH ROW
            EXECUTE FUNCTION public.slow_apply();""")  # keeps a backlog in the queue
    uow = RecordsUnitOfWork(chaos_env.database_url)
    uow.create_many(str(uuid.uuid4()), BACKLOG, "F6")
    uow.close()
    wait_until(lambda: chaos_env.scalar("SELECT count(*) FROM scheduling.clients") >= 20, 60,
               "the backlog to be worked on")
    postgres = chaos_env.postgres
    started = time.monotonic()
    try:
        postgres.stop("immediate")
        eventlet.sleep(OUTAGE)
    finally:
        postgres.start()
    outage = time.monotonic() - started
    wait_until(lambda: chaos_env.scalar("SELECT count(*) FROM scheduling.clients") >= BACKLOG,
               120, "the whole backlog applied")
    lines = scheduling.log_records()
    requeued = sum("goes back to its queue" in line["msg"] for line in lines)
    tracebacks = sum(line["level"] in ("error", "critical") for line in lines)
    workers = int(chaos_env.process_env().get("CASEWORK_MAX_WORKERS", "10"))
    bound = workers * (outage / UNAVAILABLE_PAUSE + 2)  # one more pause of slack

    figures["backlog_events"] = BACKLOG
    figures["outage_s"] = round(outage, 1)
    figures["requeued_during_outage"] = requeued
    figures["requeue_bound"] = round(bound)
    figures["error_log_lines"] = tracebacks
    figures["applied"] = chaos_env.scalar("SELECT count(*) FROM scheduling.clients")
    figures["inbox"] = chaos_env.scalar("SELECT count(*) FROM scheduling.inbox")
    figures.report()

    assert 0 < requeued <= bound, "consumers spun through the outage"
    assert tracebacks == 0
    assert chaos_env.scalar("SELECT count(*) FROM scheduling.inbox") == BACKLOG
    assert chaos_env.scalar("SELECT count(*) FROM scheduling.dead_letters") == 0
    assert platform.crashes == []
