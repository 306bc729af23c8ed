"""Navigators (REC-8): staff users of the same agency assigned to a record; they alone receive
its notifications (NOT-1), so both changes are published."""

from __future__ import annotations

from casework.callers import known_id, staff
from casework.errors import CaseworkError, NotFound, ValidationFailed
from casework.rpc import rpc
from casework.validation import load
from contracts.records import NavigatorBodySchema

from ..queries import audit, navigators
from .common import locked_record, request_id, view

navigator_schema = NavigatorBodySchema()


def _navigator(user: dict) -> dict:
    return {"user_id": str(user["user_id"]), "name": user["name"]}


class NavigatorEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def assign_navigator(self, caller, record_id, payload):
        """Answers ``{"added": bool, "record": view}``: False when already assigned."""
        caller, record_id = staff(caller), known_id(record_id)
        user_id = str(load(navigator_schema, payload)["user_id"])
        org = caller.organization_id
        with self.db.transaction() as uow:
            locked_record(uow.session, caller, record_id)
            user = navigators.staff_user(uow.session, org, user_id)
            if user is None or not user["active"]:
                raise ValidationFailed("not an active staff user of this agency", {
                    "user_id": ["not an active staff user of this agency"]})
            added = navigators.assign(uow.session, org, record_id, user_id, caller.user_id)
            if added:
                audit.write(uow.session, caller, org, record_id, "navigator_assigned", {
                    "navigators": {"old": None, "new": _navigator(user)}},
                    request_id(caller, uow))
                uow.emit("navigator_assigned", {"record_id": record_id, "user_id": user_id},
                         organization_id=org)
            return {"added": added, "record": view(uow.session, caller, record_id)}

    @rpc(expected_exceptions=CaseworkError)
    def unassign_navigator(self, caller, record_id, user_id):
        caller, record_id = staff(caller), known_id(record_id)
        user_id = known_id(user_id, "navigator")
        org = caller.organization_id
        with self.db.transaction() as uow:
            locked_record(uow.session, caller, record_id)
            user = navigators.staff_user(uow.session, org, user_id)
            if user is None or not navigators.unassign(uow.session, org, record_id, user_id):
                raise NotFound("this user is not a navigator of the record")
            audit.write(uow.session, caller, org, record_id, "navigator_unassigned", {
                "navigators": {"old": _navigator(user), "new": None}}, request_id(caller, uow))
            uow.emit("navigator_unassigned", {"record_id": record_id, "user_id": user_id},
                     organization_id=org)
