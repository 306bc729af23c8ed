"""E-mail other services queue (NOT-3): ``send_email`` stores it rendered, once per key; the
sender loop (``services.notifications.sender``) delivers it."""

from __future__ import annotations

from casework.errors import CaseworkError, ValidationFailed
from casework.rpc import rpc
from casework.validation import load
from contracts.notifications import EmailQueuedSchema, SendEmailSchema

from ..domain import ContextRefused, message_id, new_id, render
from ..queries import emails, organizations
from ..sender import smtp_settings

SEND_EMAIL = SendEmailSchema()
EMAIL_QUEUED = EmailQueuedSchema()


def queue_email(session, message: dict) -> dict:
    """Render ``message`` (as ``SendEmailSchema`` loads it) for its agency and queue it, unless
    its key is queued already: answers ``{email_id, status}`` of the e-mail holding the key."""
    agency = organizations.get_agency(session, message.get("organization_id"))
    try:
        rendered = render(message["template"], message["context"], agency)
    except ContextRefused as exc:
        raise ValidationFailed("the e-mail's context does not fit its template",
                               exc.errors) from exc
    email_id = new_id()
    domain = smtp_settings().mail_from.rpartition("@")[2]
    return emails.queue(session, {
        "id": email_id, "key": message["key"], "organization_id": message.get("organization_id"),
        "template": message["template"], "to_address": message["to"],
        "from_name": rendered.from_name, "subject": rendered.subject,
        "body_text": rendered.text, "body_html": rendered.html,
        "message_id": message_id(email_id, domain)})


class EmailEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def send_email(self, message):
        """``SendEmailSchema`` -> ``EmailQueuedSchema``. Internal (no caller): other services
        queue e-mail with it; the gateway never routes to it. The same ``key`` answers the
        e-mail it queued first, whatever else the repeat says."""
        data = load(SEND_EMAIL, message)
        # rerunnable: a rerun finds the key and answers the first; committed now, so the
        # sender woken next finds the e-mail
        with self.db.transaction(rerunnable=True) as uow:
            queued = queue_email(uow.session, data)
        self.mail_sender.wake()
        return EMAIL_QUEUED.dump(queued)
