"""Entrypoints of the scheduling service."""

import uuid

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from casework.db import Database
from casework.errors import CaseworkError, PermissionDenied
from casework.messaging import consumes
from casework.rpc import rpc
from casework.service import CaseworkService

from .models import clients, metadata, payments, session_clients


def _organization_of(caller) -> str:
    if not isinstance(caller, dict) or not caller.get("organization_id"):
        raise PermissionDenied("a staff caller inside an agency is required")
    return str(caller["organization_id"])


class SchedulingService(CaseworkService):
    name = "scheduling"
    db = Database("scheduling", metadata)

    @consumes("records", "record_created")
    def on_record_created(self, uow, event):
        """Remember the record so that sessions can be booked for it (SCH-2, SCH-4)."""
        data = event["data"]
        uow.session.execute(
            pg_insert(clients).values(
                record_id=data["record_id"], organization_id=event["organization_id"],
                kind=data.get("kind", "client"), status=data.get("status", "active"),
            ).on_conflict_do_nothing()
        )

    @rpc(expected_exceptions=CaseworkError)
    def financial_links(self, caller, record_id):
        """How many sessions and payments the agency holds for a record (REC-9 asks before a
        delete). Another agency's or an unknown record simply has none."""
        organization_id = _organization_of(caller)
        try:
            record_id = str(uuid.UUID(str(record_id)))
        except ValueError:
            return {"record_id": str(record_id), "sessions": 0, "payments": 0}
        in_sessions = select(func.count()).select_from(session_clients).where(
            session_clients.c.organization_id == organization_id,
            session_clients.c.record_id == record_id).scalar_subquery()
        paid = select(func.count()).select_from(payments).where(
            payments.c.organization_id == organization_id,
            payments.c.client_id == record_id).scalar_subquery()
        with self.db.transaction() as uow:
            sessions, payment_count = uow.session.execute(select(in_sessions, paid)).one()
        return {"record_id": record_id, "sessions": sessions, "payments": payment_count}
