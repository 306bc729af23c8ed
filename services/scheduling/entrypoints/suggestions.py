"""Slot suggestions and matches (SCH-6) and coverage (SCH-7), computed with interval
arithmetic (``domain``) over availability minus sessions, in the agency's time zone."""

from __future__ import annotations

from datetime import timedelta

from casework import callers
from casework.errors import CaseworkError
from casework.rpc import rpc
from casework.validation import load
from contracts.scheduling import (
    CoverageSchema,
    MatchesQuerySchema,
    MatchesSchema,
    SlotsQuerySchema,
    SlotsSchema,
)

from .. import domain
from ..queries import availability, clients, sessions
from .common import text_ids

SLOTS_QUERY = SlotsQuerySchema()
MATCHES_QUERY = MatchesQuerySchema()
SLOTS = SlotsSchema()
MATCHES = MatchesSchema()
COVERAGE = CoverageSchema()


class SuggestionEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def suggest_slots(self, caller, params):
        """The free windows in the range when the client and every practitioner are available
        and none has a session, at least ``duration_minutes`` long."""
        caller = callers.staff(caller)
        query = load(SLOTS_QUERY, params)
        domain.check_range(query["from"], query["to"], query["duration_minutes"])
        org, client_id = caller.organization_id, str(query["client_id"])
        practitioner_ids = text_ids(query["practitioner_id"])
        with self.db.read() as session:
            domain.check_clients([client_id], clients.live_clients(session, org, [client_id]),
                                 "client_id")
            domain.check_practitioners(
                practitioner_ids, set(clients.active_staff(session, org, practitioner_ids)),
                "practitioner_id")
            timezone = clients.timezone_of(session, org)
            zone = domain.zone_of(timezone)
            start, end = domain.local_range(query["from"], query["to"], zone)
            client_weekly = availability.of_many(session, org, "client", [client_id])
            weeklies = availability.of_many(session, org, "practitioner", practitioner_ids)
            # everyone's week intersected once, then expanded once over the range
            common = domain.common_weekly([client_weekly.get(client_id),
                                           *(weeklies.get(p) for p in practitioner_ids)])
            # (a window shorter than the duration holds no slot, whatever is booked in it)
            duration = timedelta(minutes=query["duration_minutes"])
            available = domain.long_enough(domain.expand(common, zone, start, end), duration)
            busy = sessions.busy(session, org, [client_id], practitioner_ids, start,
                                 end) if available else []
        free = domain.free_slots([available], busy, duration)
        return SLOTS.dump({"items": [{"starts_at": s, "ends_at": e} for s, e in free],
                           "timezone": timezone, "duration_minutes": query["duration_minutes"]})

    @rpc(expected_exceptions=CaseworkError)
    def match_practitioners(self, caller, params):
        """The agency's active practitioners ranked by how much of their free availability in
        the range overlaps the client's."""
        caller = callers.staff(caller)
        query = load(MATCHES_QUERY, params)
        domain.check_range(query["from"], query["to"], query["duration_minutes"])
        org, client_id = caller.organization_id, str(query["client_id"])
        with self.db.read() as session:
            domain.check_clients([client_id], clients.live_clients(session, org, [client_id]),
                                 "client_id")
            timezone = clients.timezone_of(session, org)
            zone = domain.zone_of(timezone)
            start, end = domain.local_range(query["from"], query["to"], zone)
            client_weekly = availability.of_many(session, org, "client", [client_id])
            practitioners = availability.of_active_practitioners(session, org)
            client_busy = sessions.busy_of_clients(session, org, [client_id], start, end)
            busy = sessions.busy_by_practitioner(session, org, None, start, end)
        client = domain.expand(client_weekly.get(client_id), zone, start, end)
        ranked = domain.ranked_matches(client, client_busy, {
            user_id: (domain.expand(weekly, zone, start, end), busy.get(user_id, []))
            for user_id, (_, weekly) in practitioners.items()},
            timedelta(minutes=query["duration_minutes"])) if client else []
        for match in ranked:
            match["name"] = practitioners[match["practitioner_id"]][0]
        return MATCHES.dump({"items": ranked, "timezone": timezone})

    @rpc(expected_exceptions=CaseworkError)
    def coverage(self, caller):
        """How many bookable clients and active practitioners are available in each hour of
        the agency's week (local time)."""
        caller = callers.staff(caller)
        org = caller.organization_id
        with self.db.read() as session:
            timezone = clients.timezone_of(session, org)
            client_weeklies = availability.of_bookable_clients(session, org)
            practitioner_weeklies = [w for _, w in
                                     availability.of_active_practitioners(session, org).values()]
        return COVERAGE.dump({"items": domain.coverage(client_weeklies, practitioner_weeklies),
                              "timezone": timezone})
