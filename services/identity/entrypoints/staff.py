"""Staff users of an agency, and each user's own profile (API.md "Staff: agency
administration": users and me)."""

from __future__ import annotations

from datetime import UTC, datetime

from casework import callers, cursors
from casework.errors import CaseworkError, DuplicateEmail, NotFound, ValidationFailed
from casework.rpc import rpc
from casework.validation import load
from contracts.identity import (
    MeUpdateSchema,
    StaffUserCreateSchema,
    StaffUserPageSchema,
    StaffUserSchema,
    StaffUserUpdateSchema,
)

from ..domain import (
    STAFF_EVENT_FIELDS,
    BuiltinRole,
    check_administrators_remain,
    new_id,
    normalise_email,
    staff_user_event,
    user_view,
)
from ..passwords import hash_password
from ..queries import organizations, roles, staff, tokens
from .common import page_params

USER = StaffUserSchema()
USER_PAGE = StaffUserPageSchema()
USER_CREATE = StaffUserCreateSchema()
USER_UPDATE = StaffUserUpdateSchema()
ME_UPDATE = MeUpdateSchema()
NO_SUCH_ROLE = {"role_id": ["no such role in this agency"]}


def _email_in_use(email: str) -> DuplicateEmail:
    return DuplicateEmail(f"{email} is already a staff user of this agency",
                          {"email": ["already in use in this agency"]})


def _found(user: dict | None) -> dict:
    if user is None:
        raise NotFound("staff user not found")
    return USER.dump(user_view(user))


class StaffEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def list_users(self, caller, params):
        caller = callers.administrator(caller)
        limit, offset = page_params(params)
        with self.db.read() as session:
            rows = staff.list_users(session, caller.organization_id, limit, offset)
        items, next_cursor = cursors.offset_page(rows, offset, limit)
        return USER_PAGE.dump({"items": [user_view(r) for r in items],
                               "next_cursor": next_cursor})

    @rpc(expected_exceptions=CaseworkError)
    def get_user(self, caller, user_id):
        caller = callers.administrator(caller)
        user_id = callers.known_id(user_id, "staff user")
        with self.db.read() as session:
            return _found(staff.get_user(session, caller.organization_id, user_id))

    @rpc(expected_exceptions=CaseworkError)
    def create_user(self, caller, payload):
        caller = callers.administrator(caller)
        data = load(USER_CREATE, payload)
        email = normalise_email(data["email"])
        password_hash = hash_password(data.pop("password"))
        organization_id, user_id = caller.organization_id, new_id()
        with self.db.transaction() as uow:
            session = uow.session
            role_id = (str(data["role_id"]) if data["role_id"] else
                       roles.builtin_role_id(session, organization_id, BuiltinRole.STAFF))
            if not role_id or not roles.get_role(session, organization_id, role_id):
                raise ValidationFailed("the role is not one of this agency's", NO_SUCH_ROLE)
            if not staff.insert_user(session, {
                    **data, "id": user_id, "organization_id": organization_id, "email": email,
                    "role_id": role_id, "password_hash": password_hash}):
                raise _email_in_use(email)
            user = staff.get_user(session, organization_id, user_id)
            uow.emit("staff_user_created", staff_user_event(user),
                     organization_id=organization_id)
        return _found(user)

    @rpc(expected_exceptions=CaseworkError)
    def update_user(self, caller, user_id, payload):
        """Name, e-mail, role, active, password. Deactivating a user or setting their password
        revokes their tokens; nothing may leave the agency without an active administrator."""
        caller = callers.administrator(caller)
        user_id = callers.known_id(user_id, "staff user")
        data = load(USER_UPDATE, payload)
        password_hash = hash_password(data.pop("password")) if "password" in data else None
        organization_id = caller.organization_id
        with self.db.transaction() as uow:
            session = uow.session
            organizations.lock_organization(session, organization_id)
            before = staff.get_user(session, organization_id, user_id)
            if before is None:
                raise NotFound("staff user not found")
            values = self._user_changes(session, organization_id, before, data)
            if password_hash:
                values["password_hash"] = password_hash
            if values:
                staff.update_user(session, organization_id, user_id, values)
            if values.get("active") is False or password_hash:
                tokens.revoke_user_tokens(session, user_id, datetime.now(UTC))
            if "active" in values or "role_id" in values:
                check_administrators_remain(staff.active_administrators(session, organization_id))
            after = staff.get_user(session, organization_id, user_id)
            self._emit_if_changed(uow, before, after, organization_id)
        return _found(after)

    def _user_changes(self, session, organization_id: str, before: dict, data: dict) -> dict:
        values = {k: v for k, v in data.items() if k not in ("email", "role_id")}
        if "email" in data:
            email = normalise_email(data["email"])
            if email != before["email"] and staff.email_taken(
                    session, organization_id, email, except_id=str(before["id"])):
                raise _email_in_use(email)
            values["email"] = email
        if "role_id" in data:
            if not roles.get_role(session, organization_id, str(data["role_id"])):
                raise ValidationFailed("the role is not one of this agency's", NO_SUCH_ROLE)
            values["role_id"] = str(data["role_id"])
        return values

    @staticmethod
    def _emit_if_changed(uow, before: dict, after: dict, organization_id: str) -> None:
        if any(before[f] != after[f] for f in STAFF_EVENT_FIELDS):
            uow.emit("staff_user_updated", staff_user_event(after),
                     organization_id=organization_id)

    @rpc(expected_exceptions=CaseworkError)
    def get_me(self, caller):
        caller = callers.staff(caller)
        with self.db.read() as session:
            return _found(staff.get_user(session, caller.organization_id, caller.user_id))

    @rpc(expected_exceptions=CaseworkError)
    def update_me(self, caller, payload):
        """Own name and whether clients may start a thread with me (NOT-6)."""
        caller = callers.staff(caller)
        data = load(ME_UPDATE, payload)
        organization_id = caller.organization_id
        with self.db.transaction() as uow:
            before = staff.get_user(uow.session, organization_id, caller.user_id)
            if before is None:
                raise NotFound("staff user not found")
            if data:
                staff.update_user(uow.session, organization_id, caller.user_id, data)
            after = staff.get_user(uow.session, organization_id, caller.user_id)
            self._emit_if_changed(uow, before, after, organization_id)
        return _found(after)
