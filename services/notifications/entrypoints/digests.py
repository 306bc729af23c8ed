"""The daily digest: one e-mail per staff member and day gathering their notifications whose
delivery is ``digest``, sent by a timer from ``CASEWORK_DIGEST_HOUR`` of the agency's day (its
time zone), checked every ``CASEWORK_DIGEST_INTERVAL`` seconds.

Once per person per day whatever the number of instances: a digest is claimed by inserting
(user, local day) into ``digests`` in the transaction that gathers its notifications and queues
its e-mail; a second instance's claim waits for the first to commit and then finds it taken.
The e-mail's key is ``digest:<user>:<day>`` as well, so even a replayed claim queues it once.
Notifications arriving after the day's digest wait for the next day's.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager

from nameko.timer import timer

from casework.config import env

from .. import domain
from ..queries import notifications
from .delivery import console_link
from .email import queue_email

log = logging.getLogger(__name__)


def digest_hour() -> int:
    return min(23, max(0, int(env("CASEWORK_DIGEST_HOUR"))))


def send_digests(read, write, hour: int | None = None) -> int:
    """Queue the digests due now. ``read()`` and ``write()`` open a transaction and yield what
    the queries execute on (a session or a connection). Answers how many were queued here."""
    hour = digest_hour() if hour is None else hour
    with read() as session:
        due = notifications.due_digests(session, hour)
    queued = 0
    for digest in due:
        with write() as session:
            gathered = notifications.claim_digest(session, digest["organization_id"],
                                                  digest["user_id"], digest["day"])
            if not gathered:
                continue  # another instance has it (or nothing is left)
            person = notifications.recipient(session, digest["organization_id"],
                                             digest["user_id"])
            if person is None or not person["active"] or not person["email"]:
                log.warning("digest of %s for %s not e-mailed: no active staff user with an"
                            " address (its %s notifications stay in the app)",
                            digest["user_id"], digest["day"], len(gathered))
                continue
            queue_email(session, {
                "key": f"digest:{digest['user_id']}:{digest['day'].isoformat()}",
                "organization_id": digest["organization_id"], "to": person["email"],
                "template": "notification_digest",
                "context": {"name": person["name"] or person["email"],
                            "count": str(len(gathered)),
                            "summary": domain.digest_summary([g["title"] for g in gathered]),
                            "link": console_link()}})
            queued += 1
    return queued


class DigestEntrypoints:
    @timer(interval=float(env("CASEWORK_DIGEST_INTERVAL")))
    def send_daily_digests(self):
        """Every instance checks; each digest goes once (its claim)."""
        @contextmanager
        def write():
            with self.db.transaction() as uow:
                yield uow.session

        queued = send_digests(self.db.read, write)
        if queued:
            log.info("%s digest e-mail(s) queued", queued)
            self.mail_sender.wake()
