"""Exactly-once RPC commands: a call's effect and its reply commit together (QUALITY F4).

nameko acknowledges an RPC request only after it has sent the reply, so a service instance that
dies between its commit and that acknowledgement has the request redelivered to another instance,
which would run the command a second time (the fault suite saw two records for one create).

The AMQP ``correlation_id`` of a request is the same on every delivery, so it names the call. The
unit of work of an RPC command (``casework.db``) defers its commit until the method has returned,
then stores the serialized reply in the service's ``rpc_replies`` table and commits both at once:

- a first delivery inserts its reply at the end (``ON CONFLICT DO NOTHING``) only if the
  transaction wrote anything; pure reads store nothing and cost one statement;
- a redelivered request claims the call at the start of its transaction. If an earlier delivery
  is still committing, PostgreSQL makes the claim wait on the unique key until it ends; if that
  delivery committed, its stored reply is sent again (``Replayed``) and nothing runs;
- a first delivery that finds the call claimed by a redelivery rolls back and replies with what
  the redelivery stored.

Transactions that are harmless to run twice say ``transaction(rerunnable=True)`` and store
nothing: reads, audited reads keyed by their call (records' REC-1 read), and logins, whose reply
holds a token that must never be stored in clear. Replies are kept ``CASEWORK_RPC_REPLY_RETENTION``
seconds: requests expire with their caller's deadline, long before that.
"""

from __future__ import annotations

from dataclasses import dataclass

from kombu.serialization import dumps, loads
from nameko.exceptions import serialize
from sqlalchemy import Table, delete, exists, func, literal, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from casework.errors import Conflict

RPC_CALL = "casework.rpc_call"  # worker context key: the call being served (never sent on)

# true only in a transaction that has written something (it has been given a transaction id)
WROTE = text("pg_current_xact_id_if_assigned() IS NOT NULL")


@dataclass(frozen=True)
class RpcCall:
    id: str
    redelivered: bool


class Replayed(Exception):
    """The call was applied by an earlier delivery: its stored reply is sent again, unrun."""

    def __init__(self, payload: dict):
        super().__init__("reply replayed from an earlier delivery")
        self.payload = payload


def reply_payload(result, exc_info) -> dict:
    """The body nameko's responder sends: ``{"result": ..., "error": ...}``."""
    return {"result": None if exc_info else result,
            "error": serialize(exc_info[1]) if exc_info else None}


def encode(payload: dict) -> str:
    return dumps(payload, serializer="json")[2]


def decode(stored: str) -> dict:
    return loads(stored, "application/json", "utf-8")


def claim(session: Session, table: Table, call_id: str) -> dict | None:
    """Claim a redelivered call; the reply of the delivery that applied it, if one did. Waits
    while another delivery of the call holds it uncommitted."""
    claimed = session.execute(
        pg_insert(table).values(call_id=call_id).on_conflict_do_nothing()
        .returning(table.c.call_id)).first()
    if claimed is not None:
        return None
    return stored_reply(session, table, call_id)


def stored_reply(session: Session, table: Table, call_id: str) -> dict:
    stored = session.execute(select(table.c.reply).where(table.c.call_id == call_id)).scalar()
    if stored is None:  # committed claims always hold a reply: see ``release``
        exc = Conflict("this call was applied by an earlier delivery whose answer is lost")
        return reply_payload(None, (type(exc), exc, None))
    return decode(stored)


def record(session: Session, table: Table, call_id: str, payload: dict) -> bool:
    """Store a first delivery's reply if its transaction wrote anything. False when another
    delivery has claimed the call meanwhile (this one must then roll back)."""
    stored = session.execute(
        pg_insert(table).from_select(
            ["call_id", "reply"], select(literal(call_id), literal(encode(payload))).where(WROTE))
        .on_conflict_do_nothing().returning(table.c.call_id)).first()
    if stored is not None:
        return True
    return not session.execute(select(exists().where(table.c.call_id == call_id))).scalar()


def complete(session: Session, table: Table, call_id: str, payload: dict) -> None:
    """Store the reply of a call this delivery claimed."""
    session.execute(update(table).where(table.c.call_id == call_id)
                    .values(reply=encode(payload)))


def release(session: Session, table: Table, call_id: str) -> None:
    """Give back a claim whose transaction commits before the reply is known (a command that
    commits in two steps keeps only its last one exactly-once)."""
    session.execute(delete(table).where(table.c.call_id == call_id))


def prune(connection, table: Table, retention_seconds: float) -> int:
    """Forget replies older than the retention (``connection``: a Connection or a Session)."""
    cutoff = func.now() - func.make_interval(0, 0, 0, 0, 0, 0, retention_seconds)
    return connection.execute(delete(table).where(table.c.created_at < cutoff)).rowcount
