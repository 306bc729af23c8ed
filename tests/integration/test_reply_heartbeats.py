"""The gateway's reply consumer keeps its broker connection alive under steady load. Replies are
not acknowledged, so without heartbeats the reply connection sends nothing; kombu sent them only
after a second without messages, and RabbitMQ closed the connection after its heartbeat timeout
("missed heartbeats from client"), failing the calls in flight (found by the 10-minute soak)."""

import time

import nameko
from nameko.rpc import ReplyListener
from nameko.testing.services import entrypoint_hook

from casework.rpc import ServiceClients, rpc

HEARTBEAT = 1  # seconds: RabbitMQ closes a silent connection after a few of them


class Pong:
    name = "pong"

    @rpc
    def ping(self, n):
        return n


class Caller:
    name = "caller"
    services = ServiceClients()

    @rpc
    def ping_for(self, seconds):
        """Back-to-back calls: a reply always arrives within the consumer's one-second wait."""
        answered, deadline = 0, time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.services.pong.ping(answered) == answered
            answered += 1
        return answered


def test_the_reply_connection_survives_steady_load_longer_than_the_heartbeat_timeout(
        container_factory, platform_config, monkeypatch):
    connects = []
    original = ReplyListener.ReplyConsumer.on_consume_ready

    def counted(self, connection, *args, **kwargs):
        connects.append(connection)
        return original(self, connection, *args, **kwargs)

    monkeypatch.setattr(ReplyListener.ReplyConsumer, "on_consume_ready", counted)
    with nameko.config.patch({"HEARTBEAT": HEARTBEAT}):
        container_factory(Pong).start()
        caller = container_factory(Caller)
        caller.start()
        with entrypoint_hook(caller, "ping_for") as ping_for:
            answered = ping_for(8 * HEARTBEAT)
    assert answered > 100
    assert len(connects) == 1, "the reply connection was lost and made again"
