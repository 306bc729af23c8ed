"""Event handlers that apply each event once (OPS-1, OPS-2).

``@consumes("records", "record_created")`` declares a nameko event handler with one queue per
consuming service (``SERVICE_POOL``: every instance of the service shares it, so an event is
handled once per service, not once per instance) and routes the payload through
``Db.consume``: envelope check, inbox deduplication in the effect's transaction, bounded retries
with backoff, then the dead-letter table.
"""

from __future__ import annotations

from functools import wraps

from nameko.events import SERVICE_POOL, event_handler

from casework.errors import ServiceUnavailable


def event_entrypoint(source: str, name: str):
    """The nameko event handler under every idempotent consumer: one queue per consuming service
    (``SERVICE_POOL``), durable (``reliable_delivery``), and ``requeue_on_error``: a database
    outage raises out of ``Db.consume`` and the broker must keep the message for later instead of
    dropping it. The outage is an expected error: ``Db.consume`` logs it in one line, nameko does
    not log a traceback for every requeue."""
    return event_handler(source, name, handler_type=SERVICE_POOL, reliable_delivery=True,
                         requeue_on_error=True, expected_exceptions=ServiceUnavailable)


def consumes(source: str, name: str, *, versions: tuple[int, ...] = (1,), db: str = "db"):
    def decorate(fn):
        handler_name = fn.__name__

        @wraps(fn)
        def entrypoint(self, payload):
            database = getattr(self, db)
            return database.consume(
                handler_name, source, name, payload,
                lambda uow, event: fn(self, uow, event), versions=versions,
            )

        return event_entrypoint(source, name)(entrypoint)

    return decorate
