"""The identity service: agencies, staff, roles, portal accounts, login and tokens.

Entrypoints live in one mixin per area (organizations, staff, roles, access, portal); this class
composes them with the database and a housekeeping timer."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from nameko.timer import timer

from casework.db import Database
from casework.service import CaseworkService

from . import credentials
from .access import AccessEntrypoints
from .models import metadata
from .organizations import OrganizationEntrypoints
from .portal import PortalEntrypoints
from .roles import RoleEntrypoints
from .staff import StaffEntrypoints

log = logging.getLogger(__name__)


class IdentityService(OrganizationEntrypoints, StaffEntrypoints, RoleEntrypoints,
                      AccessEntrypoints, PortalEntrypoints, CaseworkService):
    name = "identity"
    db = Database("identity", metadata)

    @timer(interval=3600)
    def purge_expired(self):
        """Drop tokens expired for a day and login failures old enough to be forgotten."""
        moment = datetime.now(UTC)
        with self.db.transaction() as uow:
            tokens = credentials.purge_tokens(uow.session, moment - timedelta(days=1))
            failures = credentials.purge_failures(uow.session, moment)
        if tokens or failures:
            log.info("purged %s expired tokens and %s old login failures", tokens, failures)
