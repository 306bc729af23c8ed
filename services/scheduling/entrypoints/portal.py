"""The portal's scheduling (API.md "Portal"): a client signed in to the portal, on one of their
agency records, reads and edits their weekly availability (SCH-1) with the agency's
``availability`` feature, and reads their sessions, payments and practitioners with its
``sessions`` feature (403 otherwise).

Whether the record is the caller's is the records service's answer (``portal_get_record``, from
the record's link to the caller's global record), asked here on every call so that the check
holds in this service whatever calls it: another client's record answers 404 like an unknown
one, a banned client or an agency whose portal is off 403, exactly as the portal record routes
do."""

from __future__ import annotations

from datetime import UTC, datetime

from casework import callers, cursors
from casework.errors import CaseworkError, PermissionDenied
from casework.rpc import rpc
from casework.validation import load
from contracts.common import ListQuerySchema
from contracts.scheduling import (
    AvailabilityBodySchema,
    PortalPaymentPageSchema,
    PortalPractitionersSchema,
    PortalSessionPageSchema,
    PortalSessionQuerySchema,
)

from .. import domain
from ..queries import availability, clients, portal

AVAILABILITY_BODY = AvailabilityBodySchema()
SESSION_QUERY = PortalSessionQuerySchema()
LIST_QUERY = ListQuerySchema()
SESSION_PAGE = PortalSessionPageSchema()
PAYMENT_PAGE = PortalPaymentPageSchema()
PRACTITIONERS = PortalPractitionersSchema()
FEATURE_WORDS = {"availability": "manage their availability here",
                 "sessions": "see their sessions here"}


class PortalEntrypoints:
    def _portal_record(self, raw_caller, record_id, feature: str) -> tuple[str, str]:
        """``(organization_id, record_id)`` of the caller's record where the agency gives its
        clients ``feature``: records says whether the record is theirs (404, 403 banned)."""
        callers.portal(raw_caller)  # 403 before asking anyone
        record_id = callers.known_id(record_id, "record")
        found = self.records.portal_get_record(raw_caller, record_id)
        if feature not in found["features"]:
            raise PermissionDenied(f"this agency does not let its clients {FEATURE_WORDS[feature]}")
        return str(found["organization_id"]), record_id

    @rpc(expected_exceptions=CaseworkError)
    def portal_get_availability(self, caller, record_id):
        org, record_id = self._portal_record(caller, record_id, "availability")
        with self.db.read() as session:
            found = availability.get(session, org, "client", record_id)
            zone = clients.timezone_of(session, org)
        return self._availability("client", record_id, found, zone)

    @rpc(expected_exceptions=CaseworkError)
    def portal_put_availability(self, caller, record_id, payload):
        """The client's own week, with the staff route's rules (SCH-1); ``updated_by`` stays
        empty: no staff user changed it."""
        org, record_id = self._portal_record(caller, record_id, "availability")
        weekly = domain.weekly_minutes(load(AVAILABILITY_BODY, payload)["weekly"])
        with self.db.transaction() as uow:
            stored = availability.put(uow.session, org, "client", record_id, weekly, None)
            zone = clients.timezone_of(uow.session, org)
        return self._availability("client", record_id, stored, zone)

    @rpc(expected_exceptions=CaseworkError)
    def portal_list_sessions(self, caller, record_id, params):
        org, record_id = self._portal_record(caller, record_id, "sessions")
        query = load(SESSION_QUERY, params)
        offset, limit = cursors.offset(query.get("cursor")), query["limit"]
        with self.db.read() as session:
            rows = portal.sessions_of(session, org, record_id, when=query["when"],
                                      now=datetime.now(UTC), offset=offset, limit=limit)
            named = portal.names(session, org, {p for r in rows for p in r["practitioner_ids"]})
        for row in rows:
            row["practitioners"] = [{"id": p, "name": named.get(p)}
                                    for p in row["practitioner_ids"]]
        items, next_cursor = cursors.offset_page(rows, offset, limit)
        return SESSION_PAGE.dump({"items": items, "next_cursor": next_cursor})

    @rpc(expected_exceptions=CaseworkError)
    def portal_list_payments(self, caller, record_id, params):
        org, record_id = self._portal_record(caller, record_id, "sessions")
        query = load(LIST_QUERY, params)
        offset, limit = cursors.offset(query.get("cursor")), query["limit"]
        with self.db.read() as session:
            rows = portal.payments_of(session, org, record_id, offset=offset, limit=limit)
        items, next_cursor = cursors.offset_page(rows, offset, limit)
        return PAYMENT_PAGE.dump({"items": items, "next_cursor": next_cursor})

    @rpc(expected_exceptions=CaseworkError)
    def portal_practitioners(self, caller, record_id):
        org, record_id = self._portal_record(caller, record_id, "sessions")
        with self.db.read() as session:
            found = portal.practitioners_of(session, org, record_id)
        return PRACTITIONERS.dump({"items": found})
