"""F4: a service instance killed (``kill -9``) mid-message -> the message is redelivered and applied
once; audit rows are not doubled.

Events: two instances of each consumer run: scheduling and the probe on
``records.record_created``, the records service on ``invitations.invitation_accepted`` (whose
effect is an audit row ``client_account_linked``, a portal status and a ``portal_status_changed``
event). A gate (``gates.py``) holds the fifth message of each consumer inside its transaction
(``before_commit``) or inside its ``COMMIT`` (``during_commit``: committed, not yet
acknowledged); the instance holding it is SIGKILLed, and the supervisor starts a replacement as
compose would.

RPC: a records instance killed in the middle of a staff call (an audited read, a create) -> the
call is redelivered to the other instance, the client gets one answer, and the call's effect is
applied once (QUALITY S5: "one row per staff read or change of a record, even under
redelivery"). nameko acknowledges an RPC request only after sending the reply, so the broker
redelivers it in both windows; in ``during_commit`` the first execution has committed by then.
"""

from __future__ import annotations

import uuid

import eventlet
import pytest
import requests

from . import gates
from .platform import RPC_TIMEOUT, EventSpy, process_holding, staff_headers
from .servers import wait_until
from .writers import RecordsUnitOfWork

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(300)]

RECORDS = 30
GATED = {  # consumer -> (table, which inserts count)
    "scheduling": ("scheduling.clients", "TRUE"),
    "probe": ("chaos_probe.applied", "TRUE"),
    "records": ("records.audit_entries", "NEW.action = 'client_account_linked'"),
}


def settled(env, organization_id: str) -> bool:
    return (env.scalar("SELECT count(DISTINCT event_id) FROM chaos_probe.applied") >= RECORDS
            and env.scalar("SELECT count(*) FROM scheduling.clients") >= RECORDS
            and env.scalar("SELECT count(*) FROM records.records WHERE organization_id = :o"
                           " AND portal_status = 'active'", o=organization_id) >= RECORDS)


@pytest.mark.parametrize("window", gates.WINDOWS)
def test_f4_instance_killed_mid_message_is_redelivered_and_applied_once_no_doubled_audit(
        platform, chaos_env, figures, window):
    for name in GATED:
        platform.start(name, instances=2)
    for queue in ("scheduling", "chaos_probe", "records"):
        platform.wait_consumers(queue, 2)
    for name, (table, condition) in GATED.items():
        gates.install(chaos_env, name, table, window, at=5, condition=condition)
    organization_id = str(uuid.uuid4())
    uow = RecordsUnitOfWork(chaos_env.database_url)
    record_ids = uow.create_many(organization_id, RECORDS, "F4")
    uow.close()
    invitations = EventSpy(chaos_env.amqp_uri, "invitations")
    for record_id in record_ids:
        invitations.publish("invitation_accepted", {"record_id": record_id,
                                                    "email": "client@example.org"},
                            organization_id)

    held = wait_until(lambda: len(found := gates.held(chaos_env)) >= len(GATED) and found, 60,
                      "every gate to hold a message")
    victims = [process_holding(port, chaos_env.postgres.port, platform.processes)
               for _, port in held]
    assert None not in victims and len({v.name for v in victims}) == len(GATED), victims
    for victim in victims:
        victim.kill()
    wait_until(lambda: settled(chaos_env, organization_id), 120, "every message applied")
    eventlet.sleep(2)  # room for late redeliveries to arrive and be refused

    killed_pids = {v.pid for v in victims}
    probe_rows = chaos_env.scalar("SELECT count(*) FROM chaos_probe.applied")
    probe_events = chaos_env.scalar("SELECT count(DISTINCT event_id) FROM chaos_probe.applied")
    redelivered = chaos_env.scalar(
        "SELECT count(*) FROM (SELECT event_id FROM chaos_probe.deliveries GROUP BY event_id"
        " HAVING count(DISTINCT pid) > 1) moved")
    scheduled = chaos_env.scalar("SELECT count(*) FROM scheduling.clients")
    scheduling_inbox = chaos_env.scalar("SELECT count(*) FROM scheduling.inbox")
    audit_rows = chaos_env.rows(
        "SELECT record_id, count(*) FROM records.audit_entries"
        " WHERE action = 'client_account_linked' GROUP BY record_id")
    status_events = chaos_env.scalar(
        "SELECT count(*) FROM records.outbox WHERE routing_key = 'portal_status_changed'")
    dead = chaos_env.scalar(
        "SELECT (SELECT count(*) FROM scheduling.dead_letters) + (SELECT count(*) FROM"
        " chaos_probe.dead_letters) + (SELECT count(*) FROM records.dead_letters)")

    figures["killed"] = sorted(v.name for v in victims)
    figures["messages_per_consumer"] = RECORDS
    figures["probe_applied_rows"] = f"{probe_rows} for {probe_events} events"
    figures["probe_events_delivered_to_two_instances"] = redelivered
    figures["scheduling_applied"] = f"{scheduled} (inbox {scheduling_inbox})"
    figures["records_audit_rows"] = f"{sum(n for _, n in audit_rows)} for {len(audit_rows)} records"
    figures["records_portal_status_changed_events"] = status_events
    figures["dead_lettered"] = dead
    figures["service_crashes_restarted"] = platform.crashes
    figures.report()

    assert killed_pids
    assert probe_rows == probe_events == RECORDS, "an event applied twice, or lost"
    assert redelivered >= 1, "the killed instance's message was not redelivered"
    assert scheduled == scheduling_inbox == RECORDS
    assert len(audit_rows) == RECORDS and all(n == 1 for _, n in audit_rows), "audit doubled"
    assert status_events == RECORDS
    assert dead == 0
    assert platform.crashes == []


HOLD = 1.5  # seconds a held call waits: less than the gateway's timeout, so it can answer
CALLS = {  # operation -> (gated table, which insert, how many rows one call must leave)
    "read": ("records.audit_entries", "NEW.action = 'record_read'",
             "SELECT count(*) FROM records.audit_entries WHERE action = 'record_read'"
             " AND record_id = :r"),
    "create": ("records.records", "NEW.last_name = 'Gated'",
               "SELECT count(*) FROM records.records WHERE last_name = 'Gated'"
               " AND organization_id = :o"),
}


@pytest.mark.parametrize("window", gates.WINDOWS)
@pytest.mark.parametrize("operation", sorted(CALLS))
def test_f4_records_instance_killed_mid_call_answers_once_and_applies_once(
        platform, chaos_env, figures, operation, window):
    platform.start("identity")
    platform.start("records", instances=2)
    platform.start("scheduling")
    platform.start("gateway")
    url = platform.wait_gateway()
    platform.wait_rpc_consumers("records", 2)
    platform.wait_rpc_consumers("identity", 1)
    headers, organization_id = staff_headers(url)
    created = requests.post(f"{url}/api/v1/staff/records", headers=headers, timeout=30,
                            json={"first_name": "Ada", "last_name": "Audited"})
    assert created.status_code == 201, created.text
    record_id = created.json()["id"]
    table, condition, count = CALLS[operation]
    # held for less than the gateway's timeout, so that the redelivered call can still answer
    gates.install(chaos_env, operation, table, window, condition=condition, seconds=HOLD)

    if operation == "read":
        call = (requests.get, f"{url}/api/v1/staff/records/{record_id}", {})
    else:
        call = (requests.post, f"{url}/api/v1/staff/records",
                {"json": {"first_name": "Ada", "last_name": "Gated"}})
    answer = eventlet.spawn(call[0], call[1], headers=headers, timeout=RPC_TIMEOUT + 15,
                            **call[2])
    (_, port), = wait_until(lambda: gates.held(chaos_env), 30, "the call to be held")
    victim = process_holding(port, chaos_env.postgres.port, platform.instances("records"))
    assert victim is not None
    victim.kill()
    response = answer.wait()
    eventlet.sleep(HOLD + 1)  # the killed instance's transaction has ended by then
    applied = chaos_env.scalar(count, r=record_id, o=organization_id)

    figures["answer"] = response.status_code
    figures["rows_left_by_one_call"] = applied
    figures["service_crashes_restarted"] = platform.crashes
    figures.report()

    assert response.status_code in (200, 201), response.text
    assert applied == 1, f"one {operation} call applied {applied} times"
