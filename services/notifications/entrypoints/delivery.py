"""The delivery rules (NOT-1, NOT-2): who is told about what, and how (in the app, an e-mail at
once, or the daily digest), inside the transaction of the event that caused it.

- Notifications about a record go only to its active navigators (NOT-1); one meant for a person
  (a client's message for the thread's staff member, a fulfilled request for its requester) goes
  to that person when they are one of them, else to the navigators (``domain.recipients``).
- None at all about a closed or inactive record when the agency disables them (NOT-2).
- A record with no active navigator keeps the notification undelivered (``user_id`` null): the
  administrators list it (``GET /staff/notifications/unassigned``) and the record's next
  navigator receives it in the app.
- An event about a record notifications does not know, or a deleted one, raises
  ``Undeliverable``: the consumer retries it (the record's own events may still be on their way)
  and then dead-letters it with the reason (``casework dead-letters list``; replay it once the
  record is there or restored). Nothing is dropped silently.

Each notification (and its e-mail) has a key made of the event's id and the recipient: the
inbox applies an event once, and the keys would make a second application a no-op anyway.
"""

from __future__ import annotations

import logging

from casework.config import env

from .. import domain
from ..queries import copies, notifications
from .email import queue_email

log = logging.getLogger(__name__)


class Undeliverable(Exception):
    """An event that cannot make a notification now (unknown or deleted record): retried by the
    consumer, then dead-lettered with this reason."""


def console_link(record_id=None) -> str:
    base = env("CASEWORK_STAFF_URL").rstrip("/")
    return f"{base}/records/{record_id}" if record_id else f"{base}/notifications"


def deliver(session, *, organization_id, event_id, kind: str, record_id, users: list[str],
            title: str) -> list[str]:
    """Store the notification for each of ``users`` (none: undelivered) by their preference and
    queue the e-mails due at once. Answers the delivery of each, in order."""
    if not users:
        notifications.add(session, key=f"{kind}:{event_id}:-", organization_id=organization_id,
                          user_id=None, kind=kind, record_id=record_id, title=title,
                          delivery="in_app")
        log.warning("notification %s about record %s has no recipient (no active navigator):"
                    " kept for the administrators' list", kind, record_id,
                    extra={"event_id": str(event_id)})
        return []
    chosen = notifications.chosen(session, organization_id, users, kind)
    wanted = {u: chosen.get((u, kind), domain.KINDS[kind]) for u in users}
    recent = (notifications.recent_emails(session, users)
              if "email" in wanted.values() else {})
    deliveries = []
    for user in users:
        delivery = domain.delivery_for(wanted[user], recent.get(user, 0))
        person = copies.staff_user(session, organization_id, user) if delivery == "email" \
            else None
        if delivery == "email" and not (person and person["email"]):
            log.warning("staff user %s has no known e-mail address: notification %s in the app"
                        " only", user, kind, extra={"event_id": str(event_id)})
            delivery = "in_app"
        made = notifications.add(session, key=f"{kind}:{event_id}:{user}",
                                 organization_id=organization_id, user_id=user, kind=kind,
                                 record_id=record_id, title=title, delivery=delivery)
        if made is not None and delivery == "email":
            queue_email(session, {
                "key": f"notification:{kind}:{event_id}:{user}"[:200],
                "organization_id": organization_id, "to": person["email"],
                "template": "notification",
                "context": {"name": person["name"] or person["email"], "title": title,
                            "link": console_link(record_id)}})
        deliveries.append(delivery)
    return deliveries


def about_record(session, event, *, kind: str, record_id, addressee=None, status=None,
                 known: bool = True, **values) -> list[str]:
    """A notification about a record (NOT-1, NOT-2) for ``addressee`` or its navigators.
    ``status``: the record's status as the event says it is now (else the copy's); ``known``
    False for a record's own events: the record may not be known yet (its ``record_created``
    still on its way), and a deleted one's event still applies its copy, with a warning in the
    log instead of a notification."""
    org = event["organization_id"]
    record = copies.record_of(session, org, record_id)
    if record is None and known:
        raise Undeliverable(f"record {record_id} of agency {org} is not known to notifications"
                            f" ({kind})")
    if record is not None and record["deleted"]:
        if not known:  # the record's own event: its copy is applied, only the notice is not
            log.warning("no %s notification about record %s: the record is deleted", kind,
                        record_id, extra={"event_id": str(event["event_id"])})
            return []
        raise Undeliverable(f"record {record_id} of agency {org} is deleted ({kind}); replay"
                            " the event if it is restored")
    agency = copies.organization_of(session, org)
    current = status or (record or {}).get("status")
    if domain.suppressed(current, agency is not None and agency["suppress_closed_records"]):
        log.info("no %s notification about record %s: the agency disables notifications for"
                 " %s records (NOT-2)", kind, record_id, current)
        return []
    navigators = copies.navigators_of(session, org, record_id)
    inactive = copies.inactive_among(session, org, navigators)
    users = domain.recipients(navigators, inactive, str(addressee) if addressee else None)
    title = domain.title(kind, case_number=(record or {}).get("case_number"),
                         status=current, **values)
    return deliver(session, organization_id=org, event_id=event["event_id"], kind=kind,
                   record_id=record_id, users=users, title=title)
