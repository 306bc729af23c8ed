"""`casework serve` stops cleanly on Ctrl-C, which reaches every process of the group while
`casework run` forwards a SIGTERM as well: two signals, one stop."""

import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from casework import broker
from tests.fixtures import free_port, provision_bus_users, wait_for


@pytest.mark.parametrize("service", ["identity"])  # the one with a @timer, which refuses 2 stops
def test_serve_stops_once_on_two_signals(service, platform_config, database_url):
    provision_bus_users(platform_config["AMQP_URI"])
    env = {**os.environ, "CASEWORK_AMQP_URI": platform_config["AMQP_URI"],
           "CASEWORK_DATABASE_URL": database_url, "CASEWORK_LOG_LEVEL": "INFO"}
    process = subprocess.Popen([sys.executable, "-m", "casework.cli", "serve", service],
                               env=env, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(4)  # let it start its consumers and timers
        assert process.poll() is None, process.stderr.read()
        process.send_signal(signal.SIGINT)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr, stderr


@pytest.mark.parametrize("attempt", range(3))
def test_the_gateway_process_serves_http_and_stops_even_while_starting(
        platform_config, database_url, attempt):
    """Its HTTP server answers before the rest of the container has started; a SIGTERM then
    used to leave the process running for good (about one stop in four)."""
    provision_bus_users(platform_config["AMQP_URI"])
    port = free_port()
    env = {**os.environ, "CASEWORK_AMQP_URI": platform_config["AMQP_URI"],
           "CASEWORK_DATABASE_URL": database_url, "CASEWORK_HTTP_PORT": str(port)}
    process = subprocess.Popen([sys.executable, "-m", "casework.cli", "serve", "gateway"],
                               env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60  # a loaded 2-core machine starts slowly
        while True:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the gateway did not listen"
                time.sleep(0.2)
        assert answer.json() == {"status": "ok"}
        assert len(answer.headers["X-Request-Id"]) == 32
        if attempt == 0:  # it speaks on the bus as the gateway's own user, nobody else's
            vhost = broker.vhost_of(platform_config["AMQP_URI"])
            assert wait_for(lambda: connected_users(vhost)) == {"casework-gateway"}
    finally:
        process.terminate()
        process.wait(20)


def connected_users(vhost: str) -> set[str]:
    answer = requests.get("http://127.0.0.1:15672/api/connections", auth=("guest", "guest"),
                          timeout=10)
    return {c["user"] for c in answer.json() if c.get("vhost") == vhost}
