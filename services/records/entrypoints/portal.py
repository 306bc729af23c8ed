"""What the portal shows a client of the agency's audit trail of their record (ID-6, REC-15):
who at the agency read or changed it, when, by name and role, and what in a few words
(``domain.access_action``). Only the caller's own record (another client's answers the same 404
as an unknown one, S1), 403 while they are banned there (REC-6); never an entry's changes, so
never a staff-only note's text (REC-13), a search's query or the other records it found."""

from __future__ import annotations

from casework import callers, cursors
from casework.errors import CaseworkError
from casework.rpc import rpc
from casework.validation import load
from contracts.common import ListQuerySchema
from contracts.records import PortalAccessPageSchema

from .. import domain
from ..queries import audit, global_records

LIST_QUERY, ACCESS_PAGE = ListQuerySchema(), PortalAccessPageSchema()


class PortalAccessEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def portal_record_access(self, caller, record_id, params):
        """``GET /portal/records/{id}/access``: newest first, keyset-paged by (at, entry id)."""
        caller, record_id = callers.portal(caller), callers.known_id(record_id)
        page = load(LIST_QUERY, params)
        before = cursors.before_moment(page["cursor"])
        with self.db.read() as session:
            row = global_records.portal_record(session, caller.global_record_id, record_id)
        self._portal(row)  # 404 when not theirs, 403 while banned or the portal is off
        with self.db.read() as session:
            rows = audit.access_page(session, str(row["organization_id"]), record_id,
                                     before=before, limit=page["limit"])
        items, next_cursor = cursors.moment_page(rows, page["limit"], "at")
        return ACCESS_PAGE.dump({
            "items": [{**item, "action": domain.access_action(item["action"])}
                      for item in items],
            "next_cursor": next_cursor})
