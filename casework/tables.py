"""The messaging tables every service owns in its own schema: the transactional outbox, the
inbox of handled event ids (idempotent handlers), the dead letters an operator can replay and
the stored replies of RPC commands (exactly-once calls)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB


def add_messaging_tables(metadata: MetaData) -> dict[str, Table]:
    outbox = Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", Uuid, nullable=False, unique=True),
        Column("exchange", String(100), nullable=False),
        Column("routing_key", String(100), nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True)),
        Index(
            "ix_outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")
        ),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("handler", String(200), nullable=False),
        Column("event_id", Uuid, nullable=False),
        Column("handled_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("handler", "event_id", name="pk_inbox"),
    )
    dead_letters = Table(
        "dead_letters",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("handler", String(200), nullable=False),
        Column("exchange", String(100), nullable=False),
        Column("routing_key", String(100), nullable=False),
        Column("event_id", String(100)),
        Column("payload", JSONB, nullable=False),
        # a message that was not an event envelope (not UTF-8, not JSON, not an envelope, or
        # routed to no consumer) keeps the bytes and content type it arrived with
        Column("raw_body", LargeBinary),
        Column("content_type", String(200)),
        Column("reason", Text, nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("replayed_at", DateTime(timezone=True)),
    )
    # the replies of RPC commands, by the request's correlation id (``casework.replies``)
    rpc_replies = Table(
        "rpc_replies",
        metadata,
        Column("call_id", String(100), primary_key=True),
        Column("reply", Text),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    return {"outbox": outbox, "inbox": inbox, "dead_letters": dead_letters,
            "rpc_replies": rpc_replies}
