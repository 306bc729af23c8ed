"""What notifications learns from records.events: its copy of each record (kind, case number,
status, deleted, portal status) and of its navigators (NOT-1, NOT-2), each applied once and never
overwritten by an older event (``queries.copies``)."""

from __future__ import annotations

from casework.messaging import consumes

from ..queries import copies
from .common import agency_event


class RecordEntrypoints:
    @consumes("records", "record_created", check=agency_event)
    def on_record_created(self, uow, event):
        data = event["data"]
        copies.remember_record(uow.session, event["organization_id"], data["record_id"],
                               kind=data["kind"], case_number=data["case_number"],
                               status=data["status"], at=event["occurred_at"])

    @consumes("records", "record_status_changed", check=agency_event)
    def on_record_status_changed(self, uow, event):
        data = event["data"]
        copies.remember_record(uow.session, event["organization_id"], data["record_id"],
                               kind=data["kind"], status=data["new"], at=event["occurred_at"])

    @consumes("records", "record_deleted", check=agency_event)
    def on_record_deleted(self, uow, event):
        data = event["data"]
        copies.remember_record(uow.session, event["organization_id"], data["record_id"],
                               kind=data["kind"], deleted=True, at=event["occurred_at"])

    @consumes("records", "record_restored", check=agency_event)
    def on_record_restored(self, uow, event):
        data = event["data"]
        copies.remember_record(uow.session, event["organization_id"], data["record_id"],
                               kind=data["kind"], deleted=False, at=event["occurred_at"])

    @consumes("records", "portal_status_changed", check=agency_event)
    def on_portal_status_changed(self, uow, event):
        data = event["data"]
        copies.remember_record(uow.session, event["organization_id"], data["record_id"],
                               kind=None, portal_status=data["new"], at=event["occurred_at"])

    @consumes("records", "navigator_assigned", check=agency_event)
    def on_navigator_assigned(self, uow, event):
        data = event["data"]
        copies.set_navigator(uow.session, event["organization_id"], data["record_id"],
                             data["user_id"], assigned=True, at=event["occurred_at"])

    @consumes("records", "navigator_unassigned", check=agency_event)
    def on_navigator_unassigned(self, uow, event):
        data = event["data"]
        copies.set_navigator(uow.session, event["organization_id"], data["record_id"],
                             data["user_id"], assigned=False, at=event["occurred_at"])
