"""F7: RabbitMQ down -> the gateway answers 503 within its timeout, never hangs; ``/ready`` says
which part is down. And once the broker is back, the platform recovers by itself.

Two ways down: stopped (connections refused) and frozen (SIGSTOP: connections stay open and
nothing answers, the case where a client without its own timeout would hang)."""

from __future__ import annotations

import statistics
import time
import uuid

import eventlet
import pytest
import requests

from casework.migrations import SERVICES

from . import gates
from .platform import RPC_TIMEOUT, elapsed_since, operator_headers, staff_headers
from .servers import wait_until

pytestmark = pytest.mark.chaos

HANG = RPC_TIMEOUT + 15  # a request still unanswered by then counts as hung
MARGIN = 1.5  # scheduling slack on a shared two-core machine
REPLY_RETRIES_SECONDS = 15  # longer than nameko's retries of a reply (3, kombu's 2 s steps)


def timed(method: str, url: str, **kwargs) -> tuple[int | None, float, dict]:
    started = time.monotonic()
    try:
        answer = requests.request(method, url, timeout=HANG, **kwargs)
    except requests.RequestException as exc:
        return None, elapsed_since(started), {"error": repr(exc)}
    try:
        body = answer.json()
    except ValueError:
        body = {"text": answer.text[:200]}
    return answer.status_code, elapsed_since(started), body


def staff_requests(url: str, headers: dict, record_id: str) -> list[tuple[str, str, dict]]:
    create = {"json": {"first_name": "Broker", "last_name": "Down"}, "headers": headers}
    return [
        ("POST", f"{url}/api/v1/staff/records", create),
        ("GET", f"{url}/api/v1/staff/records/{record_id}", {"headers": headers}),
        ("GET", f"{url}/api/v1/staff/records", {"headers": headers, "params": {"q": "ada"}}),
    ] * 8


@pytest.mark.parametrize("down", ["stopped", "frozen"])
def test_f7_broker_down_gateway_answers_503_within_timeout_and_ready_names_the_broker(
        platform, chaos_env, figures, down):
    for name in SERVICES:
        platform.start(name)
    platform.start("gateway")
    url = platform.wait_gateway()
    platform.wait_ready()
    headers, organization_id = staff_headers(url)
    created = requests.post(f"{url}/api/v1/staff/records", headers=headers, timeout=30,
                            json={"first_name": "Ada", "last_name": "Before"})
    assert created.status_code == 201, created.text
    calls = staff_requests(url, headers, created.json()["id"])
    pool = eventlet.GreenPool(len(calls))

    rabbit = chaos_env.rabbit
    try:
        rabbit.stop() if down == "stopped" else rabbit.freeze()
        outage = list(pool.starmap(lambda m, u, kw: timed(m, u, **kw), calls))
        ready_status, ready_seconds, ready = timed("GET", f"{url}/ready",
                                                   headers=operator_headers())
        health_status, _, _ = timed("GET", f"{url}/health")
    finally:
        rabbit.start() if down == "stopped" else rabbit.thaw()
    restarted = time.monotonic()
    recovered = wait_until(lambda: requests.post(
        f"{url}/api/v1/staff/records", headers=headers, timeout=HANG,
        json={"first_name": "Ada", "last_name": "After"}).status_code == 201, 120,
        "a 201 after the broker came back", 0.5)
    recovery_seconds = elapsed_since(restarted)
    platform.wait_ready()

    statuses = [status for status, _, _ in outage]
    seconds = [s for _, s, _ in outage]
    figures["requests_during_outage"] = len(outage)
    figures["answered_503"] = statuses.count(503)
    figures["other_answers"] = sorted({str(s) for s in statuses if s != 503})
    figures["median_s"] = round(statistics.median(seconds), 3)
    figures["max_s"] = max(seconds)
    figures["rpc_timeout_s"] = RPC_TIMEOUT
    figures["ready_status"] = ready_status
    figures["ready_s"] = ready_seconds
    checks = ready.get("checks", {})
    figures["ready_checks"] = (f"broker={checks.get('broker')}, services unknown="
                               f"{sum(v.startswith('unknown') for v in checks.values())}")
    figures["recovered_after_restart_s"] = recovery_seconds
    figures["refused_writes_applied_later"] = chaos_env.scalar(
        "SELECT count(*) FROM records.records WHERE last_name = 'Down'")
    figures.report()

    assert statuses == [503] * len(calls), [o for o in outage if o[0] != 503][:3]
    assert {body.get("code") for _, _, body in outage} == {"service_unavailable"}
    assert max(seconds) <= RPC_TIMEOUT + MARGIN, "a request waited beyond the gateway's timeout"
    assert ready_status == 503
    assert ready["checks"]["broker"].startswith("down")
    assert all(ready["checks"][name].startswith("unknown") for name in SERVICES)
    assert ready_seconds <= RPC_TIMEOUT + MARGIN
    assert health_status == 200, "the gateway process itself stays alive"
    assert recovered
    # every acknowledged write is there, and no refused one: a frozen broker still hands over
    # the requests it had buffered once it thaws, and the services drop those past their
    # caller's deadline (casework/rpc.py CaseworkRpc)
    names = sorted(n for (n,) in chaos_env.rows(
        "SELECT last_name FROM records.records WHERE organization_id = :o",
        o=str(uuid.UUID(organization_id))))
    assert names.count("Before") == names.count("After") == 1
    assert "Down" not in names, "a request answered 503 was applied later"


def test_f7_services_survive_a_broker_outage_that_catches_a_call_in_flight(
        platform, chaos_env, figures):
    """The records service finishes a call while the broker is down and cannot send the reply:
    the reply is lost (the gateway has answered 503 already), the service must stay up."""
    for name in SERVICES:
        platform.start(name)
    platform.start("gateway")
    url = platform.wait_gateway()
    platform.wait_ready()
    headers, _ = staff_headers(url)
    gates.install(chaos_env, "in_flight", "records.records", "before_commit",
                  condition="NEW.last_name = 'InFlight'", seconds=2)
    call = eventlet.spawn(timed, "POST", f"{url}/api/v1/staff/records", headers=headers,
                          json={"first_name": "Ada", "last_name": "InFlight"})
    wait_until(lambda: gates.held(chaos_env), 30, "the call to be in flight")
    rabbit = chaos_env.rabbit
    try:
        rabbit.stop()
        eventlet.sleep(2 + REPLY_RETRIES_SECONDS)  # the call ends; its reply finds no broker
    finally:
        rabbit.start()
    status, _, _ = call.wait()
    platform.wait_ready()

    figures["answer"] = status
    figures["in_flight_create_committed"] = chaos_env.scalar(
        "SELECT count(*) FROM records.records WHERE last_name = 'InFlight'")
    figures["service_crashes_restarted"] = platform.crashes
    figures.report()

    assert status == 503
    assert platform.crashes == [], "a service died of a broker outage"
    # the request's first run committed; its redelivery after the reconnect must not run it again
    assert figures["in_flight_create_committed"] == 1, "one request, applied twice"
