"""What scheduling knows of records: the records it may book (from records.events), and the
sessions and payments records asks about before a delete (REC-9)."""

from __future__ import annotations

from casework import callers
from casework.errors import CaseworkError, NotFound
from casework.messaging import consumes
from casework.rpc import rpc
from contracts.scheduling import FinancialLinksSchema

from ..queries import clients, financial

FINANCIAL_LINKS = FinancialLinksSchema()


class RecordEntrypoints:
    @consumes("records", "record_created")
    def on_record_created(self, uow, event):
        """Remember the record so that sessions can be booked for it (SCH-2, SCH-4)."""
        data = event["data"]
        clients.remember_client(uow.session, event["organization_id"], data["record_id"],
                                kind=data["kind"], status=data["status"])

    @rpc(expected_exceptions=CaseworkError)
    def financial_links(self, caller, record_id):
        """How many sessions and payments the agency holds for a record (REC-9 asks before a
        delete). Another agency's or an unknown record simply has none."""
        caller = callers.staff(caller)
        try:
            record_id = callers.known_id(record_id, "record")
        except NotFound:  # not an id at all: no such record, so nothing links to it
            record_id, links = str(record_id), (0, 0)
        else:
            with self.db.read() as session:
                links = financial.financial_links(session, caller.organization_id, record_id)
        return FINANCIAL_LINKS.dump({"record_id": record_id, "sessions": links[0],
                                     "payments": links[1]})
