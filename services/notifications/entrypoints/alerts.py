"""Notifications from other areas' events: a client's message in a thread
(``notifications.message_posted``, NOT-5) and a session booked with a practitioner
(``scheduling.session_created``, SCH-2)."""

from __future__ import annotations

import logging

from casework.messaging import consumes

from .. import domain
from ..queries import copies
from .common import agency_event
from .delivery import about_record, deliver

log = logging.getLogger(__name__)


class AlertEntrypoints:
    @consumes("notifications", "message_posted", check=agency_event)
    def on_message_posted(self, uow, event):
        """A client's message tells the thread's staff member (when they are one of the
        record's navigators, NOT-1; else its navigators). A staff member's own message tells
        nobody: the client's portal shows it."""
        data = event["data"]
        if data["author"] != "client":
            return
        about_record(uow.session, event, kind="client_message", record_id=data["record_id"],
                     addressee=data["staff_user_id"])

    @consumes("scheduling", "session_created", check=agency_event)
    def on_session_created(self, uow, event):
        """Each practitioner of a new session is told, except who booked it. Its practitioners
        become its clients' navigators as it is booked (SCH-2), so this is a notification to a
        record's navigators (NOT-1) without waiting for records' ``navigator_assigned``; and no
        session is booked for an inactive client (SCH-4), so NOT-2 has nothing to hold back.
        The session names a record when it has one client."""
        data = event["data"]
        session, org = uow.session, event["organization_id"]
        by = str(data["by"]) if data.get("by") else None
        practitioners = [str(p) for p in data["practitioner_ids"] if str(p) != by]
        inactive = copies.inactive_among(session, org, practitioners)
        users = [p for p in dict.fromkeys(practitioners) if p not in inactive]
        if not users:
            return
        agency = copies.organization_of(session, org)
        starts = domain.local_moment(data["starts_at"], agency["timezone"] if agency else "UTC")
        clients = data["client_ids"]
        deliver(session, organization_id=org, event_id=event["event_id"], kind="session_booked",
                record_id=clients[0] if len(clients) == 1 else None, users=users,
                title=domain.title("session_booked", starts=starts))
