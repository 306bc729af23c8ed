"""What the records end-to-end tests share (no tests here): records made over HTTP, events
published onto the bus as another service or system would, SQL statement counting."""

from __future__ import annotations

import io
import threading
import uuid
from contextlib import contextmanager

from kombu import Connection
from PIL import Image
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from casework.events import envelope, event_exchange

API = "/api/v1/staff"

# one tiny valid file of each accepted type (they must decode: REC-2 re-encodes what it stores)


def _image(format_: str, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (2, 2), 255).save(out, format=format_)
    return out.getvalue()


PNG, JPEG, GIF, WEBP = _image("PNG"), _image("JPEG"), _image("GIF", "P"), _image("WEBP")


def create_record(session, base: str, **fields) -> dict:
    body = {"first_name": "Ada", "last_name": "Lovelace", **fields}
    answer = session.post(f"{base}{API}/records", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def publish(amqp_uri: str, source: str, name: str, data: dict, organization_id,
            **overrides) -> dict:
    """Publish an event as ``source`` would (EVENTS.md envelope); answers the envelope."""
    payload = {**envelope(source, name, data, organization_id=organization_id), **overrides}
    exchange = event_exchange(source)
    with Connection(amqp_uri) as conn:
        conn.Producer().publish(payload, exchange=exchange, routing_key=name,
                                serializer="json", declare=[exchange])
    return payload


def staff_user_event(user_id=None, *, active=True, first_name="Nina", last_name="Navigator",
                     **extra) -> dict:
    return {"user_id": str(user_id or uuid.uuid4()), "email": f"{first_name.lower()}@example.org",
            "first_name": first_name, "last_name": last_name,
            "name": f"{first_name} {last_name}", "active": active,
            "allow_client_initiated_contact": False, **extra}


@contextmanager
def counting_statements(schema: str = "records."):
    """Counts the SQL statements any engine of this process runs that touch ``schema``
    (the services run in the test's process); yields the list of (statement, parameters)."""
    seen = []
    lock = threading.Lock()

    def count(conn, cursor, statement, parameters, context, executemany):
        # the outbox relay sweeps on its own timer; inserting an event is part of a command
        relay = "outbox" in statement and not statement.lstrip().startswith("INSERT")
        if schema in statement and not relay:
            with lock:
                seen.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def sql(engine, statement: str, **params):
    from sqlalchemy import text

    with Session(engine) as session, session.begin():
        result = session.execute(text(statement), params)
        return result.all() if result.returns_rows else None
