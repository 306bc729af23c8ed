"""The notifications service: e-mail (NOT-3, NOT-4), in-app notifications with their delivery
rules (NOT-1, NOT-2), message threads (NOT-5, NOT-6) and mass sending (NOT-7). Like every
service, this class only composes: its entrypoints live in ``entrypoints/`` (one mixin per
area), its rules in ``domain.py``, its SQL in ``queries/``, and the SMTP sender loop in
``sender.py``."""

from casework.db import Database
from casework.rpc import ServiceClient
from casework.service import CaseworkService

from .entrypoints.alerts import AlertEntrypoints
from .entrypoints.digests import DigestEntrypoints
from .entrypoints.email import EmailEntrypoints
from .entrypoints.identity import IdentityEntrypoints
from .entrypoints.mass_sends import MassSendEntrypoints
from .entrypoints.messages import MessageEntrypoints
from .entrypoints.notifications import NotificationEntrypoints
from .entrypoints.records import RecordEntrypoints
from .models import metadata
from .sender import MailSender


class NotificationsService(EmailEntrypoints, IdentityEntrypoints, RecordEntrypoints,
                           AlertEntrypoints, NotificationEntrypoints, DigestEntrypoints,
                           MessageEntrypoints, MassSendEntrypoints, CaseworkService):
    name = "notifications"
    db = Database("notifications", metadata)
    mail_sender = MailSender()
    # a record's client (message_recipients), a portal caller's record (portal_get_record),
    # mass-sent requests (create_requests)
    records = ServiceClient("records")
