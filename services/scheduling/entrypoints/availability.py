"""Weekly availability of clients and practitioners (SCH-1), in the agency's time zone: staff
edit a client's; a staff member edits their own, and others' with ``schedule_any_client``."""

from __future__ import annotations

from casework import callers
from casework.errors import CaseworkError, NotFound
from casework.rpc import rpc
from casework.validation import load
from contracts.scheduling import AvailabilityBodySchema, AvailabilitySchema

from .. import domain
from ..queries import availability, clients

AVAILABILITY_BODY = AvailabilityBodySchema()
AVAILABILITY = AvailabilitySchema()
KINDS = ("client", "practitioner")
SCHEDULE_ANY_CLIENT = "schedule_any_client"


def _require_owner(session, caller, owner_kind: str, owner_id: str) -> None:
    """A live client record, or a staff user, of the caller's agency (404 otherwise)."""
    org = caller.organization_id
    if owner_kind == "client":
        if owner_id not in clients.live_clients(session, org, [owner_id]):
            raise NotFound("record not found")
    elif clients.staff_user(session, org, owner_id) is None:
        raise NotFound("staff user not found")


class AvailabilityEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def get_availability(self, caller, owner_kind, owner_id):
        caller = callers.staff(caller)
        owner_id = callers.known_id(owner_id, "owner")
        if owner_kind not in KINDS:
            raise NotFound("not found")
        with self.db.read() as session:
            _require_owner(session, caller, owner_kind, owner_id)
            found = availability.get(session, caller.organization_id, owner_kind, owner_id)
            zone = clients.timezone_of(session, caller.organization_id)
        return self._availability(owner_kind, owner_id, found, zone)

    @rpc(expected_exceptions=CaseworkError)
    def put_availability(self, caller, owner_kind, owner_id, payload):
        caller = callers.staff(caller)
        owner_id = callers.known_id(owner_id, "owner")
        if owner_kind not in KINDS:
            raise NotFound("not found")
        weekly = domain.weekly_minutes(load(AVAILABILITY_BODY, payload)["weekly"])
        with self.db.transaction() as uow:
            _require_owner(uow.session, caller, owner_kind, owner_id)
            if owner_kind == "practitioner" and owner_id != caller.user_id:
                caller.require(SCHEDULE_ANY_CLIENT)
            stored = availability.put(uow.session, caller.organization_id, owner_kind,
                                      owner_id, weekly, caller.user_id)
            zone = clients.timezone_of(uow.session, caller.organization_id)
        return self._availability(owner_kind, owner_id, stored, zone)

    @staticmethod
    def _availability(owner_kind, owner_id, found, zone) -> dict:
        return AVAILABILITY.dump({
            "owner_kind": owner_kind, "owner_id": owner_id,
            "weekly": domain.weekly_view(found["weekly"] if found else None),
            "timezone": zone, "updated_at": found["updated_at"] if found else None})
