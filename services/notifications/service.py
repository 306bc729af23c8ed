"""Entrypoints of the notifications service."""

from casework.db import Database
from casework.service import CaseworkService

from .models import metadata


class NotificationsService(CaseworkService):
    name = "notifications"
    db = Database("notifications", metadata)
