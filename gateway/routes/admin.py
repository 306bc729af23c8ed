"""Staff routes of API.md "Staff: agency administration" that the identity service answers:
staff users, roles, agency settings, and each staff member's own profile."""

from __future__ import annotations

from contracts.common import ListQuerySchema
from contracts.identity import (
    MeUpdateSchema,
    RoleCreateSchema,
    RolePageSchema,
    RoleSchema,
    RoleUpdateSchema,
    SettingsSchema,
    SettingsUpdateSchema,
    StaffUserCreateSchema,
    StaffUserPageSchema,
    StaffUserSchema,
    StaffUserUpdateSchema,
)

from ..routing import route

ADMIN = "agency_admin"


class AdminRoutes:
    @route("GET", "/api/v1/staff/users", audience="staff", permission=ADMIN,
           query=ListQuerySchema(), responses={200: StaffUserPageSchema}, tag="administration")
    def list_staff_users(self, call, query):
        """The agency's staff users, by name."""
        return self.rpc.identity.list_users(call.caller, query)

    @route("POST", "/api/v1/staff/users", audience="staff", permission=ADMIN,
           body=StaffUserCreateSchema(), responses={201: StaffUserSchema},
           tag="administration", errors=(409,))
    def create_staff_user(self, call, body):
        """A staff user with a role (default: Staff); 409 ``duplicate_email`` in this agency."""
        return 201, self.rpc.identity.create_user(call.caller, body)

    @route("GET", "/api/v1/staff/users/<user_id>", audience="staff", permission=ADMIN,
           responses={200: StaffUserSchema}, tag="administration")
    def get_staff_user(self, call, user_id):
        """One staff user of the agency."""
        return self.rpc.identity.get_user(call.caller, user_id)

    @route("PATCH", "/api/v1/staff/users/<user_id>", audience="staff", permission=ADMIN,
           body=StaffUserUpdateSchema(), responses={200: StaffUserSchema},
           tag="administration", errors=(409,))
    def update_staff_user(self, call, user_id, body):
        """Name, e-mail, role, active (false revokes the user's tokens), password. 409
        ``last_administrator`` when the agency would be left without an active administrator."""
        return self.rpc.identity.update_user(call.caller, user_id, body)

    @route("GET", "/api/v1/staff/roles", audience="staff", permission=ADMIN,
           query=ListQuerySchema(), responses={200: RolePageSchema}, tag="administration")
    def list_roles(self, call, query):
        """The agency's roles with their permissions (ID-2) and how many users have each."""
        return self.rpc.identity.list_roles(call.caller, query)

    @route("POST", "/api/v1/staff/roles", audience="staff", permission=ADMIN,
           body=RoleCreateSchema(), responses={201: RoleSchema},
           tag="administration", errors=(409,))
    def create_role(self, call, body):
        """A role with a name unique in the agency and a set of permissions."""
        return 201, self.rpc.identity.create_role(call.caller, body)

    @route("PATCH", "/api/v1/staff/roles/<role_id>", audience="staff", permission=ADMIN,
           body=RoleUpdateSchema(), responses={200: RoleSchema},
           tag="administration", errors=(409,))
    def update_role(self, call, role_id, body):
        """Rename a role or change its permissions; the Agency Administrator role keeps
        agency_admin (409 ``role_protected``)."""
        return self.rpc.identity.update_role(call.caller, role_id, body)

    @route("DELETE", "/api/v1/staff/roles/<role_id>", audience="staff", permission=ADMIN,
           responses={204: None},
           tag="administration", errors=(409,))
    def delete_role(self, call, role_id):
        """Delete a role no user has (409 ``role_in_use``); never the Agency Administrator role
        (409 ``role_protected``)."""
        self.rpc.identity.delete_role(call.caller, role_id)
        return 204, None

    @route("GET", "/api/v1/staff/settings", audience="staff", permission=ADMIN,
           responses={200: SettingsSchema}, tag="administration")
    def get_settings(self, call):
        """The agency's settings."""
        return self.rpc.identity.get_settings(call.caller)

    @route("PATCH", "/api/v1/staff/settings", audience="staff", permission=ADMIN,
           body=SettingsUpdateSchema(), responses={200: SettingsSchema}, tag="administration")
    def update_settings(self, call, body):
        """Change any of the agency's settings."""
        return self.rpc.identity.update_settings(call.caller, body)

    @route("GET", "/api/v1/staff/me", audience="staff", responses={200: StaffUserSchema},
           tag="administration")
    def get_me(self, call):
        """The calling staff member's own profile, role and permissions."""
        return self.rpc.identity.get_me(call.caller)

    @route("PATCH", "/api/v1/staff/me", audience="staff", body=MeUpdateSchema(),
           responses={200: StaffUserSchema}, tag="administration")
    def update_me(self, call, body):
        """Own name, and whether clients may start a thread with me (NOT-6)."""
        return self.rpc.identity.update_me(call.caller, body)
