"""What notifications learns from identity: each agency's name, time zone and mail settings (its
sender name, its own welcome text, NOT-2's ``disable_notifications_for_closed_records``), its
staff users (copies for the delivery rules), and new portal accounts, which get their welcome
e-mail (NOT-4)."""

from __future__ import annotations

import logging

from casework.messaging import consumes

from ..queries import copies, organizations
from .common import staff_user_data
from .email import queue_email

log = logging.getLogger(__name__)


class IdentityEntrypoints:
    @consumes("identity", "organization_created")
    def on_organization_created(self, uow, event):
        data = event["data"]
        organizations.remember_created(uow.session, data["organization_id"], data["name"],
                                       event["occurred_at"])
        copies.remember_timezone(uow.session, data["organization_id"], data["name"],
                                 data.get("timezone"), event["occurred_at"])

    @consumes("identity", "organization_updated")
    def on_organization_updated(self, uow, event):
        """An administrator changed the agency's time zone: digests follow its day."""
        data = event["data"]
        copies.remember_timezone(uow.session, data["organization_id"], data["name"],
                                 data["timezone"], event["occurred_at"])

    @consumes("identity", "organization_mail_settings_updated")
    def on_organization_mail_settings_updated(self, uow, event):
        data = event["data"]
        organizations.remember_settings(
            uow.session, data["organization_id"], data["name"], data["sender_name"],
            data["welcome_template"], event["occurred_at"],
            data.get("disable_notifications_for_closed_records"))

    @consumes("identity", "staff_user_created", check=staff_user_data)
    def on_staff_user_created(self, uow, event):
        copies.remember_staff_user(uow.session, event["organization_id"], event["data"],
                                   event["occurred_at"])

    @consumes("identity", "staff_user_updated", check=staff_user_data)
    def on_staff_user_updated(self, uow, event):
        copies.remember_staff_user(uow.session, event["organization_id"], event["data"],
                                   event["occurred_at"])

    @consumes("identity", "portal_account_created")
    def on_portal_account_created(self, uow, event):
        """NOT-4: a welcome e-mail to the account's username (its e-mail when it was made),
        only when the account is active, never with a password (its template has none to
        show). In the name of the agency the account was made through, if the event names
        one; once per account (its key)."""
        data = event["data"]
        if not data["active"]:
            log.info("portal account %s is not active: no welcome e-mail", data["account_id"])
            return
        queue_email(uow.session, {
            "key": f"portal_welcome:{data['account_id']}",
            "organization_id": event.get("organization_id"),
            "to": data["username"], "template": "portal_welcome",
            "context": {"first_name": data["first_name"]}})
