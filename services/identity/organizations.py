"""Agencies: created by the operator with their first administrator, configured by their
administrators (API.md "Operator" and "Staff: agency administration", settings)."""

from __future__ import annotations

from casework.errors import CaseworkError, DuplicateSlug, NotFound
from casework.rpc import rpc
from casework.validation import load

from . import repository
from .domain import (
    PORTAL_FEATURES,
    STARTING_ROLES,
    BuiltinRole,
    check_slug,
    check_timezone,
    normalise_email,
    require_operator,
    staff_user_event,
)
from .entrypoints import administrator
from .passwords import hash_password
from .schemas import create_organization_schema, settings_schema, update_settings_schema


class OrganizationEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def create_organization(self, caller, payload):
        """An agency, its two starting roles (ID-2) and its first administrator."""
        require_operator(caller)
        data = load(create_organization_schema, payload)
        slug = check_slug(data["slug"])
        timezone = check_timezone(data["timezone"])
        admin = data["admin"]
        password_hash = hash_password(admin["password"])
        organization_id, admin_id = repository.new_id(), repository.new_id()
        roles = [{"id": repository.new_id(), "organization_id": organization_id, "name": name,
                  "permissions": list(permissions), "builtin": builtin.value}
                 for name, permissions, builtin in STARTING_ROLES]
        admin_role = next(r["id"] for r in roles if r["builtin"] == BuiltinRole.ADMINISTRATOR)
        with self.db.transaction() as uow:
            session = uow.session
            if not repository.insert_organization(session, {
                    "id": organization_id, "name": data["name"], "slug": slug,
                    "timezone": timezone, "portal_features": list(PORTAL_FEATURES)}):
                raise DuplicateSlug(f"the slug {slug} is already in use",
                                    {"slug": ["already in use"]})
            repository.insert_roles(session, roles)
            repository.insert_user(session, {
                "id": admin_id, "organization_id": organization_id,
                "email": normalise_email(admin["email"]), "first_name": admin["first_name"],
                "last_name": admin["last_name"], "role_id": admin_role,
                "password_hash": password_hash})
            user = repository.get_user(session, organization_id, admin_id)
            uow.emit("organization_created", {"organization_id": organization_id,
                                              "name": data["name"], "slug": slug},
                     organization_id=organization_id)
            uow.emit("staff_user_created", staff_user_event(user),
                     organization_id=organization_id)
        return {"id": organization_id, "slug": slug, "admin_user_id": admin_id}

    @rpc(expected_exceptions=CaseworkError)
    def get_settings(self, caller):
        caller = administrator(caller)
        with self.db.transaction() as uow:
            found = repository.get_settings(uow.session, caller.organization_id)
        if found is None:
            raise NotFound("agency not found")
        return settings_schema.dump(found)

    @rpc(expected_exceptions=CaseworkError)
    def update_settings(self, caller, payload):
        caller = administrator(caller)
        data = load(update_settings_schema, payload)
        if "timezone" in data:
            check_timezone(data["timezone"])
        if "portal_features" in data:
            chosen = set(data["portal_features"])
            data["portal_features"] = [f for f in PORTAL_FEATURES if f in chosen]
        with self.db.transaction() as uow:
            found = (repository.update_settings(uow.session, caller.organization_id, data) if data
                     else repository.get_settings(uow.session, caller.organization_id))
        if found is None:
            raise NotFound("agency not found")
        return settings_schema.dump(found)
