"""/ready's broker check: a broker that refuses connections is reported as refusing (it was
reported as a timeout, after a retry that made /ready wait two seconds)."""

import socket

import nameko

from gateway.routes.ops import broker_check
from tests.fixtures import free_port


def test_a_refusing_broker_is_reported_down_with_the_refusal_not_a_timeout():
    port = free_port()  # nothing listens there
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    with nameko.config.patch({"AMQP_URI": f"pyamqp://guest:guest@127.0.0.1:{port}//"}):
        assert broker_check() == "down: OperationalError"


def test_a_running_broker_is_ok(rabbit_config):
    assert broker_check() == "ok"
