"""Staff routes of API.md "Staff: messages, notifications, requests": in-app notifications, each
staff member's delivery preferences, and the administrators' list of records whose
notifications nobody received (NOT-1, NOT-2)."""

from __future__ import annotations

from contracts.common import ListQuerySchema
from contracts.notifications import (
    NotificationPageSchema,
    NotificationPreferencesSchema,
    NotificationPreferencesUpdateSchema,
    NotificationQuerySchema,
    NotificationSchema,
    UnassignedNotificationsPageSchema,
)

from ..routing import route


class NotificationRoutes:
    @route("GET", "/api/v1/staff/notifications", audience="staff",
           query=NotificationQuerySchema(), responses={200: NotificationPageSchema},
           tag="notifications")
    def list_notifications(self, call, query):
        """The caller's notifications, newest first; ``unread=true`` for those not read yet.
        Only about records the caller navigates (NOT-1)."""
        return self.rpc.notifications.list_notifications(call.caller, query)

    @route("POST", "/api/v1/staff/notifications/<notification_id>/read", audience="staff",
           responses={200: NotificationSchema}, tag="notifications")
    def read_notification(self, call, notification_id):
        """Mark one of the caller's notifications read (again: unchanged)."""
        return self.rpc.notifications.read_notification(call.caller, notification_id)

    @route("GET", "/api/v1/staff/notifications/unassigned", audience="staff",
           permission="agency_admin", query=ListQuerySchema(),
           responses={200: UnassignedNotificationsPageSchema}, tag="notifications")
    def unassigned_notifications(self, call, query):
        """Records with notifications nobody received (no active navigator when they
        happened): how many and the latest, latest first. A record's next navigator receives
        them in the app, and the record leaves this list."""
        return self.rpc.notifications.unassigned_notifications(call.caller, query)

    @route("GET", "/api/v1/staff/notification-preferences", audience="staff",
           responses={200: NotificationPreferencesSchema}, tag="notifications")
    def get_notification_preferences(self, call):
        """How each kind of notification reaches the caller: ``in_app`` only, ``email`` at
        once, or ``digest`` (one e-mail a day)."""
        return self.rpc.notifications.get_notification_preferences(call.caller)

    @route("PUT", "/api/v1/staff/notification-preferences", audience="staff",
           body=NotificationPreferencesUpdateSchema(),
           responses={200: NotificationPreferencesSchema}, tag="notifications")
    def put_notification_preferences(self, call, body):
        """Change how the listed kinds reach the caller; the others keep theirs."""
        return self.rpc.notifications.put_notification_preferences(call.caller, body)
