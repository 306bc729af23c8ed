"""Services the fault suite can count, run as real OS processes so that they can be SIGKILLed.

``chaos_probe`` consumes ``records.record_created`` through the kernel unchanged (``@consumes``,
``Database``, ``Db.consume``). It logs every delivery it is handed in a transaction of its own
(before ``Db.consume``), and applies each event into ``applied``, an append-only table with no
unique key: an event applied twice would show as two rows there, whereas the real services'
tables (``scheduling.clients``) could not show it. Its tables live in the test-only schema
``chaos_probe``, created by the suite.

``chaos_writer`` does F1's fault: a business write and an event in one unit of work, then an
exception before the commit.

Run: ``python -m tests.chaos.serve probe|writer`` (the environment says where the broker and
database are, as for ``casework serve``).
"""

from __future__ import annotations

import logging
import os
import uuid

from nameko.extensions import DependencyProvider
from nameko.rpc import rpc
from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, Table, Uuid, func, insert

from casework.config import settings
from casework.db import Database, make_engine
from casework.messaging import consumes
from casework.tables import add_messaging_tables
from services.records import domain
from services.records.models import metadata as records_metadata
from services.records.models import records

log = logging.getLogger(__name__)

metadata = MetaData(schema="chaos_probe")
messaging = add_messaging_tables(metadata)


def _log_table(name: str) -> Table:
    return Table(
        name, metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", Uuid, nullable=False, index=True),
        Column("record_id", Uuid),
        Column("pid", Integer, nullable=False),
        Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


applied = _log_table("applied")
deliveries = _log_table("deliveries")


def record_row(organization_id: str, case_number: str, record_id: str | None = None) -> dict:
    """A ``records.records`` row as the records service would insert it (derived search
    columns from its own domain code)."""
    row = {"id": record_id or str(uuid.uuid4()), "organization_id": organization_id,
           "kind": "client", "first_name": "Chaos", "last_name": case_number, "email": None,
           "phones": [], "case_number": case_number, "status": "active"}
    row.update(domain.search_columns(row))
    return row


def _event_id(payload) -> str | None:
    try:
        return str(uuid.UUID(str(payload.get("event_id"))))
    except (AttributeError, ValueError, TypeError):
        return None


class DeliveryLog(DependencyProvider):
    """Writes one ``deliveries`` row per message handed to a worker, redeliveries included."""

    def setup(self):
        self.engine = make_engine(settings().database_url_for("chaos_probe"), pool_size=2)

    def stop(self):
        self.engine.dispose()

    def worker_setup(self, worker_ctx):
        payload = worker_ctx.args[0] if worker_ctx.args else None
        event_id = _event_id(payload)
        if event_id is None:
            return
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(deliveries).values(event_id=event_id, pid=os.getpid()))
        except Exception as exc:  # the database is down: the consume itself will requeue it
            log.warning("delivery not logged: %r", exc)


class ChaosProbe:
    name = "chaos_probe"
    db = Database("chaos_probe", metadata)
    delivery_log = DeliveryLog()

    @consumes("records", "record_created")
    def on_record_created(self, uow, event):
        uow.session.execute(insert(applied).values(
            event_id=event["event_id"], record_id=event["data"]["record_id"], pid=os.getpid()))


class ChaosWriter:
    name = "chaos_writer"
    db = Database("records", records_metadata)

    @rpc
    def create_then_fail(self, organization_id: str, case_number: str) -> None:
        with self.db.transaction() as uow:
            row = record_row(organization_id, case_number)
            uow.session.execute(insert(records).values(**row))
            uow.emit("record_created", {"record_id": row["id"], "kind": "client",
                                        "status": "active", "case_number": case_number},
                     organization_id=organization_id)
            raise RuntimeError("F1: failure after the business write, before the commit")
