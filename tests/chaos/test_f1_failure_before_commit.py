"""F1: an exception after the business write, before the commit -> no event published, no outbox
row.

Two ways, each ten times, interleaved with ten ordinary creates that must come through:
- through the gateway and the real records service, whose transaction fails when it commits: a
  deferred trigger in the test's database raises at ``COMMIT`` for case numbers ``F1-...``, after
  the record, its audit row and its outbox row were written;
- in the fault suite's writer process (``probe.py`` ``ChaosWriter``): a Python exception raised
  inside the unit of work right after the record insert and ``uow.emit``.
A spy queue on ``records.events`` shows what reached the broker; scheduling and the probe show
what was consumed.
"""

from __future__ import annotations

import eventlet
import pytest
import requests
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcClient

from .platform import EventSpy, staff_headers
from .servers import wait_until

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(300)]

ATTEMPTS = 10


def fail_commits_of_f1_records(env) -> None:
    env.execute("""
        CREATE FUNCTION public.fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.payload->'data'->>'case_number' LIKE 'F1-%' THEN
                RAISE EXCEPTION 'F1: the commit fails after every write was made';
            END IF;
            RETURN NEW;
        END $$;
        CREATE CONSTRAINT TRIGGER fail_at_commit AFTER INSERT ON records.outbox
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.fail_at_commit();
    """)


def test_f1_exception_after_business_write_before_commit_publishes_nothing_leaves_no_outbox_row(
        platform, chaos_env, figures):
    for name in ("identity", "records", "scheduling", "probe", "writer", "gateway"):
        platform.start(name)
    url = platform.wait_gateway()
    for service in ("identity", "records", "chaos_writer"):
        platform.wait_rpc_consumers(service, 1)
    platform.wait_consumers("scheduling", 1)
    platform.wait_consumers("chaos_probe", 1)
    spy = EventSpy(chaos_env.amqp_uri)
    headers, organization_id = staff_headers(url)
    fail_commits_of_f1_records(chaos_env)

    gateway_answers, writer_errors, controls = [], [], []
    with ClusterRpcClient(uri=chaos_env.amqp_uri, timeout=30) as client:
        for n in range(ATTEMPTS):
            answer = requests.post(f"{url}/api/v1/staff/records", headers=headers, timeout=30,
                                   json={"first_name": "F1", "last_name": "Gateway",
                                         "case_number": f"F1-G{n}"})
            gateway_answers.append(answer.status_code)
            try:
                client.chaos_writer.create_then_fail(organization_id, f"F1-W{n}")
            except RemoteError as exc:
                writer_errors.append(exc.exc_type)
            control = requests.post(f"{url}/api/v1/staff/records", headers=headers, timeout=30,
                                    json={"first_name": "F1", "last_name": "Control"})
            assert control.status_code == 201, control.text
            controls.append(control.json()["id"])
    wait_until(lambda: chaos_env.scalar(
        "SELECT count(*) FROM chaos_probe.applied WHERE record_id = ANY(CAST(:ids AS uuid[]))",
        ids=controls) == ATTEMPTS and chaos_env.scalar(
        "SELECT count(*) FROM scheduling.clients WHERE organization_id = :o",
        o=organization_id) == ATTEMPTS, 60, "the control events applied")
    eventlet.sleep(1)  # anything published after the controls would have arrived by now

    f1 = {"o": organization_id}
    f1_records = chaos_env.scalar(
        "SELECT count(*) FROM records.records WHERE case_number LIKE 'F1-%%'")
    f1_outbox = chaos_env.scalar(
        "SELECT count(*) FROM records.outbox WHERE payload->'data'->>'case_number' LIKE 'F1-%%'")
    spied = [e for e in spy.drain() if e.get("organization_id") == organization_id]
    f1_published = [e for e in spied if str(e["data"].get("case_number", "")).startswith("F1-")]
    applied = {str(r) for (r,) in chaos_env.rows(
        "SELECT a.record_id FROM chaos_probe.applied a")}
    scheduled = {str(r) for (r,) in chaos_env.rows(
        "SELECT record_id FROM scheduling.clients WHERE organization_id = :o", **f1)}

    figures["fault_attempts"] = f"{ATTEMPTS} gateway + {ATTEMPTS} writer"
    figures["gateway_answers"] = sorted(set(gateway_answers))
    figures["writer_errors"] = sorted(set(writer_errors))
    figures["records_left"] = f1_records
    figures["outbox_rows_left"] = f1_outbox
    figures["events_published"] = len(f1_published)
    figures["events_applied"] = len((applied | scheduled) - set(controls))
    figures["controls_written_published_applied"] = (
        f"{len(controls)}/{len(spied)}/{len(applied & set(controls))}")
    figures.report()

    assert all(status >= 500 for status in gateway_answers), gateway_answers
    assert writer_errors == ["RuntimeError"] * ATTEMPTS
    assert f1_records == f1_outbox == 0
    assert f1_published == []
    assert {e["data"]["record_id"] for e in spied} == set(controls)
    assert applied == scheduled == set(controls)
