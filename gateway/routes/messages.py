"""Message threads (NOT-5, NOT-6) and mass sending (NOT-7), API.md "Staff: messages,
notifications, requests" and the portal's threads; the notifications service keeps them."""

from __future__ import annotations

from contracts.common import ListQuerySchema
from contracts.messages import (
    InboxPageSchema,
    MassSendCreatedSchema,
    MassSendCreateSchema,
    MassSendSchema,
    MessageBodySchema,
    PortalThreadCreateSchema,
    PortalThreadItemPageSchema,
    ThreadSchema,
)

from ..routing import route

ADMIN = "agency_admin"


class MessageRoutes:
    @route("POST", "/api/v1/staff/records/<record_id>/messages", audience="staff",
           body=MessageBodySchema(), responses={201: ThreadSchema}, errors=(409,),
           tag="messages")
    def start_thread(self, call, record_id, body):
        """Start a thread with the record's client (NOT-5): the body keeps bold, italic and
        lists only; the client gets an e-mail saying a message waits in the portal (never the
        message). 409 ``no_portal_account`` without a portal account, 409 ``portal_banned``."""
        return 201, self.rpc.notifications.start_thread(call.caller, record_id, body)

    @route("GET", "/api/v1/staff/inbox", audience="staff", query=ListQuerySchema(),
           responses={200: InboxPageSchema}, tag="messages")
    def staff_inbox(self, call, query):
        """The caller's threads, latest message first, each labelled ``PORTAL`` with who
        started it and how many of the client's messages are unread."""
        return self.rpc.notifications.staff_inbox(call.caller, query)

    @route("GET", "/api/v1/staff/threads/<thread_id>", audience="staff",
           responses={200: ThreadSchema}, tag="messages")
    def staff_thread(self, call, thread_id):
        """A thread and its messages; reading marks it read for its staff member.
        Administrators read any thread of the agency."""
        return self.rpc.notifications.staff_get_thread(call.caller, thread_id)

    @route("POST", "/api/v1/staff/threads/<thread_id>/messages", audience="staff",
           body=MessageBodySchema(), responses={201: ThreadSchema}, errors=(409,),
           tag="messages")
    def staff_reply(self, call, thread_id, body):
        """Reply in the thread (NOT-5)."""
        return 201, self.rpc.notifications.staff_post_message(call.caller, thread_id, body)

    @route("POST", "/api/v1/staff/mass-sends", audience="staff", permission=ADMIN,
           body=MassSendCreateSchema(), responses={202: MassSendCreatedSchema},
           tag="messages")
    def create_mass_send(self, call, body):
        """A message or request to a group or up to 10,000 records (NOT-7), sent in the
        background; follow it with its GET."""
        return 202, self.rpc.notifications.create_mass_send(call.caller, body)

    @route("GET", "/api/v1/staff/mass-sends/<mass_send_id>", audience="staff",
           permission=ADMIN, responses={200: MassSendSchema}, tag="messages")
    def get_mass_send(self, call, mass_send_id):
        """Progress and a result per recipient: sent, skipped (and why) or failed."""
        return self.rpc.notifications.get_mass_send(call.caller, mass_send_id)


PORTAL_RECORD = "/api/v1/portal/records/<record_id>"
PORTAL_THREAD = "/api/v1/portal/threads/<thread_id>"


class PortalMessageRoutes:
    @route("GET", f"{PORTAL_RECORD}/threads", audience="portal", query=ListQuerySchema(),
           responses={200: PortalThreadItemPageSchema}, errors=(403,), tag="portal")
    def portal_threads(self, call, record_id, query):
        """The record's threads, latest message first, with the client's unread counts."""
        return self.rpc.notifications.portal_list_threads(call.caller, record_id, query)

    @route("POST", f"{PORTAL_RECORD}/threads", audience="portal",
           body=PortalThreadCreateSchema(), responses={201: ThreadSchema}, errors=(403,),
           tag="portal")
    def portal_start_thread(self, call, record_id, body):
        """Start a thread with a member of the record's care team who accepts
        client-initiated contact (NOT-6); 403 ``contact_not_allowed`` otherwise."""
        return 201, self.rpc.notifications.portal_start_thread(call.caller, record_id, body)

    @route("GET", PORTAL_THREAD, audience="portal", responses={200: ThreadSchema},
           errors=(403,), tag="portal")
    def portal_thread(self, call, thread_id):
        """A thread and its messages; reading marks it read for the client."""
        return self.rpc.notifications.portal_get_thread(call.caller, thread_id)

    @route("POST", f"{PORTAL_THREAD}/messages", audience="portal", body=MessageBodySchema(),
           responses={201: ThreadSchema}, errors=(403,), tag="portal")
    def portal_reply(self, call, thread_id, body):
        """Reply in the thread."""
        return 201, self.rpc.notifications.portal_post_message(call.caller, thread_id, body)
