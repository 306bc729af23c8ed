"""Record status with its history (REC-5) and portal status (REC-6)."""

from __future__ import annotations

from casework import cursors
from casework.callers import known_id, staff
from casework.dumping import page_dumper
from casework.errors import CaseworkError
from casework.rpc import rpc
from casework.validation import load
from contracts.common import ListQuerySchema
from contracts.records import PortalStatusBodySchema, StatusBodySchema, StatusChangeSchema

from .. import domain
from ..queries import audit, records
from .common import locked_record, request_id, require_record, view

list_query, status_schema = ListQuerySchema(), StatusBodySchema()
portal_status_schema = PortalStatusBodySchema()
dump_changes = page_dumper(StatusChangeSchema())


class StatusEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def change_status(self, caller, record_id, payload):
        """Every change is kept in the record's history with who and when (REC-5)."""
        caller, record_id = staff(caller), known_id(record_id)
        status = load(status_schema, payload)["status"]
        org = caller.organization_id
        with self.db.transaction() as uow:
            session = uow.session
            row = locked_record(session, caller, record_id)
            if row["status"] != status:
                records.update_record(session, org, record_id, {"status": status})
                records.add_status_change(session, org, record_id, row["status"], status,
                                             caller.user_id)
                audit.write(session, caller, org, record_id, "record_status_changed",
                            domain.changes(row, {"status": status}), request_id(caller, uow))
                uow.emit("record_status_changed", {
                    "record_id": record_id, "kind": row["kind"], "old": row["status"],
                    "new": status}, organization_id=org)
            return view(session, caller, record_id)

    @rpc(expected_exceptions=CaseworkError)
    def status_history(self, caller, record_id, params):
        """The record's status changes, newest first (an audited read)."""
        caller, record_id = staff(caller), known_id(record_id)
        page = load(list_query, params)
        before = cursors.before_moment(page["cursor"])
        org = caller.organization_id
        with self.db.transaction(rerunnable=True) as uow:
            session = uow.session
            require_record(session, caller, record_id)
            rows = records.status_changes(session, org, record_id, before=before,
                                             limit=page["limit"])
            audit.write(session, caller, org, record_id,
                        "status_history_read", request_id=request_id(caller, uow),
                        call_id=uow.call_id)
        items, next_cursor = cursors.moment_page(rows, page["limit"], "changed_at")
        return {"items": dump_changes(items), "next_cursor": next_cursor}

    @rpc(expected_exceptions=CaseworkError)
    def change_portal_status(self, caller, record_id, payload):
        """Only for a record with a client account (REC-6); 409 ``no_client_account`` else."""
        caller, record_id = staff(caller), known_id(record_id)
        portal_status = load(portal_status_schema, payload)["portal_status"]
        with self.db.transaction() as uow:
            session = uow.session
            row = locked_record(session, caller, record_id)
            domain.check_portal_status_change(row["portal_status"])
            if row["portal_status"] != portal_status:
                self.set_portal_status(uow, caller, row, portal_status)
            return view(session, caller, record_id)

    @staticmethod
    def set_portal_status(uow, caller, row: dict, portal_status: str,
                          action: str = "portal_status_changed") -> None:
        """The change, its audit row and ``portal_status_changed`` (identity keeps banned
        clients out of this agency's record, REC-6). ``caller`` is None for an event."""
        org = str(row["organization_id"])
        records.update_record(uow.session, org, str(row["id"]),
                                 {"portal_status": portal_status})
        audit.write(uow.session, caller, org, row["id"], action,
                    domain.changes(row, {"portal_status": portal_status}),
                    request_id(caller, uow) if caller else uow.correlation_id)
        uow.emit("portal_status_changed", {
            "record_id": str(row["id"]), "old": row["portal_status"], "new": portal_status},
            organization_id=org)
