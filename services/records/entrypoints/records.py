"""Records: create, read (REC-1), search (REC-11), change demographics, warning indicators and
custom fields, case number (REC-3) and client type (REC-4)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from casework.callers import known_id, staff
from casework.db import violates
from casework.dumping import page_dumper
from casework.errors import CaseworkError, DuplicateCaseNumber, NotFound
from casework.rpc import rpc
from casework.validation import load
from contracts.records import (
    CaseNumberBodySchema,
    ClientTypeBodySchema,
    DuplicateSchema,
    RecordCreateSchema,
    RecordPatchSchema,
    RecordSchema,
    RecordSearchQuerySchema,
)

from .. import domain
from ..models import CASE_NUMBER_CONSTRAINT, client_types
from ..queries import audit, catalogue, records, search
from .common import dump_view, locked_record, request_id, view

create_schema, patch_schema = RecordCreateSchema(), RecordPatchSchema()
dump_duplicates = DuplicateSchema(many=True)  # of RecordCreatedSchema: the rest is a view
search_query = RecordSearchQuerySchema()
case_number_schema, client_type_schema = CaseNumberBodySchema(), ClientTypeBodySchema()
dump_records = page_dumper(RecordSchema())  # search pages (QUALITY P2): casework/dumping.py
CREATED_AUDIT_FIELDS = ("kind", "first_name", "last_name", "case_number", "status",
                        "client_type_id")


SEARCH_TERMS = ("q", "status", "kind", "client_type_id", "group_id", "navigator_id", "limit",
                "cursor")


def _search_terms(filters: dict) -> dict:
    """What a search asked, as its audit row keeps it."""
    return {k: domain.plain(filters[k]) for k in SEARCH_TERMS if filters.get(k) is not None}


def _duplicate(case_number: str) -> DuplicateCaseNumber:
    return DuplicateCaseNumber(f"case number {case_number} is already in use",
                               {"case_number": ["already in use"]})


class RecordEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def create_record(self, caller, payload):
        """A new record (REC-1, REC-3, REC-4), answered with the agency's records that look like
        the same person (``possible_duplicates``, the matcher of ``find_duplicates``)."""
        caller = staff(caller)
        data = load(create_schema, payload)
        org = caller.organization_id
        with self.db.transaction() as uow:
            session = uow.session
            client_type_id = str(data["client_type_id"]) if data["client_type_id"] else None
            if client_type_id:
                domain.check_client_type(
                    client_type_id, catalogue.count(session, client_types, org),
                    catalogue.get(session, client_types, org, client_type_id))
            case_number = self._new_case_number(session, org, data["case_number"])
            values = {**data, "id": records.new_id(), "organization_id": org,
                      "case_number": case_number, "client_type_id": client_type_id,
                      "created_by": caller.user_id}
            values.update(domain.search_columns(values))
            try:
                with session.begin_nested():
                    row = records.insert_record(session, values)
            except IntegrityError as exc:
                if violates(exc, CASE_NUMBER_CONSTRAINT):  # lost a race for the same number
                    raise _duplicate(case_number) from None
                raise
            records.add_status_change(session, org, row["id"], None, row["status"],
                                         caller.user_id)
            audit.write(session, caller, org, row["id"], "record_created",
                        {k: {"old": None, "new": domain.plain(row[k])}
                         for k in CREATED_AUDIT_FIELDS if row[k] is not None},
                        request_id(caller, uow))
            uow.emit("record_created", {
                "record_id": str(row["id"]), "kind": row["kind"], "status": row["status"],
                "case_number": row["case_number"]}, organization_id=org)
            created = view(session, caller, str(row["id"]))
            duplicates = [match for match in self._matches(session, org, domain.person_of(data))
                          if str(match["record_id"]) != str(row["id"])]
            return {**created, "possible_duplicates": dump_duplicates.dump(duplicates)}

    @staticmethod
    def _new_case_number(session, org: str, given: str | None) -> str:
        """The given case number if free, else the agency's next generated one (REC-3)."""
        if given:
            case_number = domain.check_case_number(given)
            if records.case_number_taken(session, org, case_number):
                raise _duplicate(case_number)
            return case_number
        sequence = records.next_case_number_sequence(session, org)  # locks the counter
        case_number = domain.generated_case_number(sequence)
        if records.case_number_taken(session, org, case_number):
            # someone chose numbers of the generated pattern by hand: jump past them at once
            case_number = domain.generated_case_number(
                records.first_free_generated_number(session, org, sequence))
        return case_number

    @rpc(expected_exceptions=CaseworkError)
    def get_record(self, caller, record_id):
        """The record as REC-1 shows it, in one statement that also writes its audit row."""
        caller, record_id = staff(caller), known_id(record_id)
        # rerunnable: a redelivered read reads again, and its audit row is keyed by the call
        with self.db.transaction(rerunnable=True) as uow:
            row = records.read_view(
                uow.session, caller.organization_id, record_id,
                audit_actor=(caller.user_id, request_id(caller, uow), uow.call_id))
        if row is None:
            raise NotFound("record not found")
        return dump_view(row)

    @rpc(expected_exceptions=CaseworkError)
    def search_records(self, caller, params):
        caller = staff(caller)
        filters = load(search_query, params)
        q = domain.normalise_query(filters["q"]) if filters["q"] else None
        # audited like a read (REC-15): one row per search, with the query and the ids of the
        # records it returned, in one INSERT after the search; once per call however often it
        # runs (rerunnable, keyed by the call)
        with self.db.transaction(rerunnable=True) as uow:
            rows, next_cursor, truncated = search.search(
                uow.session, caller.organization_id, q, filters, filters["limit"],
                filters["cursor"])
            audit.write(uow.session, caller, caller.organization_id, None, "records_searched",
                        {"search": {"old": None, "new": _search_terms(filters)}},
                        request_id(caller, uow), uow.call_id,
                        record_ids=[str(r["id"]) for r in rows])
        return {"items": dump_records(rows), "next_cursor": next_cursor, "truncated": truncated,
                "detail": search.capped_detail() if truncated else None}

    @rpc(expected_exceptions=CaseworkError)
    def update_record(self, caller, record_id, payload):
        """PATCH: demographics, warning indicators (REC-14) and custom fields."""
        caller, record_id = staff(caller), known_id(record_id)
        data = load(patch_schema, payload)
        org = caller.organization_id
        with self.db.transaction() as uow:
            session = uow.session
            row = locked_record(session, caller, record_id)
            new = {k: v for k, v in data.items() if k not in ("warning_indicator_ids",
                                                              "custom_fields")}
            if "custom_fields" in data:
                new["custom_fields"] = domain.merge_custom_fields(row["custom_fields"],
                                                                  data["custom_fields"])
            changed = domain.changes(row, new)
            if "warning_indicator_ids" in data:
                changed.update(self._select_indicators(
                    session, org, record_id, [str(i) for i in data["warning_indicator_ids"]]))
            if changed:
                values = {k: new[k] for k in changed if k in new}
                values.update(domain.search_columns({**row, **values}))
                records.update_record(session, org, record_id, values)
                self._record_updated(uow, caller, row, changed)
            return view(session, caller, record_id)

    @staticmethod
    def _select_indicators(session, org: str, record_id: str, ids: list[str]) -> dict:
        ids = list(dict.fromkeys(ids))
        current = catalogue.record_indicator_ids(session, org, record_id)
        domain.check_warning_indicators(
            ids, catalogue.indicator_activity(session, org, ids), current)
        if set(ids) == current:
            return {}
        catalogue.set_record_indicators(session, org, record_id, ids)
        return {"warning_indicator_ids": {"old": sorted(current), "new": sorted(ids)}}

    @staticmethod
    def _record_updated(uow, caller, row: dict, changed: dict) -> None:
        """The audit row (old -> new) and the event (changed field names only: no more
        personal data on the bus than consumers need, EVENTS.md; and a new case number, which
        notification titles name)."""
        audit.write(uow.session, caller, caller.organization_id, row["id"], "record_updated",
                    changed, request_id(caller, uow))
        data = {"record_id": str(row["id"]), "kind": row["kind"],
                "changed_fields": sorted(changed)}
        if "case_number" in changed:
            data["case_number"] = changed["case_number"]["new"]
        uow.emit("record_updated", data, organization_id=caller.organization_id)

    @rpc(expected_exceptions=CaseworkError)
    def change_case_number(self, caller, record_id, payload):
        """REC-3: needs ``case_numbers``; a number in use in the agency is refused (409)."""
        caller, record_id = staff(caller), known_id(record_id)
        caller.require(domain.Permission.CASE_NUMBERS)
        case_number = domain.check_case_number(load(case_number_schema, payload)["case_number"])
        org = caller.organization_id
        with self.db.transaction() as uow:
            session = uow.session
            row = locked_record(session, caller, record_id)
            if row["case_number"] != case_number:
                # its own number in another letter case is still its own
                if row["case_number"].lower() != case_number.lower() and (
                        records.case_number_taken(session, org, case_number)):
                    raise _duplicate(case_number)
                values = {"case_number": case_number,
                          **domain.search_columns({**row, "case_number": case_number})}
                try:
                    with session.begin_nested():
                        records.update_record(session, org, record_id, values)
                except IntegrityError as exc:
                    if violates(exc, CASE_NUMBER_CONSTRAINT):
                        raise _duplicate(case_number) from None
                    raise
                self._record_updated(uow, caller, row, domain.changes(
                    row, {"case_number": case_number}))
            return view(session, caller, record_id)

    @rpc(expected_exceptions=CaseworkError)
    def set_client_type(self, caller, record_id, payload):
        """REC-4: only once the agency has types, only to one of its own active ones; null
        clears it."""
        caller, record_id = staff(caller), known_id(record_id)
        chosen_id = load(client_type_schema, payload)["client_type_id"]
        chosen_id = str(chosen_id) if chosen_id else None
        org = caller.organization_id
        with self.db.transaction() as uow:
            session = uow.session
            row = locked_record(session, caller, record_id)
            current = str(row["client_type_id"]) if row["client_type_id"] else None
            if chosen_id != current:
                if chosen_id:
                    domain.check_client_type(
                        chosen_id, catalogue.count(session, client_types, org),
                        catalogue.get(session, client_types, org, chosen_id))
                records.update_record(session, org, record_id, {"client_type_id": chosen_id})
                self._record_updated(uow, caller, row, domain.changes(
                    row, {"client_type_id": chosen_id}))
            return view(session, caller, record_id)
