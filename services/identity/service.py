"""Entrypoints of the identity service."""

from casework.db import Database
from casework.service import CaseworkService

from .models import metadata


class IdentityService(CaseworkService):
    name = "identity"
    db = Database("identity", metadata)
