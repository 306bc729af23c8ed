"""RPC for every Casework process.

Entrypoint: ``rpc`` is nameko's, with replies sent without publisher confirms. A reply's confirm
protects nothing: the command's effect is committed before the reply is sent, and a reply lost in
the broker is seen by the caller as a timeout (503) exactly as a confirmed reply lost on its way
to the caller would be. Confirms were the largest single cost of an RPC in the profile
(QUALITY P1). Events keep confirms (the outbox relay), since losing one loses a fact. All RPC
entrypoints of a service must be of this class: nameko shares one consumer per entrypoint class
and service queue (``tests/unit/test_rpc_entrypoints.py`` guards it).

Exactly once: the entrypoint tells the worker which call it serves (the request's correlation id,
the same on every delivery) and has the worker's database commit the call's last transaction with
the reply before sending it, so that a redelivered request is answered from the stored reply
instead of running twice (``casework.replies``).

Client: ``ServiceClients`` keeps one reply queue for the life of the process, publishes requests
without confirms and without re-declaring the reply queue, and gives every call a timeout
(``CASEWORK_RPC_TIMEOUT``) after which it raises ``ServiceUnavailable`` (503) instead of waiting
forever as nameko's client does (QUALITY F7).
"""

from __future__ import annotations

import logging
import sys
import time
import warnings
from functools import partial

import eventlet
import kombu.serialization
from amqp.exceptions import AMQPError
from kombu.exceptions import KombuError
from nameko import config
from nameko.constants import AMQP_SSL_CONFIG_KEY, LOGIN_METHOD_CONFIG_KEY
from nameko.exceptions import (
    ContainerBeingKilled,
    MalformedRequest,
    ReplyQueueExpiredWithPendingReplies,
    UnknownService,
    UnserializableValueError,
)
from nameko.messaging import decode_from_headers
from nameko.rpc import (
    Client,
    ClusterRpc,
    ReplyListener,
    Responder,
    Rpc,
    RpcConsumer,
    get_rpc_exchange,
)

from casework.broker import container_uri
from casework.config import settings
from casework.db import finish_call
from casework.errors import ServiceUnavailable
from casework.replies import RPC_CALL, Replayed, RpcCall, reply_payload

log = logging.getLogger(__name__)

DEADLINE = "deadline"  # epoch seconds after which the caller no longer waits
DEADLINE_HEADER = f"nameko.{DEADLINE}"  # how nameko carries context data on a message


class UnconfirmedResponder(Responder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        responder_publisher = self.publisher_cls

        def publisher(uri, **options):
            return responder_publisher(uri, use_confirms=False, **options)

        self.publisher_cls = publisher

    def send_response(self, result, exc_info):
        """nameko's, with the reply serialized once: nameko serializes it to check that it can,
        then again to publish it (a tenth of the records service's CPU on a page of search
        results)."""
        if exc_info is not None and isinstance(exc_info[1], Replayed):
            self.send_payload(exc_info[1].payload)
            return result, exc_info
        serializer = self._serializer()
        try:
            body = kombu.serialization.dumps(reply_payload(result, exc_info), serializer)
        except Exception:  # as nameko: the caller learns that the result could not be sent
            unserializable = UnserializableValueError(result)
            result, exc_info = None, sys.exc_info()
            body = kombu.serialization.dumps(
                reply_payload(None, (type(unserializable), unserializable, None)), serializer)
        content_type, encoding, data = body
        self._publish(data, content_type=content_type, content_encoding=encoding)
        return result, exc_info

    def send_payload(self, payload: dict) -> None:
        """Send a reply stored by an earlier delivery of the same call, as it was."""
        self._publish(payload, serializer=self._serializer())

    def _serializer(self) -> str:
        return kombu.serialization.registry.type_to_name[self.message.properties["content_type"]]

    def _publish(self, body, **options) -> None:
        properties = self.message.properties
        publisher = self.publisher_cls(self.amqp_uri, ssl=self.ssl, login_method=self.login_method)
        publisher.publish(body, exchange=self.exchange, routing_key=properties["reply_to"],
                          correlation_id=properties.get("correlation_id"), **options)


class UnconfirmedRpcConsumer(RpcConsumer):
    @property
    def amqp_uri(self):
        return container_uri(self.container)  # the service's own broker user

    def handle_result(self, message, result, exc_info):
        responder = UnconfirmedResponder(
            self.amqp_uri, get_rpc_exchange(), message,
            ssl=config.get(AMQP_SSL_CONFIG_KEY), login_method=config.get(LOGIN_METHOD_CONFIG_KEY),
        )
        try:
            result, exc_info = responder.send_response(result, exc_info)
        except (OSError, KombuError, AMQPError) as exc:
            # The broker went away while the call ran: the reply is lost (its caller has had its
            # 503 by now), and the request goes back to the queue with the dead connection.
            # nameko would let this kill the whole service process.
            log.warning("reply to %s lost, the broker is unreachable: %r",
                        message.delivery_info.get("routing_key"), exc)
            return result, exc_info
        self.consumer.ack_message(message)
        return result, exc_info


class CaseworkRpc(Rpc):
    """nameko's RPC entrypoint, made exactly-once for commands (``casework.replies``): the worker
    knows its call (the request's correlation id, and whether this is a redelivery), and its
    database commits the call's last transaction with the reply before the reply is sent."""

    rpc_consumer = UnconfirmedRpcConsumer()

    def handle_message(self, body, message):
        """A request past its caller's deadline is dropped unrun: the caller has answered 503,
        and running it now would make that answer a lie (a broker frozen for longer than the
        timeout hands such requests over when it wakes; the fault suite saw them applied)."""
        deadline = (message.headers or {}).get(DEADLINE_HEADER)
        if deadline is not None and time.time() > float(deadline):
            log.warning("dropped %s: its caller gave up %.1f s ago",
                        message.delivery_info.get("routing_key"), time.time() - float(deadline))
            self.rpc_consumer.consumer.ack_message(message)
            return
        try:
            args, kwargs = body["args"], body["kwargs"]
        except (KeyError, TypeError):
            raise MalformedRequest("Message missing `args` or `kwargs`") from None
        self.check_signature(args, kwargs)
        context_data = decode_from_headers(message.headers or {})
        correlation_id = message.properties.get("correlation_id")
        if correlation_id:
            context_data[RPC_CALL] = RpcCall(
                str(correlation_id), bool(message.delivery_info.get("redelivered")))
        handle_result = partial(self.handle_result, message)

        def spawn_worker():
            try:
                self.container.spawn_worker(self, args, kwargs, context_data=context_data,
                                            handle_result=handle_result)
            except ContainerBeingKilled:
                self.rpc_consumer.consumer.requeue_message(message)

        # a thread of its own, as nameko does, so that a full worker pool cannot block the
        # consumer (and its heartbeats)
        self.container.spawn_managed_thread(
            spawn_worker, identifier=f"CaseworkRpc.wait_for_worker_pool[{self.method_name}]")

    def handle_result(self, message, worker_ctx, result, exc_info):
        result, exc_info = finish_call(worker_ctx, result, exc_info)
        return self.rpc_consumer.handle_result(message, result, exc_info)


rpc = CaseworkRpc.decorator


# nameko always asks for mandatory delivery and warns that it cannot be checked without confirms;
# the timeout below is what catches an unroutable call.
warnings.filterwarnings("ignore", message="Mandatory delivery was requested")

FAST_RETRY = {"max_retries": 1, "interval_start": 0.1, "interval_step": 0.2, "interval_max": 0.3}


class TimedService:
    """Calls to one service. A call that fails or times out forgets its pending reply, so that a
    long broker outage cannot pile up waiters in the reply listener."""

    def __init__(self, rpc: ServiceClients, context_data: dict, name: str, timeout: float):
        self._rpc, self._context_data = rpc, context_data
        self._name, self._timeout = name, timeout

    def __getattr__(self, method: str):
        listener = self._rpc.reply_listener
        registered: list[str] = []

        def register(correlation_id):
            registered.append(correlation_id)
            return listener.register_for_reply(correlation_id)

        def call(*args, **kwargs):
            # travels with the request (and with the calls it makes in turn): see CaseworkRpc
            context = {key: value for key, value in self._context_data.items()
                       if key != RPC_CALL}  # the call this worker serves is its own
            context[DEADLINE] = time.time() + self._timeout
            client = Client(self._rpc.publisher.publish, register, context, self._name, method)
            try:
                with eventlet.Timeout(self._timeout):
                    return client(*args, **kwargs)
            except eventlet.Timeout:
                raise ServiceUnavailable(
                    f"the {self._name} service did not answer in {self._timeout:g} s") from None
            except (UnknownService, OSError, KombuError, AMQPError) as exc:
                raise ServiceUnavailable(f"the {self._name} service is unreachable") from exc
            finally:
                for correlation_id in registered:
                    listener.pending.pop(correlation_id, None)
                registered.clear()

        return call


class TimedClient:
    def __init__(self, rpc: ServiceClients, context_data: dict, timeout: float):
        self._rpc, self._context_data, self._timeout = rpc, context_data, timeout

    def __getattr__(self, service: str) -> TimedService:
        return TimedService(self._rpc, self._context_data, service, self._timeout)

    def with_timeout(self, timeout: float) -> TimedClient:
        return TimedClient(self._rpc, self._context_data, timeout)


class HeartbeatingReplyConsumer(ReplyListener.ReplyConsumer):
    """kombu sends heartbeats only when no message came for a second. The reply consumer sends
    nothing else (replies are not acknowledged), so under steady load RabbitMQ heard nothing
    from it for 60 s and closed it ("missed heartbeats from client"): the soak saw a 503 and a
    timeout at that moment. Heartbeats are now checked on every wake-up, at most once a
    second."""

    _live = None
    _checked = 0.0

    def on_consume_ready(self, connection, channel, consumers, **kwargs):
        self._live = connection
        super().on_consume_ready(connection, channel, consumers, **kwargs)

    def on_iteration(self):
        now = time.monotonic()
        if self._live is not None and now - self._checked >= 1.0:
            self._checked = now
            self._live.heartbeat_check()


class ResilientReplyListener(ReplyListener):
    """nameko's reply listener kills its whole container when it reconnects to a broker that lost
    its reply queue while calls were waiting (``ReplyQueueExpiredWithPendingReplies``): a broker
    restart would take the gateway down. Here the waiting calls fail with 503 instead, and the
    consumer declares the queue afresh as it reconnects.

    Replies are consumed without acknowledgements: a reply is worth nothing once its caller has
    gone, and the acks were 8 % of the gateway's CPU under load (plus the broker's share)."""

    consumer_cls = HeartbeatingReplyConsumer

    @property
    def amqp_uri(self):
        return container_uri(self.container)

    def setup(self):
        super().setup()
        self.consumer.consumer_options["no_ack"] = True

    def handle_message(self, body, message):
        reply = self.pending.pop(message.properties.get("correlation_id"), None)
        if reply is not None:
            reply.send(body)

    def check_for_lost_replies(self):
        try:
            super().check_for_lost_replies()
        except ReplyQueueExpiredWithPendingReplies:
            lost, self.pending = self.pending, {}
            log.warning("reply queue lost with the broker; failing %d waiting calls", len(lost))
            for reply in lost.values():
                reply.send_exception(ServiceUnavailable(
                    "the broker lost this call's reply; try again"))


class ServiceClients(ClusterRpc):
    """``self.rpc.records.get_record(...)`` with a timeout and 503 on failure."""

    reply_listener = ResilientReplyListener()

    def __init__(self, **options):
        options.setdefault("use_confirms", False)
        options.setdefault("retry_policy", FAST_RETRY)
        super().__init__(**options)

    def setup(self):
        self.amqp_uri = container_uri(self.container)
        super().setup()
        # nameko re-declares the reply queue (queue, exchange, binding: three broker round trips)
        # on every request, because each pooled publish uses a fresh kombu Connection whose
        # declaration cache is empty. The reply listener declares it when it (re)connects, so
        # the requests need not: this was a quarter of the gateway's CPU under load.
        self.publisher.declare = []
        # A request nobody took within the caller's timeout expires in the broker: the caller has
        # answered 503 by then, and a call applied later would make that answer a lie (the fault
        # suite saw writes refused with 503 applied after a frozen broker woke up).
        self.publisher.expiration = settings().rpc_timeout

    def get_dependency(self, worker_ctx):
        return TimedClient(self, worker_ctx.context_data, settings().rpc_timeout)


class ServiceClient(ServiceClients):
    """``scheduling = ServiceClient("scheduling")`` then ``self.scheduling.financial_links(...)``:
    one target service, with the same timeout and 503 as ``ServiceClients``."""

    def __init__(self, target_service: str, **options):
        self.target_service = target_service
        super().__init__(**options)

    def get_dependency(self, worker_ctx):
        return getattr(super().get_dependency(worker_ctx), self.target_service)
