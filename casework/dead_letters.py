"""Dead letters across services: list them, and replay one by publishing its event again.

Replaying republishes the original envelope (same ``event_id``) to its exchange; handlers that
already applied it skip it through their inbox, the one that failed applies it now. A message that
was not an event envelope (kept as its raw bytes) is not republished: there is no event to apply,
only bytes for the operator to read and take up with whoever sent them."""

from __future__ import annotations

import importlib

from kombu import Connection
from sqlalchemy import func, select, update

from casework.config import settings
from casework.db import make_engine
from casework.errors import Conflict, NotFound
from casework.events import envelope_errors, event_exchange
from casework.migrations import SERVICES


def _table(service: str):
    metadata = importlib.import_module(f"services.{service}.models").metadata
    return metadata.tables[f"{metadata.schema}.dead_letters"]


def list_all() -> list[dict]:
    rows = []
    for service in SERVICES:
        table = _table(service)
        engine = make_engine(settings().database_url_for(service), pool_size=1)
        with engine.connect() as conn:
            rows += [{"service": service, **r} for r in
                     conn.execute(select(table).order_by(table.c.id)).mappings()]
        engine.dispose()
    return rows


def show(service: str, dead_letter_id: int) -> dict:
    if service not in SERVICES:
        raise NotFound(f"unknown service {service!r}")
    table = _table(service)
    engine = make_engine(settings().database_url_for(service), pool_size=1)
    with engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.id == dead_letter_id)).mappings().first()
    engine.dispose()
    if row is None:
        raise NotFound(f"no dead letter {dead_letter_id} in {service}")
    return {"service": service, **row}


def replay(service: str, dead_letter_id: int) -> None:
    if service not in SERVICES:
        raise NotFound(f"unknown service {service!r}")
    table = _table(service)
    engine = make_engine(settings().database_url_for(service), pool_size=1)
    with engine.begin() as conn:
        row = conn.execute(select(table).where(table.c.id == dead_letter_id)
                           .with_for_update()).mappings().first()
        if row is None:
            raise NotFound(f"no dead letter {dead_letter_id} in {service}")
        if envelope_errors(row["payload"]) is not None:
            raise Conflict(f"dead letter {dead_letter_id} in {service} is not an event envelope"
                           f" ({row['reason'][:200]}); it cannot be republished")
        exchange = event_exchange(row["exchange"].removesuffix(".events"))
        with Connection(settings().amqp_uri, transport_options={"confirm_publish": True}) as amqp:
            amqp.Producer().publish(row["payload"], exchange=exchange,
                                    routing_key=row["routing_key"], serializer="json",
                                    delivery_mode=2, declare=[exchange], retry=True)
        conn.execute(update(table).where(table.c.id == dead_letter_id)
                     .values(replayed_at=func.now()))
    engine.dispose()
