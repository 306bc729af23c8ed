"""Sessions (SCH-2, SCH-4): clients, practitioners, a start and an end, optionally repeating
weekly at the same local time. Inactive clients are refused (``client_inactive``), a
practitioner already booked then is refused (``practitioner_busy``) unless ``force``, and
staff without ``schedule_any_client`` book only the clients assigned to them. Creating or
changing one publishes it, and records assigns its practitioners as navigators of its clients
(SCH-2). Cancelling keeps the session in the history."""

from __future__ import annotations

import uuid
from datetime import datetime

from casework import callers, cursors
from casework.errors import CaseworkError, Conflict, NotFound
from casework.rpc import rpc
from casework.validation import load
from contracts.scheduling import (
    SessionCreatedSchema,
    SessionCreateSchema,
    SessionPageSchema,
    SessionPatchSchema,
    SessionQuerySchema,
    SessionSchema,
)

from .. import domain
from ..queries import clients, locks, sessions
from .common import text_ids

SESSION_CREATE = SessionCreateSchema()
SESSION_PATCH = SessionPatchSchema()
SESSION_QUERY = SessionQuerySchema()
SESSION = SessionSchema()
SESSION_CREATED = SessionCreatedSchema()
SESSION_PAGE = SessionPageSchema()
SCHEDULE_ANY_CLIENT = "schedule_any_client"


def _event(row: dict, by: str) -> dict:
    return {"session_id": row["id"], "client_ids": row["client_ids"],
            "practitioner_ids": row["practitioner_ids"], "starts_at": row["starts_at"],
            "ends_at": row["ends_at"], "by": by}


class SessionEntrypoints:
    def _check_booking(self, session, caller, client_ids, practitioner_ids, wanted,
                       force: bool, *, exclude=(), check_clients=None,
                       check_practitioners=None) -> None:
        """Every rule a booking must pass, in the order a caller can act on them: ids that
        are not the agency's (422), clients not theirs (403), inactive clients (409), then
        practitioners already booked (409, unless ``force``)."""
        org = caller.organization_id
        check_clients = client_ids if check_clients is None else check_clients
        check_practitioners = (practitioner_ids if check_practitioners is None
                               else check_practitioners)
        known = clients.live_clients(session, org, check_clients)
        domain.check_known_clients(check_clients, known)
        domain.check_practitioners(check_practitioners,
                                   set(clients.active_staff(session, org, check_practitioners)))
        domain.check_may_book(caller.can(SCHEDULE_ANY_CLIENT), client_ids,
                              clients.assigned_to(session, org, caller.user_id, client_ids))
        domain.check_active_clients(check_clients, known)
        if wanted:
            locks.practitioners(session, org, practitioner_ids)
            booked = sessions.booked(session, org, practitioner_ids, min(s for s, _ in wanted),
                                     max(e for _, e in wanted), exclude=list(exclude))
            domain.refuse_if_busy(domain.conflicts(wanted, booked), force)

    @rpc(expected_exceptions=CaseworkError)
    def create_session(self, caller, payload):
        caller = callers.staff(caller)
        data = load(SESSION_CREATE, payload)
        client_ids, practitioner_ids = text_ids(data["client_ids"]), text_ids(
            data["practitioner_ids"])
        domain.check_session_times(data["starts_at"], data["ends_at"])
        org = caller.organization_id
        with self.db.transaction() as uow:
            zone = domain.zone_of(clients.timezone_of(uow.session, org))
            wanted = domain.occurrences(data["starts_at"], data["ends_at"],
                                        data["repeat_weeks"], zone)
            self._check_booking(uow.session, caller, client_ids, practitioner_ids, wanted,
                                data["force"])
            ids = [str(uuid.uuid4()) for _ in wanted]
            series = ids[0] if len(ids) > 1 else None
            sessions.insert_sessions(uow.session, org, [
                {"id": i, "starts_at": s, "ends_at": e, "title": data["title"],
                 "series_id": series, "created_by": caller.user_id}
                for i, (s, e) in zip(ids, wanted, strict=True)], client_ids, practitioner_ids)
            made = sessions.get_many(uow.session, org, ids)
            for row in made:
                uow.emit("session_created", _event(row, caller.user_id), organization_id=org)
        return SESSION_CREATED.dump({**made[0], "occurrences": made})

    @rpc(expected_exceptions=CaseworkError)
    def get_session(self, caller, session_id):
        caller = callers.staff(caller)
        session_id = callers.known_id(session_id, "session")
        with self.db.read() as session:
            found = sessions.get(session, caller.organization_id, session_id)
        if found is None:
            raise NotFound("session not found")
        return SESSION.dump(found)

    @rpc(expected_exceptions=CaseworkError)
    def list_sessions(self, caller, params):
        caller = callers.staff(caller)
        query = load(SESSION_QUERY, params)
        offset, limit = cursors.offset(query.get("cursor")), query["limit"]
        with self.db.read() as session:
            rows = sessions.page(
                session, caller.organization_id,
                starts_before=domain.clamped(query.get("to")),
                ends_after=domain.clamped(query.get("from")),
                client_id=str(query["client_id"]) if query.get("client_id") else None,
                practitioner_id=(str(query["practitioner_id"]) if query.get("practitioner_id")
                                 else None),
                status=query.get("status"), offset=offset, limit=limit)
        items, next_cursor = cursors.offset_page(rows, offset, limit)
        return SESSION_PAGE.dump({"items": items, "next_cursor": next_cursor})

    @rpc(expected_exceptions=CaseworkError)
    def update_session(self, caller, session_id, payload):
        """Change the clients, practitioners, times or title of a scheduled session; added
        clients and practitioners and new times pass the booking rules again."""
        caller = callers.staff(caller)
        session_id = callers.known_id(session_id, "session")
        data = load(SESSION_PATCH, payload)
        org = caller.organization_id
        with self.db.transaction() as uow:
            current = sessions.get(uow.session, org, session_id, lock=True)
            if current is None:
                raise NotFound("session not found")
            if current["status"] != "scheduled":
                raise Conflict("a cancelled session cannot be changed")
            client_ids = text_ids(data.get("client_ids", current["client_ids"]))
            practitioner_ids = text_ids(data.get("practitioner_ids",
                                                 current["practitioner_ids"]))
            starts_at: datetime = data.get("starts_at", current["starts_at"])
            ends_at: datetime = data.get("ends_at", current["ends_at"])
            domain.check_session_times(starts_at, ends_at)
            moved = (starts_at, ends_at) != (current["starts_at"], current["ends_at"])
            added_practitioners = [p for p in practitioner_ids
                                   if p not in current["practitioner_ids"]]
            # the clients the caller books now: all of them (a session of clients not theirs is
            # not theirs to change), the added ones checked as new bookings
            domain.check_may_book(caller.can(SCHEDULE_ANY_CLIENT), current["client_ids"],
                                  clients.assigned_to(uow.session, org, caller.user_id,
                                                      current["client_ids"]))
            self._check_booking(
                uow.session, caller, client_ids, practitioner_ids if moved
                else added_practitioners,
                [(starts_at, ends_at)] if moved or added_practitioners else [],
                data["force"], exclude=[session_id],
                check_clients=[c for c in client_ids if c not in current["client_ids"]],
                check_practitioners=added_practitioners)
            values = {k: data[k] for k in ("starts_at", "ends_at", "title") if k in data}
            sessions.update_session(
                uow.session, org, session_id, values,
                client_ids if "client_ids" in data else None,
                practitioner_ids if "practitioner_ids" in data else None)
            row = sessions.get(uow.session, org, session_id)
            uow.emit("session_updated", _event(row, caller.user_id), organization_id=org)
        return SESSION.dump(row)

    @rpc(expected_exceptions=CaseworkError)
    def cancel_session(self, caller, session_id):
        """Cancelled, never removed: the session stays in the history (and counts as the
        client's financial information, REC-9). Cancelling it again changes nothing."""
        caller = callers.staff(caller)
        session_id = callers.known_id(session_id, "session")
        org = caller.organization_id
        with self.db.transaction() as uow:
            current = sessions.get(uow.session, org, session_id, lock=True)
            if current is None:
                raise NotFound("session not found")
            domain.check_may_book(caller.can(SCHEDULE_ANY_CLIENT), current["client_ids"],
                                  clients.assigned_to(uow.session, org, caller.user_id,
                                                      current["client_ids"]))
            if sessions.cancel(uow.session, org, session_id, caller.user_id):
                uow.emit("session_cancelled", _event(current, caller.user_id),
                         organization_id=org)
