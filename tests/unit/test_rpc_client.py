"""The gateway's RPC client survives a broker that lost its reply queue (unit level; the broker
restart itself is in tests/chaos)."""

import pytest
from eventlet.event import Event
from nameko.exceptions import ReplyQueueExpiredWithPendingReplies
from nameko.rpc import ReplyListener

from casework.errors import ServiceUnavailable
from casework.rpc import ResilientReplyListener, ServiceClients


def test_waiting_calls_fail_with_503_instead_of_killing_the_gateway(monkeypatch):
    def queue_gone(self):
        raise ReplyQueueExpiredWithPendingReplies("Lost replies for correlation ids: a, b")

    monkeypatch.setattr(ReplyListener, "check_for_lost_replies", queue_gone)
    listener = ResilientReplyListener()
    waiting = {"a": Event(), "b": Event()}
    listener.pending = dict(waiting)

    listener.check_for_lost_replies()  # must not raise: the container would die

    assert listener.pending == {}
    for reply in waiting.values():
        with pytest.raises(ServiceUnavailable):
            reply.wait()


def test_service_clients_use_the_resilient_listener():
    assert isinstance(ServiceClients.reply_listener, ResilientReplyListener)
