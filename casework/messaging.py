"""Event handlers that apply each event once (OPS-1, OPS-2), and lose nothing that arrives.

``@consumes("records", "record_created")`` declares a nameko event handler with one queue per
consuming service (``SERVICE_POOL``: every instance of the service shares it, so an event is
handled once per service, not once per instance) and routes the payload through
``Db.consume``: envelope check, inbox deduplication in the effect's transaction, bounded retries
with backoff, then the dead-letter table.

What is not an event at all never reaches a handler: a body that is not UTF-8, not JSON or not
an event envelope (whatever its content type claims; kombu's own decoder would log it and
acknowledge it) is dead-lettered by the entrypoint with the bytes and content type it arrived
with, then acknowledged. ``external.events`` routes what no queue is bound for to its alternate
exchange ``external.unrouted``; the ``UnroutedExternalEvents`` mixin dead-letters each such
message ("no service consumes external.events <type>").
"""

from __future__ import annotations

import json
import logging
import time
from functools import wraps

from amqp.exceptions import ConnectionError as AmqpConnectionError
from amqp.exceptions import PreconditionFailed
from kombu import Connection, Queue
from nameko import config
from nameko.constants import AMQP_SSL_CONFIG_KEY, LOGIN_METHOD_CONFIG_KEY
from nameko.events import SERVICE_POOL, EventHandler
from nameko.messaging import Consumer

from casework.broker import container_uri
from casework.db import UNAVAILABLE_PAUSE, Database
from casework.errors import ServiceUnavailable
from casework.events import (
    EXTERNAL,
    InvalidEvent,
    envelope_errors,
    event_exchange,
    parse_envelope,
    unrouted_exchange,
    unrouted_exchange_name,
)

log = logging.getLogger(__name__)


def raw_body(message) -> bytes:
    body = message.body
    return body.encode("utf-8") if isinstance(body, str) else bytes(body or b"")


def inspect_body(raw: bytes) -> tuple[object, str | None]:
    """The body decoded as JSON (None if it is not JSON), and why it is not an event envelope
    (None if it is one)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"body is not UTF-8: {exc}"
    try:
        value = json.loads(text)
    except ValueError as exc:
        return None, f"body is not JSON: {exc}"
    return value, envelope_errors(value)


def ensure_event_exchange(amqp_uri: str, source: str) -> None:
    """Declare ``<source>.events`` as ``event_exchange`` says, with its alternate exchange and
    that exchange's durable queue (for ``external``), before a consumer binds to it. An exchange
    declared by an earlier version without the alternate exchange is declared again (RabbitMQ
    refuses other arguments for an existing exchange); the bindings it loses come back as each
    consumer declares its queue, and what is published meanwhile goes to ``<source>.unrouted``,
    where it is kept."""
    exchange = event_exchange(source)
    if not exchange.arguments:
        return
    with Connection(amqp_uri, ssl=config.get(AMQP_SSL_CONFIG_KEY),
                    login_method=config.get(LOGIN_METHOD_CONFIG_KEY)) as connection:
        Queue(unrouted_exchange_name(source), exchange=unrouted_exchange(source),
              durable=True)(connection.default_channel).declare()
        try:
            exchange(connection.channel()).declare()
        except PreconditionFailed as exc:
            log.warning("%s.events was declared without its alternate exchange (%s); declaring"
                        " it again", source, exc)
            channel = connection.channel()
            exchange(channel).delete()
            exchange(channel).declare()


def _storable(payload) -> dict:
    """The JSON object to keep in the ``payload`` column ({} when the body was not one, or holds
    what PostgreSQL's jsonb refuses: the raw bytes are kept either way)."""
    if not isinstance(payload, dict) or "\\u0000" in json.dumps(payload):
        return {}
    return payload


class PutsAside:
    """Dead-letters a message as it arrived, in the service's ``dead_letters`` table, then
    acknowledges it; if the database cannot take it, the message goes back to its queue after
    a pause. Runs in a managed thread of its own, not a worker: no service code is involved."""

    def put_aside(self, message, payload, reason: str, *, exchange: str, routing_key: str):
        raw = raw_body(message)
        row = {
            "handler": self.method_name, "exchange": exchange, "routing_key": routing_key[:100],
            "event_id": (str(payload.get("event_id"))[:100]
                         if isinstance(payload, dict) and payload.get("event_id") else None),
            "payload": _storable(payload), "raw_body": raw,
            "content_type": (message.content_type or None) and str(message.content_type)[:200],
            "reason": reason.replace("\x00", "")[:4000], "attempts": 0,
        }

        def store():
            try:
                self._database().dead_letter_message(row)
            except Exception as exc:  # the database is down: keep the message for later
                log.warning("a message could not be dead-lettered (%r); it goes back to its"
                            " queue", exc, extra={"handler": self.method_name})
                time.sleep(UNAVAILABLE_PAUSE)
                self._settle(message.requeue, message)
                return
            log.error("message dead-lettered: %s", reason, extra={"handler": self.method_name})
            self._settle(message.ack, message)

        self.container.spawn_managed_thread(
            store, identifier=f"{type(self).__name__}.put_aside[{self.method_name}]")

    @staticmethod
    def _settle(action, message) -> None:
        if not message.channel.connection:
            return  # the broker took the message back with its connection and delivers it again
        try:
            action()
        except (OSError, AmqpConnectionError) as exc:
            log.warning("broker connection lost before the message was settled; the broker"
                        " delivers it again: %r", exc)

    def _database(self):
        providers = [d for d in self.container.dependencies if isinstance(d, Database)]
        named = [d for d in providers if d.attr_name == "db"]
        return (named or providers)[0]

    @staticmethod
    def inspected(message, body=None):
        """``(payload, None)`` for an event envelope, else ``(what decoded, why not)``. What
        kombu decoded as JSON is judged as it is; what it left as text or bytes (another
        content type), or could not decode (``body`` None), is judged by its bytes."""
        if body is not None and not isinstance(body, str | bytes):
            return body, envelope_errors(body)
        return inspect_body(raw_body(message))


class ReliableEventHandler(PutsAside, EventHandler):
    """nameko's event handler, except that

    - losing the broker while acknowledging (or giving back) a message is not fatal. nameko
      lets the socket error escape the worker, and the container kills the whole service (the
      fault suite saw both consumers die when the broker restarted, F3). The broker takes an
      unacknowledged message back with its connection and delivers it again; the inbox then
      skips what was applied;
    - a message that is not an event envelope is dead-lettered as it arrived (``PutsAside``),
      whether kombu could decode it or not;
    - its exchange is declared as ``event_exchange`` declares it."""

    @property
    def amqp_uri(self):
        return container_uri(self.container)  # the service's own broker user

    def setup(self):
        super().setup()
        self.queue = Queue(self.queue.name, exchange=event_exchange(self.source_service),
                           routing_key=self.event_type, durable=True,
                           auto_delete=self.queue.auto_delete, exclusive=self.queue.exclusive)
        self.consumer.queues = [self.queue]
        self.consumer.on_decode_error = self.handle_undecodable

    def start(self):
        ensure_event_exchange(self.amqp_uri, self.source_service)
        super().start()

    def handle_message(self, body, message):
        payload, reason = self.inspected(message, body)
        if reason is None:
            return super().handle_message(payload, message)
        self.put_aside(message, payload, reason, exchange=f"{self.source_service}.events",
                       routing_key=self.event_type)

    def handle_undecodable(self, message, exc):
        """kombu could not decode the body (its content type says JSON and it is not, or a
        content type it does not accept): judge the bytes themselves."""
        if self.consumer.should_stop:
            self.consumer.requeue_message(message)
            return
        self.handle_message(None, message)

    def handle_message_processed(self, message, result=None, exc_info=None):
        try:
            super().handle_message_processed(message, result, exc_info)
        except (OSError, AmqpConnectionError) as exc:
            log.warning("broker connection lost before the message was acknowledged; the broker"
                        " delivers it again: %r", exc)


def event_entrypoint(source: str, name: str):
    """The event handler under every idempotent consumer (``ReliableEventHandler``): one queue
    per consuming service (``SERVICE_POOL``), durable (``reliable_delivery``), and
    ``requeue_on_error``: a database outage raises out of ``Db.consume`` and the broker must keep
    the message for later instead of dropping it. The outage is an expected error: ``Db.consume``
    logs it in one line, nameko does not log a traceback for every requeue."""
    return ReliableEventHandler.decorator(
        source, name, handler_type=SERVICE_POOL, reliable_delivery=True, requeue_on_error=True,
        expected_exceptions=ServiceUnavailable)


def consumes(source: str, name: str, *, versions: tuple[int, ...] = (1,), check=None,
             db: str = "db"):
    """``@consumes("records", "record_created")``: the one consumer decorator. The handler is
    ``fn(self, uow, event)``, called once per event (inbox) inside the effect's transaction, with
    ``event["data"]`` loaded by the event's declared contract (``contracts.<source>``) for its
    ``version``; an event that is not an envelope, of a version not in ``versions``, or whose data
    does not load is dead-lettered with the reason, never retried.

    ``check(self, event) -> data``, if given, runs before (outside the transaction) and may
    raise ``InvalidEvent(reason)`` to dead-letter an event the contract alone cannot judge (it
    names no record of the agency, say); what it returns replaces ``event["data"]``."""
    def decorate(fn):
        handler_name = fn.__name__

        @wraps(fn)
        def entrypoint(self, payload):
            database = getattr(self, db)
            if check is None:
                apply = fn
            else:
                try:
                    data = check(self, parse_envelope(payload, expected_type=f"{source}.{name}",
                                                      versions=versions))
                except InvalidEvent as exc:
                    database.dead_letter(handler_name, source, name, payload, exc.reason,
                                         attempts=0)
                    return "dead_lettered"

                def apply(self, uow, event):
                    return fn(self, uow, {**event, "data": data})
            return database.consume(handler_name, source, name, payload,
                                    lambda uow, event: apply(self, uow, event),
                                    versions=versions)

        return event_entrypoint(source, name)(entrypoint)

    return decorate


class UnroutedEventHandler(PutsAside, Consumer):
    """Consumes ``<source>.unrouted``, the alternate exchange of ``<source>.events``: every
    message there was published with a type no service consumes; each is dead-lettered."""

    def __init__(self, source: str = EXTERNAL, **kwargs):
        self.source = source
        super().__init__(queue=None, requeue_on_error=True, **kwargs)

    @property
    def amqp_uri(self):
        return container_uri(self.container)

    def setup(self):
        name = unrouted_exchange_name(self.source)
        self.queue = Queue(name, exchange=unrouted_exchange(self.source), durable=True)
        super().setup()
        self.consumer.on_decode_error = lambda message, exc: self.handle_message(None, message)

    def start(self):
        ensure_event_exchange(self.amqp_uri, self.source)
        super().start()

    def handle_message(self, body, message):
        if self.consumer.should_stop:
            self.consumer.requeue_message(message)
            return
        routing_key = message.delivery_info.get("routing_key") or ""
        payload, _ = self.inspected(message, body)
        self.put_aside(message, payload,
                       f"no service consumes {self.source}.events {routing_key}",
                       exchange=f"{self.source}.events", routing_key=routing_key)


class UnroutedExternalEvents:
    """Mixed into the one service that keeps what other systems publish on ``external.events``
    and no service consumes (records, the consumer of external events)."""

    @UnroutedEventHandler.decorator(EXTERNAL)
    def on_unrouted_external_event(self, payload):
        """Never called: the entrypoint dead-letters each message as it arrived."""
