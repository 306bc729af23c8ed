"""The notifications service: e-mail (NOT-3, NOT-4). Like every service, this class only
composes: its entrypoints live in ``entrypoints/`` (one mixin per area), its rules in
``domain.py``, its SQL in ``queries/``, and the SMTP sender loop in ``sender.py``."""

from casework.db import Database
from casework.service import CaseworkService

from .entrypoints.email import EmailEntrypoints
from .entrypoints.identity import IdentityEntrypoints
from .entrypoints.records import RecordEntrypoints
from .models import metadata
from .sender import MailSender


class NotificationsService(EmailEntrypoints, IdentityEntrypoints, RecordEntrypoints,
                           CaseworkService):
    name = "notifications"
    db = Database("notifications", metadata)
    mail_sender = MailSender()
