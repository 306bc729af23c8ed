"""The notifications service. Like every service, this class only composes: its entrypoints
will live in ``entrypoints/`` (one mixin per area), its rules in ``domain.py`` and its SQL in
``queries/``."""

from casework.db import Database
from casework.service import CaseworkService

from .models import metadata


class NotificationsService(CaseworkService):
    name = "notifications"
    db = Database("notifications", metadata)
