"""Writes that need no broker: the records service's own unit of work, run in the test process.

``RecordsUnitOfWork.create`` is ``RecordsService.create_record`` itself (nameko's
``worker_factory`` injects the dependencies) with the service's real ``Database`` provider on the
test's private database: the record, its audit row and its outbox event commit in one
transaction exactly as in the service process. The relay of the records service *process*
publishes the outbox rows, so a broker outage delays those events without stopping the writes.
"""

from __future__ import annotations

import copy
import os
import uuid

from nameko.testing.services import worker_factory
from sqlalchemy import insert

from casework.db import Db
from services.records.models import records
from services.records.service import RecordsService
from tests.fixtures import signed

from .probe import record_row


class RecordsUnitOfWork:
    def __init__(self, database_url: str):
        provider = copy.copy(RecordsService.db)  # the service's own declaration, unbound
        previous = os.environ.get("CASEWORK_RECORDS_DATABASE_URL")
        os.environ["CASEWORK_RECORDS_DATABASE_URL"] = database_url
        try:
            provider.setup()
        finally:
            if previous is None:
                os.environ.pop("CASEWORK_RECORDS_DATABASE_URL", None)
            else:
                os.environ["CASEWORK_RECORDS_DATABASE_URL"] = previous
        self.provider = provider
        self.service = worker_factory(RecordsService, db=Db(provider, None))

    def create(self, organization_id: str, last_name: str) -> dict:
        caller = signed({"kind": "staff", "organization_id": organization_id,
                         "user_id": str(uuid.uuid4()), "permissions": ["agency_admin"],
                         "request_id": None})
        return self.service.create_record(caller, {"first_name": "Uow", "last_name": last_name})

    def create_many(self, organization_id: str, count: int, prefix: str,
                    ids: list[str] | None = None) -> list[str]:
        """``count`` records (with ``ids`` if given) and their ``record_created`` events in one
        unit of work (set-based insert of the rows, ``uow.emit`` per event)."""
        ids = ids or [str(uuid.uuid4()) for _ in range(count)]
        rows = [record_row(organization_id, f"{prefix}-{n}", ids[n]) for n in range(count)]
        with Db(self.provider, None).transaction() as uow:
            uow.session.execute(insert(records), rows)
            for row in rows:
                uow.emit("record_created", {"record_id": row["id"], "kind": "client",
                                            "status": "active", "case_number": row["case_number"]},
                         organization_id=organization_id)
        return [row["id"] for row in rows]

    def close(self) -> None:
        self.provider.engine.dispose()
