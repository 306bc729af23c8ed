"""The gateway never hangs on a missing service: 503 within its RPC timeout, and /ready names
what is down (QUALITY F7 at the service level; the broker-down case is in tests/chaos)."""

import time
import uuid

import pytest
import requests

from casework.config import settings


@pytest.fixture
def lonely_gateway(monkeypatch, start_services, platform_config):
    monkeypatch.setenv("CASEWORK_RPC_TIMEOUT", "1")
    settings.cache_clear()
    start_services("gateway")
    yield f"http://{platform_config['WEB_SERVER_ADDRESS']}"
    settings.cache_clear()


def test_a_service_that_does_not_answer_gives_503_within_the_timeout(lonely_gateway):
    started = time.monotonic()
    answer = requests.get(f"{lonely_gateway}/api/v1/staff/records/{uuid.uuid4()}",
                          headers={"Authorization": "Bearer some-token"}, timeout=10)
    elapsed = time.monotonic() - started
    assert answer.status_code == 503
    assert answer.json()["code"] == "service_unavailable"
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert elapsed < 3


def test_ready_names_every_part_that_is_down(lonely_gateway):
    answer = requests.get(f"{lonely_gateway}/ready", timeout=10, headers={
        "Authorization": f"Bearer {settings().operator_token}"})
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["broker"] == "ok"
    for service in ("identity", "records", "invitations", "notifications", "scheduling"):
        assert body["checks"][service].startswith("down"), service
    assert requests.get(f"{lonely_gateway}/health", timeout=5).json() == {"status": "ok"}
