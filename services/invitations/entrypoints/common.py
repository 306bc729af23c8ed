"""What the invitations entrypoints share: the clock, page parameters and queueing an e-mail."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from nameko.exceptions import RemoteError

from casework import cursors
from casework.errors import ServiceUnavailable
from casework.validation import load
from contracts.common import ListQuerySchema

log = logging.getLogger(__name__)
LIST_QUERY = ListQuerySchema()


def now() -> datetime:
    return datetime.now(UTC)


def page_params(params, schema=LIST_QUERY) -> tuple[dict, int]:
    query = load(schema, params)
    return query, cursors.offset(query["cursor"])


def queue_email(notifications, message: dict) -> dict:
    """``notifications.send_email`` (contracts.notifications.SendEmailSchema), called inside the
    caller's transaction: if the e-mail cannot be queued, nothing is kept and the answer is 503
    (no invitation exists without its e-mail)."""
    try:
        return notifications.send_email(message)
    except RemoteError as exc:  # the service answered, but refused or failed: not queued
        log.error("e-mail not queued: %s", exc.exc_type, extra={"key": message["key"]})
        raise ServiceUnavailable("the e-mail could not be queued; try again") from None
