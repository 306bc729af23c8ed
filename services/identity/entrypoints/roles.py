"""Roles and their permissions (ID-2; API.md "Staff: agency administration": roles)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from casework import callers, cursors
from casework.errors import CaseworkError, DuplicateRoleName, NotFound
from casework.rpc import rpc
from casework.validation import load
from contracts.identity import RoleCreateSchema, RolePageSchema, RoleSchema, RoleUpdateSchema

from ..domain import (
    Permission,
    check_administrators_remain,
    check_permissions,
    check_role_change,
    check_role_deletion,
    new_id,
    role_view,
)
from ..queries import organizations, roles, staff
from .common import page_params

ROLE = RoleSchema()
ROLE_PAGE = RolePageSchema()
ROLE_CREATE = RoleCreateSchema()
ROLE_UPDATE = RoleUpdateSchema()


def _name_in_use(name: str) -> DuplicateRoleName:
    return DuplicateRoleName(f"a role named {name!r} already exists in this agency",
                             {"name": ["already in use in this agency"]})


class RoleEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def list_roles(self, caller, params):
        caller = callers.administrator(caller)
        limit, offset = page_params(params)
        with self.db.read() as session:
            rows = roles.list_roles(session, caller.organization_id, limit, offset)
        items, next_cursor = cursors.offset_page(rows, offset, limit)
        return ROLE_PAGE.dump({"items": [role_view(r, r["users"]) for r in items],
                               "next_cursor": next_cursor})

    @rpc(expected_exceptions=CaseworkError)
    def create_role(self, caller, payload):
        caller = callers.administrator(caller)
        data = load(ROLE_CREATE, payload)
        name, permissions = data["name"].strip(), check_permissions(data["permissions"])
        role_id = new_id()
        with self.db.transaction() as uow:
            session = uow.session
            if roles.role_name_taken(session, caller.organization_id, name):
                raise _name_in_use(name)
            try:
                with session.begin_nested():
                    roles.insert_roles(session, [{
                        "id": role_id, "organization_id": caller.organization_id, "name": name,
                        "permissions": permissions, "builtin": None}])
            except IntegrityError:  # created concurrently under the same name
                raise _name_in_use(name) from None
            role = roles.get_role(session, caller.organization_id, role_id)
        return ROLE.dump(role_view(role, 0))

    @rpc(expected_exceptions=CaseworkError)
    def update_role(self, caller, role_id, payload):
        caller = callers.administrator(caller)
        role_id = callers.known_id(role_id, "role")
        data = load(ROLE_UPDATE, payload)
        organization_id = caller.organization_id
        values = {}
        if "permissions" in data:
            values["permissions"] = check_permissions(data["permissions"])
        if "name" in data:
            values["name"] = data["name"].strip()
        with self.db.transaction() as uow:
            session = uow.session
            organizations.lock_organization(session, organization_id)
            role = roles.get_role(session, organization_id, role_id, for_update=True)
            if role is None:
                raise NotFound("role not found")
            check_role_change(role["builtin"], values.get("permissions"))
            if "name" in values and roles.role_name_taken(
                    session, organization_id, values["name"], except_id=role_id):
                raise _name_in_use(values["name"])
            if values:
                roles.update_role(session, organization_id, role_id, values)
            if Permission.AGENCY_ADMIN not in values.get("permissions", [Permission.AGENCY_ADMIN]):
                check_administrators_remain(staff.active_administrators(session, organization_id))
            role = roles.get_role(session, organization_id, role_id)
            users = roles.users_with_role(session, organization_id, role_id)
        return ROLE.dump(role_view(role, users))

    @rpc(expected_exceptions=CaseworkError)
    def delete_role(self, caller, role_id):
        """Refused for a role still assigned (role_in_use) and for the Agency Administrator role."""
        caller = callers.administrator(caller)
        role_id = callers.known_id(role_id, "role")
        organization_id = caller.organization_id
        with self.db.transaction() as uow:
            session = uow.session
            organizations.lock_organization(session, organization_id)
            role = roles.get_role(session, organization_id, role_id, for_update=True)
            if role is None:
                raise NotFound("role not found")
            check_role_deletion(role["builtin"],
                                roles.users_with_role(session, organization_id, role_id))
            roles.delete_role(session, organization_id, role_id)
