"""Events the records service consumes.

- identity.events staff_user_created / staff_user_updated: the agency's staff users, the only
  users that can be navigators (REC-8);
- invitations.events invitation_sent / invitation_accepted and enrollment_accepted: the record's
  invitation state and client account (REC-1);
- external.events client_enrolled: another system's enrollment programme turns
  ``enrollment_pending`` into ``active`` (REC-6).

Each event is checked before anything changes. An event that is malformed, names no known
record or claims another agency is dead-lettered at once with its reason (visible with
``casework dead-letters list``, replayable) and changes nothing; a good one is applied once
through the inbox (``Db.consume``).
"""

from __future__ import annotations

import logging
from functools import wraps

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from casework.events import InvalidEvent, parse_envelope
from casework.messaging import event_entrypoint

from .. import audit, navigators, repository
from ..domain import portal_status_after_enrollment

log = logging.getLogger(__name__)


def consumes_checked(source: str, name: str, check):
    """Like ``casework.messaging.consumes``, with ``check(service, event) -> data`` run first:
    it raises ``InvalidEvent(reason)`` to dead-letter the event without retrying it. The
    handler is ``fn(self, uow, event, data)``."""
    def decorate(fn):
        handler_name = fn.__name__

        @wraps(fn)
        def entrypoint(self, payload):
            try:
                event = parse_envelope(payload, expected_type=f"{source}.{name}")
                data = check(self, event)
            except InvalidEvent as exc:
                self.db.dead_letter(handler_name, source, name, payload, exc.reason, attempts=0)
                return "dead_lettered"
            return self.db.consume(handler_name, source, name, payload,
                                   lambda uow, event: fn(self, uow, event, data))

        return event_entrypoint(source, name)(entrypoint)

    return decorate


class Lenient(Schema):
    class Meta:
        unknown = EXCLUDE  # later versions may add fields; we read what we know


class StaffUserData(Lenient):
    user_id = fields.UUID(required=True)
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=320))
    first_name = fields.String(load_default=None, allow_none=True,
                               validate=validate.Length(max=200))
    last_name = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=200))
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=400))
    active = fields.Boolean(required=True)
    allow_client_initiated_contact = fields.Boolean(load_default=False)


class InvitationData(Lenient):
    record_id = fields.UUID(required=True)
    email = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=320))


class ClientEnrolledData(Lenient):
    organization_id = fields.UUID(required=True)
    record_id = fields.UUID(load_default=None, allow_none=True)
    case_number = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(min=1, max=50))

    @validates_schema
    def _names_a_record(self, data, **kwargs):
        if not data.get("record_id") and not data.get("case_number"):
            raise ValidationError("record_id or case_number is required")


def _data(event: dict, schema: Schema) -> dict:
    if event["organization_id"] is None:
        raise InvalidEvent("the envelope names no organization_id")
    try:
        return schema.load(event["data"])
    except ValidationError as exc:
        raise InvalidEvent(f"malformed data: {exc.messages}") from None


def _staff_user(service, event) -> dict:
    data = _data(event, StaffUserData())
    data["user_id"] = str(data["user_id"])
    data["name"] = (data["name"] or " ".join(
        p for p in (data["first_name"], data["last_name"]) if p) or data["email"] or "")
    return data


def _known_record(service, event, data: dict) -> dict:
    """The live record the event names in the envelope's agency, or the reason it has none."""
    org = str(event["organization_id"])
    with service.db.transaction() as uow:
        row = repository.find_live_record(uow.session, org, data.get("record_id"),
                                          data.get("case_number"))
    if row is None:
        named = data.get("record_id") or f"case number {data.get('case_number')}"
        raise InvalidEvent(f"no live record {named} in organization {org}")
    return row


def _invitation(service, event) -> dict:
    data = _data(event, InvitationData())
    data["record_id"] = str(data["record_id"])
    _known_record(service, event, data)
    return data


def _client_enrolled(service, event) -> dict:
    data = _data(event, ClientEnrolledData())
    if str(data["organization_id"]) != str(event["organization_id"]):
        raise InvalidEvent("data.organization_id differs from the envelope's organization_id")
    data["record_id"] = str(data["record_id"]) if data["record_id"] else None
    row = _known_record(service, event, data)
    if row["portal_status"] is None:
        raise InvalidEvent(f"record {row['id']} has no client account to enroll")
    return {"record_id": str(row["id"])}


class InboundEntrypoints:
    @consumes_checked("identity", "staff_user_created", _staff_user)
    def on_staff_user_created(self, uow, event, data):
        navigators.remember_staff_user(uow.session, str(event["organization_id"]), data,
                                       event["occurred_at"])

    @consumes_checked("identity", "staff_user_updated", _staff_user)
    def on_staff_user_updated(self, uow, event, data):
        navigators.remember_staff_user(uow.session, str(event["organization_id"]), data,
                                       event["occurred_at"])

    @consumes_checked("invitations", "invitation_sent", _invitation)
    def on_invitation_sent(self, uow, event, data):
        """REC-1 shows that an invitation was sent, when and to which e-mail (a resend goes to
        the same address, INV-3, and moves the time)."""
        org = str(event["organization_id"])
        row = repository.lock_record(uow.session, org, data["record_id"])
        sent_at = event["occurred_at"]
        if row is None or (row["invitation_sent_at"] and row["invitation_sent_at"] >= sent_at):
            return
        values = {"invitation_sent_at": sent_at, "invitation_email": data["email"]}
        repository.update_record(uow.session, org, str(row["id"]), values)
        audit.write(uow.session, None, org, row["id"], "invitation_sent", {
            "invitation_email": {"old": row["invitation_email"], "new": data["email"]}},
            uow.correlation_id)

    @consumes_checked("invitations", "invitation_accepted", _invitation)
    def on_invitation_accepted(self, uow, event, data):
        self._link_client_account(uow, event, data)

    @consumes_checked("invitations", "enrollment_accepted", _invitation)
    def on_enrollment_accepted(self, uow, event, data):
        self._link_client_account(uow, event, data)

    def _link_client_account(self, uow, event, data):
        """The record now has a client account (INV-4, INV-5): its portal status starts
        ``active``; staff set ``enrollment_pending`` where an enrollment programme applies."""
        row = repository.lock_record(uow.session, str(event["organization_id"]),
                                     data["record_id"])
        if row is not None and row["portal_status"] is None:
            self.set_portal_status(uow, None, row, "active", action="client_account_linked")

    @consumes_checked("external", "client_enrolled", _client_enrolled)
    def on_client_enrolled(self, uow, event, data):
        """REC-6: pending turns active; an active or banned client stays as they are."""
        row = repository.lock_record(uow.session, str(event["organization_id"]),
                                     data["record_id"])
        new = portal_status_after_enrollment(row["portal_status"]) if row else None
        if new is None:
            log.info("client_enrolled changed nothing", extra={
                "event_id": str(event["event_id"])})
            return
        self.set_portal_status(uow, None, row, new, action="client_enrolled")
