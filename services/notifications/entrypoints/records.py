"""What notifications learns from records.events: its copy of each record (kind, case number,
renumbered too, status, deleted, portal status) and of its navigators (NOT-1, NOT-2), each
applied once and never overwritten by an older event (``queries.copies``); and the notifications
they make: a record assigned to a staff member (``record_assigned``), a record's status changed
(``record_status_changed``), and requests fulfilled by the client (``request_fulfilled``,
REQ-3)."""

from __future__ import annotations

import logging

from casework.messaging import consumes

from .. import domain
from ..queries import copies, notifications
from .common import agency_event
from .delivery import about_record, deliver

log = logging.getLogger(__name__)


class RecordEntrypoints:
    @consumes("records", "record_created", check=agency_event)
    def on_record_created(self, uow, event):
        data = event["data"]
        copies.remember_record(uow.session, event["organization_id"], data["record_id"],
                               kind=data["kind"], case_number=data["case_number"],
                               status=data["status"], at=event["occurred_at"])

    @consumes("records", "record_updated", check=agency_event)
    def on_record_updated(self, uow, event):
        """A renumbered record: later notifications name its new case number (those made
        before keep the number they were made with)."""
        data = event["data"]
        if "case_number" not in data:
            return
        copies.remember_record(uow.session, event["organization_id"], data["record_id"],
                               kind=data["kind"], case_number=data["case_number"],
                               at=event["occurred_at"])

    @consumes("records", "record_status_changed", check=agency_event)
    def on_record_status_changed(self, uow, event):
        data = event["data"]
        session, org = uow.session, event["organization_id"]
        before = copies.status_at(session, org, data["record_id"])
        copies.remember_record(session, org, data["record_id"], kind=data["kind"],
                               status=data["new"], at=event["occurred_at"])
        if before is not None and before > event["occurred_at"]:
            log.info("record %s: a status change older than the one known; no notification",
                     data["record_id"])
            return
        about_record(session, event, kind="record_status_changed", record_id=data["record_id"],
                     status=data["new"], known=False)

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
        """The new navigator is told (``record_assigned``, only them: it is about them), unless
        the record is closed or inactive and the agency disables that (NOT-2); what nobody
        received about the record before goes to them in the app."""
        data = event["data"]
        session, org = uow.session, event["organization_id"]
        user_id, record_id = str(data["user_id"]), data["record_id"]
        copies.set_navigator(session, org, record_id, user_id, assigned=True,
                             at=event["occurred_at"])
        if not copies.is_navigator(session, org, record_id, user_id):
            return  # an assignment older than its unassignment: nothing to tell
        user = copies.staff_user(session, org, user_id)
        if user is not None and not user["active"]:
            log.info("record %s assigned to inactive staff user %s: not told", record_id, user_id)
            return
        notifications.hand_over(session, org, record_id, user_id)
        record = copies.record_of(session, org, record_id)
        if record is not None and record["deleted"]:
            return
        agency = copies.organization_of(session, org)
        if domain.suppressed((record or {}).get("status"),
                             agency is not None and agency["suppress_closed_records"]):
            return
        deliver(session, organization_id=org, event_id=event["event_id"],
                kind="record_assigned", record_id=record_id, users=[user_id],
                title=domain.title("record_assigned",
                                   case_number=(record or {}).get("case_number")))

    @consumes("records", "navigator_unassigned", check=agency_event)
    def on_navigator_unassigned(self, uow, event):
        data = event["data"]
        copies.set_navigator(uow.session, event["organization_id"], data["record_id"],
                             data["user_id"], assigned=False, at=event["occurred_at"])

    @consumes("records", "request_fulfilled", check=agency_event)
    def on_request_fulfilled(self, uow, event):
        """REQ-3: the requester is told (when they are one of the record's navigators, NOT-1;
        else its navigators)."""
        data = event["data"]
        about_record(uow.session, event, kind="request_fulfilled", record_id=data["record_id"],
                     addressee=data.get("requested_by"), request_title=data["title"])
