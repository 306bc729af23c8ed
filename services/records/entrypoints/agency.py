"""What agencies do with many records at once (issue 18): a departing navigator's caseload moved
in one call, many records' status changed at once, the deleted records an administrator restores
from. Set-based (queries/agency.py), audited per record, with a result per record and the events
the single-record paths publish, per record."""

from __future__ import annotations

import json

from casework import cursors, record_csv
from casework.callers import administrator, known_id, staff
from casework.dumping import page_dumper
from casework.errors import CaseworkError, NotFound, ValidationFailed
from casework.rpc import rpc
from casework.validation import load
from contracts.records import (
    AuditEntrySchema,
    AuditQuerySchema,
    BulkStatusBodySchema,
    BulkStatusResultSchema,
    CaseloadMoveBodySchema,
    CaseloadResultSchema,
    DeletedRecordQuerySchema,
    DeletedRecordSchema,
    ExportPageQuerySchema,
    ImportBatchSchema,
    ImportOutcomeSchema,
    ImportRowSchema,
    RecordSchema,
)

from .. import domain
from ..queries import agency, audit, navigators, records, search
from .common import request_id

move_schema, status_schema = CaseloadMoveBodySchema(), BulkStatusBodySchema()
deleted_query = DeletedRecordQuerySchema()
dump_moves, dump_statuses = page_dumper(CaseloadResultSchema()), page_dumper(
    BulkStatusResultSchema())
dump_deleted = page_dumper(DeletedRecordSchema())
batch_schema, row_schema = ImportBatchSchema(), ImportRowSchema()
dump_outcomes = page_dumper(ImportOutcomeSchema())
export_query, dump_exported = ExportPageQuerySchema(), page_dumper(RecordSchema())
audit_query, dump_entries = AuditQuerySchema(), page_dumper(AuditEntrySchema())
AUDIT_FILTERS = ("user_id", "record_id", "action", "from", "to")
EXPORT_WHAT = ("q", "status", "kind", "client_type_id", "group_id", "navigator_id")


class AgencyEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def move_caseload(self, caller, user_id, payload):
        """Every live record the user navigates gets the target(s) instead, shared evenly in
        the order given (agency administrators only). One statement moves, audits
        (navigator_moved per record), stores the events (navigator_unassigned and
        navigator_assigned per record) and answers."""
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
                                        request_id(caller, uow), _correlation(caller, uow))
            assigned = [r for r in rows if not r["already"]]
            uow.stored_by_statement("navigator_unassigned", rows and {
                "record_id": rows[0]["record_id"], "user_id": from_id}, len(rows))
            uow.stored_by_statement("navigator_assigned", assigned and {
                "record_id": assigned[0]["record_id"], "user_id": assigned[0]["to_user_id"]},
                len(assigned))
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
                                      request_id(caller, uow), _correlation(caller, uow))
            changed = [r for r in rows if r["outcome"] == "changed"]
            uow.stored_by_statement("record_status_changed", changed and {
                "record_id": changed[0]["record_id"], "kind": changed[0]["kind"],
                "old": changed[0]["old"], "new": status}, len(changed))
        results = [{"record_id": r["record_id"], "outcome": r["outcome"], "code": r["code"]}
                   for r in rows]
        return {"changed": sum(r["outcome"] == "changed" for r in rows),
                "results": dump_statuses(results)}

    @rpc(expected_exceptions=CaseworkError)
    def export_records(self, caller, params):
        """One page of an export (``GET /staff/records/export.csv``): a search (``q`` and
        filters) or a group (``group_id``). Without ``q`` every matching record, page by page;
        with ``q`` the pages of the search, capped as it is (``truncated``). Each exported
        record gets an audit row (a read), written in one statement per page."""
        caller = staff(caller)
        query = load(export_query, params)
        q = domain.normalise_query(query["q"]) if query["q"] else None
        org = caller.organization_id
        with self.db.transaction() as uow:
            if q:
                rows, next_cursor, truncated = search.search(
                    uow.session, org, q, query, min(query["limit"], 500), query["cursor"])
            else:
                (rows, next_cursor), truncated = agency.export_page(
                    uow.session, org, query, query["limit"], query["cursor"]), False
            exported = {k: domain.plain(query[k]) for k in EXPORT_WHAT if query[k]}
            agency.audit_export(uow.session, org, [str(r["id"]) for r in rows], caller.user_id,
                                request_id(caller, uow),
                                json.dumps({"export": {"old": None, "new": exported}}))
        return {"items": dump_exported(rows), "next_cursor": next_cursor,
                "truncated": truncated}

    @rpc(expected_exceptions=CaseworkError)
    def agency_audit(self, caller, params):
        """The agency's whole audit trail, newest first, by user, record, action and time range
        (``view_audit``); each entry names its actor with their name and role. Reading it is
        itself audited (audit_read, with the query)."""
        caller = staff(caller)
        caller.require(domain.Permission.VIEW_AUDIT)
        query = load(audit_query, params)
        org = caller.organization_id
        with self.db.transaction(rerunnable=True) as uow:
            rows, next_cursor = audit.agency_trail(uow.session, org, query,
                                                   limit=query["limit"], cursor=query["cursor"])
            asked = {k: domain.plain(query[k]) for k in AUDIT_FILTERS if query[k]}
            audit.write(uow.session, caller, org, None, "audit_read",
                        {"query": {"old": None, "new": asked}}, request_id(caller, uow),
                        uow.call_id)
        return {"items": dump_entries(rows), "next_cursor": next_cursor}

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


class ImportEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def import_records(self, caller, payload):
        """One batch of ``casework import records`` (agency administrators): each row is
        checked as ``POST /staff/records`` checks it, then compared with the agency's records
        and the batch's earlier rows (same case number, same row key, or same name and date of
        birth: a duplicate, never created twice). The rest are created in one statement with
        their status history and audit rows, and record_created per record. ``dry_run``: the
        same checks, nothing created."""
        caller = administrator(caller)
        batch = load(batch_schema, payload)
        org = caller.organization_id
        outcomes: dict[int, dict] = {}
        candidates = []
        for position, raw in enumerate(batch["rows"]):
            number = raw.get("row") if isinstance(raw.get("row"), int) else position + 1
            try:
                row = load(row_schema, {**raw, "row": number})
                if row["case_number"]:
                    row["case_number"] = domain.check_case_number(row["case_number"])
            except ValidationFailed as exc:
                outcomes[position] = _outcome(number, "refused",
                                              reason=domain.refusal(exc.errors) or exc.detail)
                continue
            row["import_key"] = domain.import_key(row)
            candidates.append((position, row))
        with self.db.transaction() as uow:
            session = uow.session
            types = agency.client_type_activity(session, org) if any(
                r["client_type_id"] for _, r in candidates) else {}
            fresh = self._without_duplicates(session, org, candidates, types, outcomes)
            if batch["dry_run"]:
                # with the keys the duplicate checks compare, so that ``casework import``
                # flags a row duplicating a row of an earlier batch as the run would
                for position, row in fresh:
                    outcomes[position] = _outcome(row["row"], "would_create",
                                                  case_number=row["case_number"],
                                                  keys=_keys(row))
            else:
                self._create_imported(uow, caller, fresh, outcomes)
        results = [outcomes[i] for i in sorted(outcomes)]
        return {"created": sum(r["outcome"] == "created" for r in results),
                "results": dump_outcomes(results)}

    @staticmethod
    def _without_duplicates(session, org: str, candidates: list, types: dict,
                            outcomes: dict) -> list:
        """The candidates that are new, each other's and the agency's duplicates flagged."""
        existing = agency.import_duplicates(
            session, org, [r["case_number"].lower() for _, r in candidates if r["case_number"]],
            [r["import_key"] for _, r in candidates],
            [p for p in (domain.person_key(r) for _, r in candidates) if p])
        by_case = {e["case_number"]: e for e in existing}
        by_key = {e["import_key"]: e for e in existing if e["import_key"]}
        by_person = {(e["first_name"], e["last_name"], domain.plain(e["date_of_birth"])): e
                     for e in existing if e["date_of_birth"]}
        seen_case, seen_key, seen_person = {}, {}, {}
        fresh = []
        for position, row in candidates:
            number, case = row["row"], (row["case_number"] or "").lower() or None
            person = domain.person_key(row)
            client_type = str(row["client_type_id"]) if row["client_type_id"] else None
            if client_type and not types.get(client_type):
                outcomes[position] = _outcome(number, "refused", reason=(
                    "client_type_id: not one of this agency's active client types"))
                continue
            found = ((by_key.get(row["import_key"]), "imported before (same row)", "row"),
                     (by_case.get(case) if case else None, f"case number {row['case_number']} "
                                                           "is in use", "case_number"),
                     (by_person.get(person) if person else None,
                      "same name and date of birth", "person"))
            duplicate = next(((e, why, match) for e, why, match in found if e), None)
            if duplicate:
                record, why, match = duplicate
                outcomes[position] = _outcome(
                    number, "duplicate", record_id=record["id"], match=match,
                    reason=f"{why} by record {record['id']}"
                           + (" (deleted: an administrator can restore it)"
                              if record["deleted"] else ""))
                continue
            earlier = ((seen_key.get(row["import_key"]), "row"),
                       (seen_case.get(case) if case else None, "case_number"),
                       (seen_person.get(person) if person else None, "person"))
            twin = next(((n, match) for n, match in earlier if n), None)
            if twin:
                outcomes[position] = _outcome(
                    number, "duplicate", match=twin[1],
                    reason=f"{record_csv.SAME_AS[twin[1]]} row {twin[0]} of the file")
                continue
            seen_key[row["import_key"]] = number
            if case:
                seen_case[case] = number
            if person:
                seen_person[person] = number
            fresh.append((position, row))
        return fresh

    @staticmethod
    def _create_imported(uow, caller, fresh: list, outcomes: dict) -> None:
        session, org = uow.session, caller.organization_id
        unnumbered = [row for _, row in fresh if not row["case_number"]]
        if unnumbered:
            numbers = _generated_numbers(session, org, len(unnumbered))
            for row, number in zip(unnumbered, numbers, strict=True):
                row["case_number"] = number
        values = []
        for _, row in fresh:
            row["id"] = records.new_id()
            value = {k: v for k, v in row.items() if k != "row"}
            value.update(domain.search_columns(value))
            values.append(value)
        made = {str(r["id"]): r for r in agency.insert_imported(
            session, org, values, caller.user_id, request_id(caller, uow),
            _correlation(caller, uow))}
        for position, row in fresh:
            created = made.get(row["id"])
            outcomes[position] = (
                _outcome(row["row"], "created", record_id=row["id"],
                         case_number=row["case_number"]) if created else
                _outcome(row["row"], "duplicate", reason=(
                    "another import or a record made meanwhile took its case number or row")))
        first = next(iter(made.values()), None)
        uow.stored_by_statement("record_created", first and {
            "record_id": first["id"], "kind": first["kind"], "status": first["status"],
            "case_number": first["case_number"]}, len(made))


def _generated_numbers(session, org: str, count: int) -> list[str]:
    """``count`` generated case numbers (REC-3) from the agency's counter, past any number of
    the pattern that is taken already (chosen by hand)."""
    numbers: list[str] = []
    while len(numbers) < count:
        wanted = [domain.generated_case_number(n) for n in
                  agency.allocate_sequences(session, org, count - len(numbers))]
        taken = agency.case_numbers_taken(session, org, wanted)
        numbers += [n for n in wanted if n not in taken]
    return numbers


def _correlation(caller, uow) -> str:
    """The correlation id the events of a set-based statement carry (as ``emit`` gives)."""
    return uow.correlation_id or request_id(caller, uow) or records.new_id()


def _outcome(row: int, outcome: str, *, record_id=None, case_number=None, reason=None,
             match=None, keys=None) -> dict:
    return {"row": row, "outcome": outcome, "record_id": record_id, "case_number": case_number,
            "reason": reason, "match": match, "keys": keys}


def _keys(row: dict) -> dict[str, str]:
    """What the duplicate checks compare of a row (contracts ``ImportOutcomeSchema.keys``)."""
    keys = {"row": row["import_key"]}
    if row["case_number"]:
        keys["case_number"] = row["case_number"].lower()
    person = domain.person_key(row)
    if person:
        keys["person"] = json.dumps(person)
    return keys


def _active(user: dict | None) -> bool:
    return bool(user and user["active"])
