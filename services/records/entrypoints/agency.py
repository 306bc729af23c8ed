"""What agencies do with many records at once (issue 18): a departing navigator's caseload moved
in one call, many records' status changed at once, the deleted records an administrator restores
from. Set-based (queries/agency.py), audited per record, with a result per record and the events
the single-record paths publish, per record."""

from __future__ import annotations

from casework import cursors
from casework.callers import administrator, known_id
from casework.dumping import page_dumper
from casework.errors import CaseworkError, NotFound, ValidationFailed
from casework.rpc import rpc
from casework.validation import load
from contracts.records import (
    BulkStatusBodySchema,
    BulkStatusResultSchema,
    CaseloadMoveBodySchema,
    CaseloadResultSchema,
    DeletedRecordQuerySchema,
    DeletedRecordSchema,
)

from .. import domain
from ..queries import agency, navigators
from .common import request_id

move_schema, status_schema = CaseloadMoveBodySchema(), BulkStatusBodySchema()
deleted_query = DeletedRecordQuerySchema()
dump_moves, dump_statuses = page_dumper(CaseloadResultSchema()), page_dumper(
    BulkStatusResultSchema())
dump_deleted = page_dumper(DeletedRecordSchema())


class AgencyEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def move_caseload(self, caller, user_id, payload):
        """Every live record the user navigates gets the target(s) instead, shared evenly in
        the order given (agency administrators only). One statement moves, audits and answers;
        the events (navigator_unassigned, navigator_assigned) are one each per record."""
        caller = administrator(caller)
        from_id = known_id(user_id, "staff user")
        targets = list(dict.fromkeys(str(t) for t in load(move_schema, payload)["to"]))
        org = caller.organization_id
        with self.db.transaction() as uow:
            session = uow.session
            departing = navigators.staff_user(session, org, from_id)
            if departing is None:
                raise NotFound("staff user not found")
            unusable = [t for t in targets if t == from_id or not _active(
                navigators.staff_user(session, org, t))]
            if unusable:
                raise ValidationFailed("the caseload goes to other active staff users", {
                    "to": [f"{t} is not another active staff user of this agency"
                           for t in unusable]})
            rows = agency.move_caseload(session, org, departing, targets, caller.user_id,
                                        request_id(caller, uow))
            uow.emit_many("navigator_unassigned", [
                {"record_id": r["record_id"], "user_id": from_id} for r in rows],
                organization_id=org)
            uow.emit_many("navigator_assigned", [
                {"record_id": r["record_id"], "user_id": r["to_user_id"]}
                for r in rows if not r["already"]], organization_id=org)
        results = [{"record_id": r["record_id"], "outcome": "moved",
                    "to_user_id": r["to_user_id"],
                    "code": "already_navigator" if r["already"] else None} for r in rows]
        return {"moved": len(results), "results": dump_moves(results)}

    @rpc(expected_exceptions=CaseworkError)
    def bulk_change_status(self, caller, payload):
        """Many records' status at once (agency administrators only), each change kept in the
        record's status history and audit trail, with record_status_changed per record."""
        caller = administrator(caller)
        data = load(status_schema, payload)
        ids = list(dict.fromkeys(str(i) for i in data["record_ids"]))
        status, org = data["status"], caller.organization_id
        with self.db.transaction() as uow:
            rows = agency.bulk_status(uow.session, org, ids, status, caller.user_id,
                                      request_id(caller, uow))
            uow.emit_many("record_status_changed", [
                {"record_id": r["record_id"], "kind": r["kind"], "old": r["old"], "new": status}
                for r in rows if r["outcome"] == "changed"], organization_id=org)
        results = [{"record_id": r["record_id"], "outcome": r["outcome"], "code": r["code"]}
                   for r in rows]
        return {"changed": sum(r["outcome"] == "changed" for r in rows),
                "results": dump_statuses(results)}

    @rpc(expected_exceptions=CaseworkError)
    def deleted_records(self, caller, params):
        """The agency's deleted records, most recently deleted first, to find the one to
        restore (agency administrators only, REC-9)."""
        caller = administrator(caller)
        query = load(deleted_query, params)
        offset = cursors.offset(query["cursor"])
        q = domain.normalise_query(query["q"]) if query["q"] else None
        with self.db.read() as session:
            rows = agency.deleted_records(session, caller.organization_id, q, offset=offset,
                                          limit=query["limit"])
        items, next_cursor = cursors.offset_page(rows, offset, query["limit"])
        return {"items": dump_deleted(items), "next_cursor": next_cursor}


def _active(user: dict | None) -> bool:
    return bool(user and user["active"])
