"""The records side of the client portal.

- ``identity.global_record_updated`` (ID-4): every linked copy takes each changed field whose
  version is higher than the copy's, compared in the UPDATE itself: applied once (inbox), the
  latest change wins per field whatever the order or number of deliveries (QUALITY F9).
- The portal's agency records (ID-6): only the caller's own (another client's record answers the
  same 404 as an unknown one, S1), 403 while banned there (REC-6), never staff-only notes
  (REC-13), changes only with the agency's ``profile_editing`` feature.
- What invitations ask of a record (INV-1) and the duplicates matcher (INV-6).
"""

from __future__ import annotations

from casework import callers
from casework.dumping import page_dumper
from casework.errors import CaseworkError, NotFound, PermissionDenied
from casework.messaging import consumes
from casework.rpc import rpc
from casework.validation import load
from contracts.records import (
    DuplicateSchema,
    InvitationTargetSchema,
    PeopleMatchesSchema,
    PeopleSchema,
    PersonQuerySchema,
    PortalRecordPatchSchema,
    PortalRecordSchema,
    PortalRecordStatusesSchema,
)

from .. import domain
from ..queries import audit, global_records, records

PORTAL_RECORD, PORTAL_PATCH = PortalRecordSchema(), PortalRecordPatchSchema()
STATUSES = PortalRecordStatusesSchema()
TARGET = InvitationTargetSchema()
PERSON, PEOPLE = PersonQuerySchema(), PeopleSchema()
MATCHES = PeopleMatchesSchema()
dump_duplicates = page_dumper(DuplicateSchema())  # the matcher's answer, dumped by plan
MAX_CANDIDATES = 20
SEARCH_FIELDS = ("first_name", "last_name", "email", "phones")


class GlobalRecordEntrypoints:
    @consumes("identity", "global_record_updated")
    def on_global_record_updated(self, uow, event):
        data = event["data"]
        linked = data["linked_records"]
        before = global_records.lock_copies(uow.session, linked)
        if not before:
            return
        global_record_id = str(data["global_record_id"])
        taken: dict[str, list[str]] = {}
        for name, value in data["changes"].items():
            version = data["field_versions"].get(name)
            if version is None:
                continue
            for record_id in global_records.take_field(uow.session, linked, global_record_id,
                                                       name, value, version):
                taken.setdefault(record_id, []).append(name)
        if not taken:
            return
        searchable, audited = [], []
        for row in global_records.current_values(uow.session, list(taken)):
            record_id, old = str(row["id"]), before[str(row["id"])]
            if any(name in SEARCH_FIELDS for name in taken[record_id]):
                searchable.append({"record_id": row["id"], **domain.search_columns(row)})
            changed = domain.changes(old, {name: row[name] for name in taken[record_id]})
            if not changed:
                continue
            org = str(row["organization_id"])
            audited.append({"organization_id": org, "record_id": row["id"],
                            "action": "global_record_updated", "changes": changed,
                            "request_id": uow.correlation_id})
            uow.emit("record_updated", {"record_id": record_id, "kind": row["kind"],
                                        "changed_fields": sorted(changed)},
                     organization_id=org)
        # one statement each for all the copies (no statement per record)
        global_records.set_search_columns(uow.session, searchable)
        global_records.audit_changes(uow.session, audited)

    # --- the portal (ID-6) ------------------------------------------------------------------

    @rpc(expected_exceptions=CaseworkError)
    def portal_record_statuses(self, caller):
        """The portal status of each of the client's agency records."""
        caller = callers.portal(caller)
        with self.db.read() as session:
            rows = global_records.portal_statuses(session, caller.global_record_id)
        return STATUSES.dump({"items": rows})

    @rpc(expected_exceptions=CaseworkError)
    def portal_get_record(self, caller, record_id):
        caller, record_id = callers.portal(caller), callers.known_id(record_id)
        with self.db.read() as session:
            row = global_records.portal_record(session, caller.global_record_id, record_id)
        return PORTAL_RECORD.dump(self._portal_view(row))

    @rpc(expected_exceptions=CaseworkError)
    def portal_update_record(self, caller, record_id, payload):
        """The client's change to this agency's copy only, with ``profile_editing``."""
        caller, record_id = callers.portal(caller), callers.known_id(record_id)
        data = load(PORTAL_PATCH, payload)
        with self.db.read() as session:
            row = global_records.portal_record(session, caller.global_record_id, record_id)
        portal = self._portal(row)
        if "profile_editing" not in portal["portal_features"]:
            raise PermissionDenied("this agency does not let its clients edit their profile")
        with self.db.transaction() as uow:
            session = uow.session
            org = str(row["organization_id"])
            locked = records.lock_record(session, org, record_id)
            if locked is None or str(locked["global_record_id"]) != caller.global_record_id:
                raise NotFound("record not found")
            changed = domain.changes(locked, data)
            if changed:
                values = {name: data[name] for name in changed}
                values.update(domain.search_columns({**locked, **values}))
                records.update_record(session, org, record_id, values)
                audit.write(session, None, org, locked["id"], "portal_record_updated", changed,
                            caller.request_id or uow.correlation_id)
                uow.emit("record_updated", {"record_id": record_id, "kind": locked["kind"],
                                            "changed_fields": sorted(changed)},
                         organization_id=org)
            row = global_records.portal_record(session, caller.global_record_id, record_id)
        return PORTAL_RECORD.dump({**row, "organization_name": portal["name"],
                                   "features": portal["portal_features"]})

    def _portal(self, row: dict | None) -> dict:
        """The agency's portal settings for the client's record: 404 when the record is not
        theirs, 403 while they are banned there (REC-6) or the agency's portal is off."""
        if row is None:
            raise NotFound("record not found")
        if row["portal_status"] == "banned":
            raise PermissionDenied("this agency has closed its portal to you")
        portal = self.identity.organization_portal(str(row["organization_id"]))
        if not portal["portal_enabled"]:
            raise PermissionDenied("this agency's portal is not enabled")
        return portal

    def _portal_view(self, row: dict | None) -> dict:
        portal = self._portal(row)
        return {**row, "organization_name": portal["name"],
                "features": portal["portal_features"]}

    # --- invitations (INV-1) and duplicates (INV-6) -----------------------------------------

    @rpc(expected_exceptions=CaseworkError)
    def invitation_target(self, caller, record_id):
        """What a direct invitation needs of the agency's record: its e-mail, name and whether
        it has a client account."""
        caller, record_id = callers.staff(caller), callers.known_id(record_id)
        with self.db.read() as session:
            found = global_records.invitation_target(session, caller.organization_id, record_id)
        if found is None:
            raise NotFound("record not found")
        return TARGET.dump(found)

    @rpc(expected_exceptions=CaseworkError)
    def find_duplicates(self, caller, query):
        """``GET /staff/records/duplicates``: the agency's records that look like this person,
        best first, each with its grade, score and reasons."""
        caller = callers.staff(caller)
        person = load(PERSON, query)
        with self.db.read() as session:
            found = self._matches(session, caller.organization_id, person)
        return {"items": dump_duplicates(found)}

    @rpc(expected_exceptions=CaseworkError)
    def match_people(self, caller, payload):
        """The duplicates of several people at once (a page of enrollment requests)."""
        caller = callers.staff(caller)
        people = load(PEOPLE, payload)["people"]
        with self.db.read() as session:
            found = [{"items": self._matches(session, caller.organization_id, person)}
                     for person in people]
        return MATCHES.dump({"items": found})

    @staticmethod
    def _matches(session, organization_id: str, person: dict) -> list[dict]:
        scored, reasons_for = [], domain.person_matcher(person)
        for candidate in global_records.candidates(session, organization_id, person,
                                                   MAX_CANDIDATES):
            reasons = reasons_for(candidate)
            grade = domain.graded(reasons)
            if grade is None:
                continue
            scored.append({"record_id": candidate["id"], "case_number": candidate["case_number"],
                           "name": f"{candidate['first_name']} {candidate['last_name']}",
                           "grade": grade[0], "score": grade[1], "reasons": reasons})
        scored.sort(key=lambda item: (-item["score"], str(item["record_id"])))
        return scored
