"""Message threads between staff and a client about one record (NOT-5, NOT-6).

Staff start a thread on a record (``start_thread``) and reply in it; the client reads and
answers in the portal, and starts a thread only with a member of the record's care team who
accepts client-initiated contact (``portal_start_thread``: 403 ``contact_not_allowed``
otherwise, the same answer whatever the reason). Every thread is a portal thread (label
``PORTAL`` in the staff inbox); ``started_by`` says who opened it.

- Bodies are sanitised to bold, italic and lists (``domain.sanitise_message``) and stored so;
  one with no text left is refused (422 ``validation_error`` on ``body``).
- Read and unread: each side has a count of the other side's messages it has not read;
  reading a thread (its GET) zeroes the reader's, answering in it too. Staff see their own
  threads (the thread's staff member); an administrator may read and answer any thread of
  the agency, without marking it read for its staff member.
- Each message to a client queues an e-mail ("you have a new message" and a link to the
  thread in the portal, never the body) to the record's e-mail address, once per message
  (its key), and every message emits ``notifications.message_posted``.
- A staff message needs a client who can read it: 409 ``no_portal_account`` when the record
  has no portal account, 409 ``portal_banned`` while the client is banned from the portal.
- What a record is (its portal account, e-mail, name) is records' answer
  (``message_recipients``); whether a portal caller's record is theirs too
  (``portal_get_record``: 404 for another's, 403 when banned or when the agency does not give
  its clients the ``messages`` feature)."""

from __future__ import annotations

from casework import callers, cursors
from casework.callers import AGENCY_ADMIN
from casework.config import settings
from casework.errors import (
    CaseworkError,
    ContactNotAllowed,
    NoPortalAccount,
    NotFound,
    PermissionDenied,
    PortalBanned,
    ValidationFailed,
)
from casework.rpc import rpc
from casework.validation import load
from contracts.common import ListQuerySchema
from contracts.messages import (
    InboxPageSchema,
    MessageBodySchema,
    PortalThreadCreateSchema,
    PortalThreadItemPageSchema,
    ThreadSchema,
)

from .. import domain
from ..queries import copies, organizations, threads
from .email import queue_email

BODY = MessageBodySchema()
PORTAL_CREATE = PortalThreadCreateSchema()
LIST_QUERY = ListQuerySchema()
THREAD = ThreadSchema()
INBOX = InboxPageSchema()
PORTAL_THREADS = PortalThreadItemPageSchema()


def clean_body(body: str) -> str:
    try:
        return domain.sanitise_message(body)
    except domain.EmptyMessage as exc:
        raise ValidationFailed("the message has no text once sanitised", {
            "body": ["no text is left once only bold, italic and lists are kept"]}) from exc


def check_reachable(client: dict) -> None:
    """A staff message needs a client who can read it in the portal."""
    if client["portal_status"] is None:
        raise NoPortalAccount("the client has no portal account to read messages in; "
                              "invite them to the portal first")
    if client["portal_status"] == "banned":
        raise PortalBanned("the client is banned from the agency's portal")


class MessageEntrypoints:
    # --- shared ---------------------------------------------------------------------------

    def _client(self, raw_caller, record_id: str) -> dict:
        """The record's client as records has it (404 when not the agency's live record)."""
        found = self.records.message_recipients(raw_caller, {"record_ids": [record_id]})
        if not found["items"]:
            raise NotFound("record not found")
        return found["items"][0]

    def _post(self, uow, thread: dict, author: str, author_id, body: str,
              client: dict | None = None) -> dict:
        """One message in ``thread``: stored, e-mailed to the client (a staff message, when
        the record has an address) and announced (``message_posted``)."""
        org = str(thread["organization_id"])
        message_id = domain.new_id()
        row = threads.post(uow.session, message_id=message_id, thread_id=thread["id"],
                           organization_id=org, author=author, author_id=author_id, body=body)
        if author == "staff" and client is not None and client.get("email"):
            agency = organizations.get_agency(uow.session, org)
            queue_email(uow.session, {
                "key": f"new_message:{message_id}", "organization_id": org,
                "to": client["email"], "template": "new_message",
                "context": {"organization_name": agency.name if agency else "Your agency",
                            "first_name": client["first_name"] or client["name"],
                            "link": domain.portal_thread_link(settings().portal_url,
                                                              thread["id"])}})
        uow.emit("message_posted", {
            "thread_id": thread["id"], "message_id": message_id,
            "record_id": thread["record_id"], "author": author, "author_id": author_id,
            "staff_user_id": thread["staff_user_id"]}, organization_id=org)
        return row

    def _answer(self, session, thread: dict, reader: str) -> dict:
        org = str(thread["organization_id"])
        member = copies.staff_user(session, org, thread["staff_user_id"])
        unread = thread["staff_unread" if reader == "staff" else "client_unread"]
        return THREAD.dump({**thread, "label": "PORTAL", "unread": unread,
                            "staff_name": member["name"] if member else None,
                            "messages": threads.messages_of(session, thread["id"])})

    # --- staff ------------------------------------------------------------------------------

    def _staff_thread(self, session, caller, thread_id, *, lock: bool = False) -> dict:
        """The agency's thread if the caller is its staff member or an administrator; 404
        otherwise (another's thread is not shown, like an unknown one)."""
        thread_id = callers.known_id(thread_id, "thread")
        thread = threads.get(session, thread_id, caller.organization_id, lock=lock)
        if thread is None or not (str(thread["staff_user_id"]) == caller.user_id
                                  or AGENCY_ADMIN in caller.permissions):
            raise NotFound("thread not found")
        return thread

    @rpc(expected_exceptions=CaseworkError)
    def start_thread(self, caller, record_id, payload):
        """``POST /staff/records/{id}/messages``: a new thread with the record's client, its
        first message the caller's."""
        raw, caller = caller, callers.staff(caller)
        record_id = callers.known_id(record_id)
        body = clean_body(load(BODY, payload)["body"])
        client = self._client(raw, record_id)
        check_reachable(client)
        thread_id = domain.new_id()
        with self.db.transaction() as uow:
            threads.start(uow.session, thread_id=thread_id,
                          organization_id=caller.organization_id, record_id=record_id,
                          staff_user_id=caller.user_id, started_by="staff")
            thread = threads.get(uow.session, thread_id)
            self._post(uow, thread, "staff", caller.user_id, body, client)
            answer = self._answer(uow.session, threads.get(uow.session, thread_id), "staff")
        self.mail_sender.wake()
        return answer

    @rpc(expected_exceptions=CaseworkError)
    def staff_inbox(self, caller, params):
        """The caller's threads, latest message first (keyset pages)."""
        caller = callers.staff(caller)
        page = load(LIST_QUERY, params)
        before = cursors.before_moment(page["cursor"])
        with self.db.read() as session:
            rows = threads.inbox(session, caller.organization_id, caller.user_id, before,
                                 page["limit"])
        items, next_cursor = cursors.moment_page(rows, page["limit"], "last_message_at",
                                                 "thread_id")
        return INBOX.dump({"items": items, "next_cursor": next_cursor})

    @rpc(expected_exceptions=CaseworkError)
    def staff_get_thread(self, caller, thread_id):
        """The thread and its messages; read now for its staff member (``unread`` says how
        many of the client's messages were new)."""
        caller = callers.staff(caller)
        with self.db.transaction(rerunnable=True) as uow:
            thread = self._staff_thread(uow.session, caller, thread_id)
            answer = self._answer(uow.session, thread, "staff")
            if str(thread["staff_user_id"]) == caller.user_id:
                threads.mark_read(uow.session, thread["id"], "staff")
        return answer

    @rpc(expected_exceptions=CaseworkError)
    def staff_post_message(self, caller, thread_id, payload):
        """A staff reply in the thread (201 with the thread)."""
        raw, caller = caller, callers.staff(caller)
        body = clean_body(load(BODY, payload)["body"])
        with self.db.read() as session:
            thread = self._staff_thread(session, caller, thread_id)
        client = self._client(raw, str(thread["record_id"]))
        check_reachable(client)
        with self.db.transaction() as uow:
            thread = self._staff_thread(uow.session, caller, thread_id, lock=True)
            self._post(uow, thread, "staff", caller.user_id, body, client)
            answer = self._answer(uow.session, threads.get(uow.session, thread["id"]), "staff")
        self.mail_sender.wake()
        return answer

    # --- portal -----------------------------------------------------------------------------

    def _portal_record(self, raw_caller, record_id) -> tuple[str, str]:
        """``(organization_id, record_id)`` of the caller's own record, where the agency gives
        its clients ``messages`` (records answers: 404 another's, 403 banned)."""
        callers.portal(raw_caller)
        record_id = callers.known_id(record_id, "record")
        found = self.records.portal_get_record(raw_caller, record_id)
        if "messages" not in found["features"]:
            raise PermissionDenied("this agency does not let its clients message it here")
        return str(found["organization_id"]), record_id

    def _portal_thread(self, raw_caller, thread_id) -> dict:
        """The thread if it is on one of the caller's records (404 otherwise)."""
        callers.portal(raw_caller)
        thread_id = callers.known_id(thread_id, "thread")
        with self.db.read() as session:
            thread = threads.get(session, thread_id)
        if thread is None:
            raise NotFound("thread not found")
        try:
            org, _ = self._portal_record(raw_caller, str(thread["record_id"]))
        except NotFound:
            raise NotFound("thread not found") from None
        if org != str(thread["organization_id"]):
            raise NotFound("thread not found")
        return thread

    @rpc(expected_exceptions=CaseworkError)
    def portal_list_threads(self, caller, record_id, params):
        org, record_id = self._portal_record(caller, record_id)
        page = load(LIST_QUERY, params)
        before = cursors.before_moment(page["cursor"])
        with self.db.read() as session:
            rows = threads.of_record(session, org, record_id, before, page["limit"])
        items, next_cursor = cursors.moment_page(rows, page["limit"], "last_message_at",
                                                 "thread_id")
        return PORTAL_THREADS.dump({"items": items, "next_cursor": next_cursor})

    @rpc(expected_exceptions=CaseworkError)
    def portal_start_thread(self, caller, record_id, payload):
        """NOT-6: only with an active member of the record's care team who accepts
        client-initiated contact; 403 ``contact_not_allowed`` otherwise, whatever the reason
        (not on the team, not accepting, unknown, inactive)."""
        account = callers.portal(caller).account_id
        data = load(PORTAL_CREATE, payload)
        body = clean_body(data["body"])
        org, record_id = self._portal_record(caller, record_id)
        staff_user_id = str(data["staff_user_id"])
        thread_id = domain.new_id()
        with self.db.transaction() as uow:
            team = copies.care_team(uow.session, org, record_id)
            if not domain.may_contact(team, staff_user_id):
                raise ContactNotAllowed("you cannot start a conversation with this staff "
                                        "member here")
            threads.start(uow.session, thread_id=thread_id, organization_id=org,
                          record_id=record_id, staff_user_id=staff_user_id,
                          started_by="client")
            thread = threads.get(uow.session, thread_id)
            self._post(uow, thread, "client", account, body)
            answer = self._answer(uow.session, threads.get(uow.session, thread_id), "client")
        return answer

    @rpc(expected_exceptions=CaseworkError)
    def portal_get_thread(self, caller, thread_id):
        thread = self._portal_thread(caller, thread_id)
        with self.db.transaction(rerunnable=True) as uow:
            answer = self._answer(uow.session, thread, "client")
            threads.mark_read(uow.session, thread["id"], "client")
        return answer

    @rpc(expected_exceptions=CaseworkError)
    def portal_post_message(self, caller, thread_id, payload):
        body = clean_body(load(BODY, payload)["body"])
        thread = self._portal_thread(caller, thread_id)
        account = callers.portal(caller).account_id
        with self.db.transaction() as uow:
            thread = threads.get(uow.session, thread["id"], lock=True)
            self._post(uow, thread, "client", account, body)
            answer = self._answer(uow.session, threads.get(uow.session, thread["id"]),
                                  "client")
        return answer
