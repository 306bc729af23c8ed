"""Roles and their permissions (ID-2; API.md "Staff: agency administration": roles)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from casework.errors import CaseworkError, DuplicateRoleName, NotFound
from casework.rpc import rpc
from casework.validation import load

from . import repository
from .domain import (
    Permission,
    check_administrators_remain,
    check_permissions,
    check_role_change,
    check_role_deletion,
)
from .entrypoints import administrator, known_id, page_params
from .schemas import create_role_schema, role_schema, update_role_schema


def _name_in_use(name: str) -> DuplicateRoleName:
    return DuplicateRoleName(f"a role named {name!r} already exists in this agency",
                             {"name": ["already in use in this agency"]})


class RoleEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def list_roles(self, caller, params):
        caller = administrator(caller)
        limit, offset = page_params(params)
        with self.db.transaction() as uow:
            rows = repository.list_roles(uow.session, caller.organization_id, limit, offset)
        return repository.page(rows, limit, offset, lambda r: role_schema.dump(r, many=True))

    @rpc(expected_exceptions=CaseworkError)
    def create_role(self, caller, payload):
        caller = administrator(caller)
        data = load(create_role_schema, payload)
        name, permissions = data["name"].strip(), check_permissions(data["permissions"])
        role_id = repository.new_id()
        with self.db.transaction() as uow:
            session = uow.session
            if repository.role_name_taken(session, caller.organization_id, name):
                raise _name_in_use(name)
            try:
                with session.begin_nested():
                    repository.insert_roles(session, [{
                        "id": role_id, "organization_id": caller.organization_id, "name": name,
                        "permissions": permissions, "builtin": None}])
            except IntegrityError:  # created concurrently under the same name
                raise _name_in_use(name) from None
            role = repository.get_role(session, caller.organization_id, role_id)
        return role_schema.dump({**role, "users": 0})

    @rpc(expected_exceptions=CaseworkError)
    def update_role(self, caller, role_id, payload):
        caller = administrator(caller)
        role_id = known_id(role_id, "role")
        data = load(update_role_schema, payload)
        organization_id = caller.organization_id
        values = {}
        if "permissions" in data:
            values["permissions"] = check_permissions(data["permissions"])
        if "name" in data:
            values["name"] = data["name"].strip()
        with self.db.transaction() as uow:
            session = uow.session
            repository.lock_organization(session, organization_id)
            role = repository.get_role(session, organization_id, role_id, for_update=True)
            if role is None:
                raise NotFound("role not found")
            check_role_change(role["builtin"], values.get("permissions"))
            if "name" in values and repository.role_name_taken(
                    session, organization_id, values["name"], except_id=role_id):
                raise _name_in_use(values["name"])
            if values:
                repository.update_role(session, organization_id, role_id, values)
            if Permission.AGENCY_ADMIN not in values.get("permissions", [Permission.AGENCY_ADMIN]):
                check_administrators_remain(
                    repository.active_administrators(session, organization_id))
            role = repository.get_role(session, organization_id, role_id)
            users = repository.users_with_role(session, organization_id, role_id)
        return role_schema.dump({**role, "users": users})

    @rpc(expected_exceptions=CaseworkError)
    def delete_role(self, caller, role_id):
        """Refused for a role still assigned (role_in_use) and for the Agency Administrator role."""
        caller = administrator(caller)
        role_id = known_id(role_id, "role")
        organization_id = caller.organization_id
        with self.db.transaction() as uow:
            session = uow.session
            repository.lock_organization(session, organization_id)
            role = repository.get_role(session, organization_id, role_id, for_update=True)
            if role is None:
                raise NotFound("role not found")
            check_role_deletion(role["builtin"],
                                repository.users_with_role(session, organization_id, role_id))
            repository.delete_role(session, organization_id, role_id)
