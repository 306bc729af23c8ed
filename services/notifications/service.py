"""The notifications service: e-mail (NOT-3, NOT-4) and in-app notifications with their
delivery rules (NOT-1, NOT-2). Like every service, this class only
composes: its entrypoints live in ``entrypoints/`` (one mixin per area), its rules in
``domain.py``, its SQL in ``queries/``, and the SMTP sender loop in ``sender.py``."""

from casework.db import Database
from casework.service import CaseworkService

from .entrypoints.alerts import AlertEntrypoints
from .entrypoints.digests import DigestEntrypoints
from .entrypoints.email import EmailEntrypoints
from .entrypoints.identity import IdentityEntrypoints
from .entrypoints.notifications import NotificationEntrypoints
from .entrypoints.records import RecordEntrypoints
from .models import metadata
from .sender import MailSender


class NotificationsService(EmailEntrypoints, IdentityEntrypoints, RecordEntrypoints,
                           AlertEntrypoints, NotificationEntrypoints, DigestEntrypoints,
                           CaseworkService):
    name = "notifications"
    db = Database("notifications", metadata)
    mail_sender = MailSender()
