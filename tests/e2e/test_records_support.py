"""What the records end-to-end tests share (no tests here): records made over HTTP, events
published onto the bus as another service or system would, SQL statement counting."""

from __future__ import annotations

import threading
import uuid
from contextlib import contextmanager

from kombu import Connection
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from casework.events import envelope, event_exchange

API = "/api/v1/staff"

# one tiny valid file of each accepted type, and a few that are not images
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
       b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81"
       b"\x84\x00\x00\x00\x00IEND\xaeB`\x82")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe"


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
