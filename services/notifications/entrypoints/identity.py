"""What notifications learns from identity: each agency's name, time zone and mail settings (its
sender name, its own welcome text, NOT-2's ``disable_notifications_for_closed_records``), its
staff users (copies for the delivery rules), and new portal accounts, which get their welcome
e-mail (NOT-4)."""

from __future__ import annotations

import logging

from casework.messaging import consumes

from ..queries import copies, organizations
from .common import staff_user_data
from .delivery import console_link
from .email import queue_email

log = logging.getLogger(__name__)


def welcome_staff_user(session, event) -> None:
    """NOT-4: a welcome e-mail to a staff user who is active (the first time they are: a user
    made inactive at creation is welcomed when made active), never with a password (it points
    to the staff console and its password reset), once per user (its key). A new agency's
    first administrator may arrive before the agency (both events come from one transaction):
    their welcome waits for ``organization_created``."""
    data, org = event["data"], event["organization_id"]
    if not data["active"]:
        log.info("staff user %s is not active: no welcome e-mail (yet)", data["user_id"])
        return
    if not data.get("email"):
        log.warning("staff user %s has no e-mail address: no welcome e-mail", data["user_id"])
        return
    agency = organizations.get_agency(session, org)
    if agency is None:
        log.info("staff user %s: the welcome waits for agency %s", data["user_id"], org)
        return
    queue_welcome(session, org, agency.name, data["user_id"], data["email"],
                  data.get("first_name") or data["name"] or data["email"])


def queue_welcome(session, org, organization_name: str, user_id, email: str,
                  first_name: str) -> None:
    queue_email(session, {
        "key": f"staff_welcome:{user_id}", "organization_id": org, "to": email,
        "template": "staff_welcome",
        "context": {"first_name": first_name, "organization_name": organization_name,
                    "link": console_link()}})


class IdentityEntrypoints:
    @consumes("identity", "organization_created")
    def on_organization_created(self, uow, event):
        data = event["data"]
        organizations.remember_created(uow.session, data["organization_id"], data["name"],
                                       event["occurred_at"])
        copies.remember_timezone(uow.session, data["organization_id"], data["name"],
                                 data.get("timezone"), event["occurred_at"])
        # its first administrator, if their event came first, is welcomed now (NOT-4)
        for user in copies.unwelcomed_staff(uow.session, data["organization_id"]):
            queue_welcome(uow.session, data["organization_id"], data["name"], user["id"],
                          user["email"], user["name"] or user["email"])

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
        if copies.remember_staff_user(uow.session, event["organization_id"], event["data"],
                                      event["occurred_at"]):
            welcome_staff_user(uow.session, event)

    @consumes("identity", "staff_user_updated", check=staff_user_data)
    def on_staff_user_updated(self, uow, event):
        """A user created inactive is welcomed when first made active (NOT-4). A user this
        service has no copy of (made before it kept them) is not: they have used the console."""
        session, org = uow.session, event["organization_id"]
        before = copies.staff_user(session, org, event["data"]["user_id"])
        if copies.remember_staff_user(session, org, event["data"], event["occurred_at"]) \
                and before is not None and not before["active"]:
            welcome_staff_user(session, event)

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
