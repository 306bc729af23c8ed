"""Entrypoints of the scheduling service."""

from sqlalchemy.dialects.postgresql import insert as pg_insert

from casework.db import Database
from casework.messaging import consumes
from casework.service import CaseworkService

from .models import clients, metadata


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
