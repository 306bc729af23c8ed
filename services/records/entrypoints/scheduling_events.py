"""Events the records service consumes from scheduling.events.

SCH-2: creating (or changing) a session assigns its practitioners to its clients as navigators
if they were not already. Scheduling publishes ``session_created`` / ``session_updated``;
records applies each once (the inbox), with the same queries, audit rows and
``navigator_assigned`` events as an assignment by hand (REC-8), the booking staff member as the
actor. Records that are gone by then, and practitioners who are no longer active, are skipped;
a practitioner records has not heard of yet is retried (then dead-lettered, replayable)."""

from __future__ import annotations

import logging

from casework.callers import StaffCaller
from casework.messaging import consumes

from ..queries import audit, navigators, records
from .common import request_id
from .inbound import _organization

log = logging.getLogger(__name__)


class UnknownPractitioner(RuntimeError):
    """Records has not yet learnt this staff user from identity: the event is retried."""


def _session(service, event) -> dict:
    _organization(event)
    data = event["data"]
    return {**data, "client_ids": [str(c) for c in data["client_ids"]],
            "practitioner_ids": [str(p) for p in data["practitioner_ids"]],
            "by": str(data["by"]) if data.get("by") else None}


class SchedulingEventEntrypoints:
    @consumes("scheduling", "session_created", check=_session)
    def on_session_created(self, uow, event):
        self._assign_practitioners(uow, event)

    @consumes("scheduling", "session_updated", check=_session)
    def on_session_updated(self, uow, event):
        self._assign_practitioners(uow, event)

    def _assign_practitioners(self, uow, event) -> None:
        org, data = str(event["organization_id"]), event["data"]
        actor = StaffCaller(org, data["by"], frozenset()) if data["by"] else None
        users = {}
        for user_id in data["practitioner_ids"]:
            user = navigators.staff_user(uow.session, org, user_id)
            if user is None:
                raise UnknownPractitioner(f"staff user {user_id} is not known yet")
            if user["active"]:
                users[user_id] = user
        for record_id in data["client_ids"]:
            if records.lock_record(uow.session, org, record_id) is None:
                log.info("session names a record that is gone; nothing assigned",
                         extra={"record_id": record_id})
                continue
            for user_id, user in users.items():
                if not navigators.assign(uow.session, org, record_id, user_id,
                                         data["by"]):
                    continue
                audit.write(uow.session, actor, org, record_id, "navigator_assigned", {
                    "navigators": {"old": None, "new": {"user_id": user_id,
                                                        "name": user["name"]}}},
                    request_id(actor, uow) if actor else uow.correlation_id)
                uow.emit("navigator_assigned", {"record_id": record_id, "user_id": user_id},
                         organization_id=org)
