"""A staff member's in-app notifications and delivery preferences, and the administrators' list
of records whose notifications nobody received (API.md "Staff: messages, notifications,
requests")."""

from __future__ import annotations

import logging

from nameko.timer import timer

from casework import callers, cursors
from casework.config import env
from casework.errors import CaseworkError, NotFound
from casework.rpc import rpc
from casework.validation import load
from contracts.common import ListQuerySchema
from contracts.notifications import (
    NotificationPageSchema,
    NotificationPreferencesSchema,
    NotificationPreferencesUpdateSchema,
    NotificationQuerySchema,
    NotificationSchema,
    UnassignedNotificationsPageSchema,
)

from .. import domain
from ..queries import notifications

log = logging.getLogger(__name__)

NOTIFICATION = NotificationSchema()
NOTIFICATION_QUERY = NotificationQuerySchema()
NOTIFICATION_PAGE = NotificationPageSchema()
PREFERENCES = NotificationPreferencesSchema()
PREFERENCES_UPDATE = NotificationPreferencesUpdateSchema()
LIST_QUERY = ListQuerySchema()
UNASSIGNED_PAGE = UnassignedNotificationsPageSchema()


def shown(row: dict) -> dict:
    return {**row, "read": row["read_at"] is not None}


def prune_notifications(write, days: int | None = None) -> int:
    """Deletes every notification older than ``CASEWORK_NOTIFICATION_RETENTION_DAYS`` in
    batches, each in its own transaction (``write()`` opens one and yields a session); answers
    how many went. Instances pruning at once skip each other's rows."""
    days = int(env("CASEWORK_NOTIFICATION_RETENTION_DAYS")) if days is None else days
    total = 0
    while True:
        with write() as session:
            gone = notifications.prune(session, days)
        total += gone
        if gone < notifications.PRUNE_BATCH:
            return total


class NotificationEntrypoints:
    @timer(interval=float(env("CASEWORK_NOTIFICATION_PRUNE_INTERVAL")))
    def prune_old_notifications(self):
        """Old notifications are deleted (the record and its audit trail stay the history)."""
        from contextlib import contextmanager

        @contextmanager
        def write():
            with self.db.transaction() as uow:
                yield uow.session

        gone = prune_notifications(write)
        if gone:
            log.info("%s notification(s) older than the retention deleted", gone)

    @rpc(expected_exceptions=CaseworkError)
    def list_notifications(self, caller, params):
        """The caller's notifications, newest first (``unread``: only those not read)."""
        caller = callers.staff(caller)
        query = load(NOTIFICATION_QUERY, params)
        before = cursors.before_moment(query.get("cursor"))
        with self.db.read() as session:
            rows = notifications.page(session, caller.organization_id, caller.user_id,
                                      before=before, unread=query["unread"],
                                      limit=query["limit"])
        items, next_cursor = cursors.moment_page(rows, query["limit"], "created_at")
        return NOTIFICATION_PAGE.dump({"items": [shown(r) for r in items],
                                       "next_cursor": next_cursor})

    @rpc(expected_exceptions=CaseworkError)
    def read_notification(self, caller, notification_id):
        """Mark one of the caller's notifications read (again: unchanged); anyone else's, or
        an unknown id, is 404."""
        caller = callers.staff(caller)
        notification_id = callers.known_id(notification_id, "notification")
        with self.db.transaction(rerunnable=True) as uow:
            row = notifications.mark_read(uow.session, caller.organization_id, caller.user_id,
                                          notification_id)
        if row is None:
            raise NotFound("notification not found")
        return NOTIFICATION.dump(shown(row))

    @rpc(expected_exceptions=CaseworkError)
    def get_notification_preferences(self, caller):
        caller = callers.staff(caller)
        with self.db.read() as session:
            chosen = notifications.chosen(session, caller.organization_id, [caller.user_id])
        return PREFERENCES.dump({"items": domain.preferences(
            {kind: delivery for (_, kind), delivery in chosen.items()})})

    @rpc(expected_exceptions=CaseworkError)
    def put_notification_preferences(self, caller, payload):
        """Change how the listed kinds reach the caller; the others keep theirs."""
        caller = callers.staff(caller)
        data = load(PREFERENCES_UPDATE, payload)
        choices = {item["kind"]: item["delivery"] for item in data["items"]}
        with self.db.transaction(rerunnable=True) as uow:
            notifications.choose(uow.session, caller.organization_id, caller.user_id, choices)
            chosen = notifications.chosen(uow.session, caller.organization_id,
                                          [caller.user_id])
        return PREFERENCES.dump({"items": domain.preferences(
            {kind: delivery for (_, kind), delivery in chosen.items()})})

    @rpc(expected_exceptions=CaseworkError)
    def unassigned_notifications(self, caller, params):
        """Administrators: the agency's records with notifications nobody received (no active
        navigator), with how many and the latest, latest first."""
        caller = callers.administrator(caller)
        query = load(LIST_QUERY, params)
        before = cursors.before_moment(query.get("cursor"))
        with self.db.read() as session:
            rows = notifications.unassigned(session, caller.organization_id, before=before,
                                            limit=query["limit"])
        items, next_cursor = cursors.moment_page(rows, query["limit"], "latest_at",
                                                 row_id="record_id")
        return UNASSIGNED_PAGE.dump({"items": items, "next_cursor": next_cursor})
