"""The identity service: agencies, staff, roles, portal accounts, login and tokens.

Entrypoints live in one mixin per area (``entrypoints/``); this class composes them with the
database and the RPC client of notifications (the password reset e-mail)."""

from __future__ import annotations

from casework.db import Database
from casework.rpc import ServiceClient
from casework.service import CaseworkService

from .entrypoints.access import AccessEntrypoints
from .entrypoints.housekeeping import HousekeepingEntrypoints
from .entrypoints.organizations import OrganizationEntrypoints
from .entrypoints.passwords import PasswordEntrypoints
from .entrypoints.portal import PortalEntrypoints
from .entrypoints.roles import RoleEntrypoints
from .entrypoints.staff import StaffEntrypoints
from .models import metadata


class IdentityService(OrganizationEntrypoints, StaffEntrypoints, RoleEntrypoints,
                      AccessEntrypoints, PasswordEntrypoints, PortalEntrypoints,
                      HousekeepingEntrypoints, CaseworkService):
    name = "identity"
    db = Database("identity", metadata)
    notifications = ServiceClient("notifications")
