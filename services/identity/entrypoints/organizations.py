"""Agencies: created by the operator with their first administrator, configured by their
administrators (API.md "Operator" and "Staff: agency administration", settings)."""

from __future__ import annotations

from casework import callers
from casework.errors import CaseworkError, DuplicateSlug, NotFound
from casework.rpc import rpc
from casework.validation import load
from contracts.identity import (
    AgencyAdministratorSchema,
    OrganizationCreatedSchema,
    OrganizationCreateSchema,
    SettingsSchema,
    SettingsUpdateSchema,
)

from ..domain import (
    PORTAL_FEATURES,
    STARTING_ROLES,
    BuiltinRole,
    new_id,
    normalise_email,
    portal_features,
    staff_user_event,
)
from ..passwords import hash_password
from ..queries import organizations, roles, staff

ORGANIZATION_CREATE = OrganizationCreateSchema()
ORGANIZATION_CREATED = OrganizationCreatedSchema()
SETTINGS = SettingsSchema()
AGENCY_ADMINISTRATOR = AgencyAdministratorSchema()
SETTINGS_UPDATE = SettingsUpdateSchema()


class OrganizationEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def create_organization(self, caller, payload):
        """An agency, its two starting roles (ID-2) and its first administrator."""
        callers.operator(caller)
        data = load(ORGANIZATION_CREATE, payload)
        slug, admin = data["slug"], data["admin"]
        password_hash = hash_password(admin["password"])
        organization_id, admin_id = new_id(), new_id()
        starting = [{"id": new_id(), "organization_id": organization_id, "name": name,
                     "permissions": list(permissions), "builtin": builtin.value}
                    for name, permissions, builtin in STARTING_ROLES]
        admin_role = next(r["id"] for r in starting if r["builtin"] == BuiltinRole.ADMINISTRATOR)
        with self.db.transaction() as uow:
            session = uow.session
            if not organizations.insert_organization(session, {
                    "id": organization_id, "name": data["name"], "slug": slug,
                    "timezone": data["timezone"], "portal_features": list(PORTAL_FEATURES)}):
                raise DuplicateSlug(f"the slug {slug} is already in use",
                                    {"slug": ["already in use"]})
            roles.insert_roles(session, starting)
            staff.insert_user(session, {
                "id": admin_id, "organization_id": organization_id,
                "email": normalise_email(admin["email"]), "first_name": admin["first_name"],
                "last_name": admin["last_name"], "role_id": admin_role,
                "password_hash": password_hash})
            user = staff.get_user(session, organization_id, admin_id)
            uow.emit("organization_created", {"organization_id": organization_id,
                                              "name": data["name"], "slug": slug,
                                              "timezone": data["timezone"]},
                     organization_id=organization_id)
            uow.emit("staff_user_created", staff_user_event(user),
                     organization_id=organization_id)
        return ORGANIZATION_CREATED.dump({"id": organization_id, "slug": slug,
                                          "admin_user_id": admin_id})

    @rpc(expected_exceptions=CaseworkError)
    def agency_administrator(self, caller, slug):
        """The operator's commands act in an agency as its first active administrator
        (``casework import records``): the agency of ``slug`` and that administrator."""
        callers.operator(caller)
        with self.db.read() as session:
            found = organizations.first_administrator(session, str(slug))
        if found is None:
            raise NotFound(f"no agency {slug} with an active administrator")
        return AGENCY_ADMINISTRATOR.dump(found)

    @rpc(expected_exceptions=CaseworkError)
    def get_settings(self, caller):
        caller = callers.administrator(caller)
        with self.db.read() as session:
            found = organizations.get_settings(session, caller.organization_id)
        if found is None:
            raise NotFound("agency not found")
        return SETTINGS.dump(found)

    @rpc(expected_exceptions=CaseworkError)
    def update_settings(self, caller, payload):
        caller = callers.administrator(caller)
        data = load(SETTINGS_UPDATE, payload)
        if "portal_features" in data:
            data["portal_features"] = portal_features(data["portal_features"])
        with self.db.transaction() as uow:
            before = organizations.get_settings(uow.session, caller.organization_id)
            found = (organizations.update_settings(uow.session, caller.organization_id, data)
                     if data and before else before)
            if found is not None and found["timezone"] != before["timezone"]:
                # scheduling keeps availability in the agency's time zone (SCH-1)
                uow.emit("organization_updated", {
                    "organization_id": caller.organization_id, "name": found["name"],
                    "slug": found["slug"], "timezone": found["timezone"]},
                    organization_id=caller.organization_id)
            if found is not None and {"sender_name", "welcome_template",
                                      "disable_notifications_for_closed_records"} & set(data):
                # what the agency's e-mail says and whether it notifies about closed records:
                # notifications keeps a copy (NOT-2, NOT-3, NOT-4)
                uow.emit("organization_mail_settings_updated", {
                    "organization_id": caller.organization_id, "name": found["name"],
                    "sender_name": found["sender_name"],
                    "welcome_template": found["welcome_template"],
                    "disable_notifications_for_closed_records":
                        found["disable_notifications_for_closed_records"]},
                    organization_id=caller.organization_id)
        if found is None:
            raise NotFound("agency not found")
        return SETTINGS.dump(found)
