"""Entrypoints of the records service: parse, call the domain, answer a schema dump."""

from __future__ import annotations

import uuid

from nameko.rpc import rpc
from sqlalchemy.exc import IntegrityError

from casework.db import Database
from casework.errors import CaseworkError, DuplicateCaseNumber, NotFound, ValidationFailed
from casework.service import CaseworkService

from . import domain, repository
from .models import metadata
from .schemas import create_record_schema, load, record_schema, search_schema


def _uuid_or_not_found(value) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        raise NotFound("record not found") from None


class RecordsService(CaseworkService):
    name = "records"
    # misspelt names still match: "lovlace" finds "Lovelace" (REC-11)
    db = Database("records", metadata,
                  session_settings={"pg_trgm.word_similarity_threshold": "0.4"})

    @rpc(expected_exceptions=CaseworkError)
    def create_record(self, caller, payload):
        caller = domain.Caller.from_rpc(caller)
        data = load(create_record_schema, payload)
        with self.db.transaction() as uow:
            session = uow.session
            if data["case_number"]:
                case_number = domain.check_case_number(data["case_number"])
                if repository.case_number_taken(session, caller.organization_id, case_number):
                    raise DuplicateCaseNumber(f"case number {case_number} is already in use",
                                              {"case_number": ["already in use"]})
            else:
                case_number = domain.generated_case_number(
                    repository.next_case_number_sequence(session, caller.organization_id))
                while repository.case_number_taken(session, caller.organization_id, case_number):
                    case_number = domain.generated_case_number(
                        repository.next_case_number_sequence(session, caller.organization_id))
            values = {
                **data,
                "id": repository.new_id(),
                "organization_id": caller.organization_id,
                "case_number": case_number,
                "created_by": caller.user_id,
                "search_text": domain.search_text(data["first_name"], data["last_name"],
                                                  data["email"], case_number, data["phones"]),
            }
            try:
                with session.begin_nested():
                    row = repository.insert_record(session, values)
            except IntegrityError:
                raise DuplicateCaseNumber(f"case number {case_number} is already in use",
                                          {"case_number": ["already in use"]}) from None
            record = record_schema.dump(row)
            repository.add_audit(session, caller.organization_id, row["id"], caller.user_id,
                                 "record_created", {k: record[k] for k in (
                                     "kind", "first_name", "last_name", "case_number", "status")},
                                 caller.request_id or uow.correlation_id)
            uow.emit("record_created", {
                "record_id": record["id"], "kind": record["kind"], "status": record["status"],
                "case_number": record["case_number"],
            }, organization_id=caller.organization_id)
        return record

    @rpc(expected_exceptions=CaseworkError)
    def get_record(self, caller, record_id):
        caller = domain.Caller.from_rpc(caller)
        record_id = _uuid_or_not_found(record_id)
        with self.db.transaction() as uow:
            row = repository.read_record_audited(
                uow.session, caller.organization_id, record_id, caller.user_id,
                caller.request_id or uow.correlation_id)
        if row is None:
            raise NotFound("record not found")
        return record_schema.dump(row)

    @rpc(expected_exceptions=CaseworkError)
    def search_records(self, caller, params):
        caller = domain.Caller.from_rpc(caller)
        filters = load(search_schema, params)
        offset = repository.decode_cursor(filters["cursor"])
        if offset < 0:
            raise ValidationFailed("the cursor is invalid", {"cursor": ["not a cursor we gave"]})
        q = domain.normalise_query(filters["q"]) if filters["q"] else None
        with self.db.transaction() as uow:
            rows, more = repository.search(
                uow.session, caller.organization_id, q=q, status=filters["status"],
                kind=filters["kind"], client_type_id=filters["client_type_id"],
                limit=filters["limit"], offset=offset)
        return {
            "items": record_schema.dump(rows, many=True),
            "next_cursor": repository.encode_cursor(offset + len(rows)) if more else None,
        }
