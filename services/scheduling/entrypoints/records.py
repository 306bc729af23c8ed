"""What scheduling knows of records, kept from records.events: the records it may book and
their status (SCH-4), deletions and restores, and their navigators (SCH-2); and the sessions
and payments records asks about before a delete (REC-9)."""

from __future__ import annotations

from casework import callers
from casework.errors import CaseworkError, NotFound
from casework.messaging import consumes
from casework.rpc import rpc
from contracts.scheduling import FinancialLinksSchema

from ..queries import clients, financial
from .common import agency_event

FINANCIAL_LINKS = FinancialLinksSchema()


class RecordEntrypoints:
    @consumes("records", "record_created", check=agency_event)
    def on_record_created(self, uow, event):
        """Remember the record so that sessions can be booked for it (SCH-2, SCH-4)."""
        data = event["data"]
        clients.remember_client(uow.session, event["organization_id"], data["record_id"],
                                kind=data["kind"], status=data["status"],
                                changed_at=event["occurred_at"])

    @consumes("records", "record_status_changed", check=agency_event)
    def on_record_status_changed(self, uow, event):
        """SCH-4: an inactive client cannot be booked or pay; a later status lifts that."""
        data = event["data"]
        clients.change_status(uow.session, event["organization_id"], data["record_id"],
                              kind=data["kind"], status=data["new"],
                              changed_at=event["occurred_at"])

    @consumes("records", "record_deleted", check=agency_event)
    def on_record_deleted(self, uow, event):
        data = event["data"]
        clients.mark_deleted(uow.session, event["organization_id"], data["record_id"],
                             kind=data["kind"], deleted=True)

    @consumes("records", "record_restored", check=agency_event)
    def on_record_restored(self, uow, event):
        data = event["data"]
        clients.mark_deleted(uow.session, event["organization_id"], data["record_id"],
                             kind=data["kind"], deleted=False)

    @consumes("records", "navigator_assigned", check=agency_event)
    def on_navigator_assigned(self, uow, event):
        """Staff without ``schedule_any_client`` book only the clients assigned to them."""
        data = event["data"]
        clients.assign_navigator(uow.session, event["organization_id"], data["record_id"],
                                 data["user_id"])

    @consumes("records", "navigator_unassigned", check=agency_event)
    def on_navigator_unassigned(self, uow, event):
        data = event["data"]
        clients.unassign_navigator(uow.session, event["organization_id"], data["record_id"],
                                   data["user_id"])

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
