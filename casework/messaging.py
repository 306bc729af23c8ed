"""Event handlers that apply each event once (OPS-1, OPS-2).

``@consumes("records", "record_created")`` declares a nameko event handler with one queue per
consuming service (``SERVICE_POOL``: every instance of the service shares it, so an event is
handled once per service, not once per instance) and routes the payload through
``Db.consume``: envelope check, inbox deduplication in the effect's transaction, bounded retries
with backoff, then the dead-letter table.
"""

from __future__ import annotations

import logging
from functools import wraps

from amqp.exceptions import ConnectionError as AmqpConnectionError
from nameko.events import SERVICE_POOL, EventHandler

from casework.errors import ServiceUnavailable
from casework.events import InvalidEvent, parse_envelope

log = logging.getLogger(__name__)


class ReliableEventHandler(EventHandler):
    """nameko's event handler, except that losing the broker while acknowledging (or giving
    back) a message is not fatal. nameko lets the socket error escape the worker, and the
    container kills the whole service (the fault suite saw both consumers die when the broker
    restarted, F3). The broker takes an unacknowledged message back with its connection and
    delivers it again; the inbox then skips what was applied."""

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
