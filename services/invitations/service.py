"""The invitations service: direct invitations (INV-1 to INV-4), global invitation links and
enrollment requests (INV-5, INV-6). This class composes the entrypoint mixins with the database
and the RPC clients of the services it asks: identity (agencies' portal settings, accounts and
links), records (the invited record, new records, duplicates) and notifications (e-mail)."""

from casework.db import Database
from casework.rpc import ServiceClient
from casework.service import CaseworkService

from .entrypoints.direct import DirectInvitationEntrypoints
from .entrypoints.enrollment import EnrollmentEntrypoints
from .models import metadata


class InvitationsService(DirectInvitationEntrypoints, EnrollmentEntrypoints, CaseworkService):
    name = "invitations"
    db = Database("invitations", metadata)
    identity = ServiceClient("identity")
    records = ServiceClient("records")
    notifications = ServiceClient("notifications")
