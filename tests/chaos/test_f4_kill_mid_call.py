"""F4 for RPC: a records instance killed (``kill -9``) in the middle of a staff call -> the call
is redelivered to the other instance, the client gets one answer, and the call's effect is applied
once: one record for one create, one audit row for one read (QUALITY S5: "one row per staff read
or change of a record, even under redelivery").

The gate (``gates.py``) holds the call's transaction before its commit or inside it; the
instance holding it is SIGKILLed. nameko acknowledges an RPC request only after sending the reply,
so the broker redelivers the request in both windows; in ``during_commit`` the first execution
has committed by then.
"""

from __future__ import annotations

import eventlet
import pytest
import requests

from . import gates
from .platform import RPC_TIMEOUT, process_holding, staff_headers
from .servers import wait_until

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(300)]

HOLD = 1.5
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
