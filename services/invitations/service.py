"""Entrypoints of the invitations service."""

from casework.db import Database
from casework.service import CaseworkService

from .models import metadata


class InvitationsService(CaseworkService):
    name = "invitations"
    db = Database("invitations", metadata)
