"""Events the records service consumes.

- identity.events staff_user_created / staff_user_updated: the agency's staff users, the only
  users that can be navigators (REC-8);
- invitations.events invitation_sent / invitation_accepted and enrollment_accepted: the record's
  invitation state and client account (REC-1);
- external.events client_enrolled: another system's enrollment programme turns
  ``enrollment_pending`` into ``active`` (REC-6).

Each event's data is loaded by its declared contract (``casework.messaging.consumes``) and
checked before anything changes. An event that is malformed, names no known record or claims
another agency is dead-lettered at once with its reason (visible with ``casework dead-letters
list``, replayable) and changes nothing; a good one is applied once through the inbox
(``Db.consume``).
"""

from __future__ import annotations

import logging

from casework.events import InvalidEvent
from casework.messaging import consumes

from ..domain import portal_status_after_enrollment
from ..queries import audit, navigators, records

log = logging.getLogger(__name__)


def _organization(event: dict) -> str:
    if event["organization_id"] is None:
        raise InvalidEvent("the envelope names no organization_id")
    return str(event["organization_id"])


def _staff_user(service, event) -> dict:
    """identity's StaffUserData (contracts.identity), with the name navigators show."""
    _organization(event)
    data = {**event["data"], "user_id": str(event["data"]["user_id"])}
    data["name"] = (data["name"] or " ".join(
        p for p in (data["first_name"], data["last_name"]) if p) or data["email"] or "")
    return data


def _known_record(service, event, record_id: str | None, case_number: str | None = None) -> dict:
    """The live record the event names in the envelope's agency, or the reason it has none."""
    org = _organization(event)
    with service.db.read() as session:
        row = records.find_live_record(session, org, record_id, case_number)
    if row is None:
        named = record_id or f"case number {case_number}"
        raise InvalidEvent(f"no live record {named} in organization {org}")
    return row


def _invitation(service, event) -> dict:
    """invitations' InvitationData (contracts.invitations), naming a live record."""
    data = {**event["data"], "record_id": str(event["data"]["record_id"])}
    _known_record(service, event, data["record_id"])
    return data


def _client_enrolled(service, event) -> dict:
    """ClientEnrolledData (contracts.external) of the envelope's agency, naming a live record
    with a client account."""
    data = event["data"]
    if str(data["organization_id"]) != _organization(event):
        raise InvalidEvent("data.organization_id differs from the envelope's organization_id")
    row = _known_record(service, event, str(data["record_id"]) if data["record_id"] else None,
                        data["case_number"])
    if row["portal_status"] is None:
        raise InvalidEvent(f"record {row['id']} has no client account to enroll")
    return {"record_id": str(row["id"])}


class InboundEntrypoints:
    @consumes("identity", "staff_user_created", check=_staff_user)
    def on_staff_user_created(self, uow, event):
        navigators.remember_staff_user(uow.session, str(event["organization_id"]),
                                       event["data"], event["occurred_at"])

    @consumes("identity", "staff_user_updated", check=_staff_user)
    def on_staff_user_updated(self, uow, event):
        navigators.remember_staff_user(uow.session, str(event["organization_id"]),
                                       event["data"], event["occurred_at"])

    @consumes("invitations", "invitation_sent", check=_invitation)
    def on_invitation_sent(self, uow, event):
        """REC-1 shows that an invitation was sent, when and to which e-mail (a resend goes to
        the same address, INV-3, and moves the time)."""
        org = str(event["organization_id"])
        row = records.lock_record(uow.session, org, event["data"]["record_id"])
        sent_at = event["occurred_at"]
        if row is None or (row["invitation_sent_at"] and row["invitation_sent_at"] >= sent_at):
            return
        values = {"invitation_sent_at": sent_at, "invitation_email": event["data"]["email"]}
        records.update_record(uow.session, org, str(row["id"]), values)
        audit.write(uow.session, None, org, row["id"], "invitation_sent", {
            "invitation_email": {"old": row["invitation_email"], "new": event["data"]["email"]}},
            uow.correlation_id)

    @consumes("invitations", "invitation_accepted", check=_invitation)
    def on_invitation_accepted(self, uow, event):
        self._link_client_account(uow, event)

    @consumes("invitations", "enrollment_accepted", check=_invitation)
    def on_enrollment_accepted(self, uow, event):
        self._link_client_account(uow, event)

    def _link_client_account(self, uow, event):
        """The record now has a client account (INV-4, INV-5): its portal status starts
        ``active``; staff set ``enrollment_pending`` where an enrollment programme applies."""
        org = str(event["organization_id"])
        row = records.lock_record(uow.session, org, event["data"]["record_id"])
        if row is None:
            return
        global_record_id = event["data"].get("global_record_id")
        if global_record_id and row["global_record_id"] is None:
            records.update_record(uow.session, org, str(row["id"]),
                                  {"global_record_id": str(global_record_id)})
        if row["portal_status"] is None:
            self.set_portal_status(uow, None, row, "active", action="client_account_linked")

    @consumes("external", "client_enrolled", check=_client_enrolled)
    def on_client_enrolled(self, uow, event):
        """REC-6: pending turns active; an active or banned client stays as they are."""
        row = records.lock_record(uow.session, str(event["organization_id"]),
                                     event["data"]["record_id"])
        new = portal_status_after_enrollment(row["portal_status"]) if row else None
        if new is None:
            log.info("client_enrolled changed nothing", extra={
                "event_id": str(event["event_id"])})
            return
        self.set_portal_status(uow, None, row, new, action="client_enrolled")
