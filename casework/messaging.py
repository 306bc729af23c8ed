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

        # requeue_on_error: a database outage raises out of consume(), and the broker must keep
        # the message for later instead of dropping it.
        return event_handler(source, name, handler_type=SERVICE_POOL, reliable_delivery=True,
                             requeue_on_error=True)(entrypoint)

    return decorate
