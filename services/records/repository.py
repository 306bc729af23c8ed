"""Persistence of records: every query takes the caller's agency and filters on it (ID-1)."""

from __future__ import annotations

import base64
import json
import uuid

from sqlalchemy import String, Uuid, and_, func, insert, literal, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from .models import audit_entries, case_number_counters, records

RECORD_COLUMNS = [
    records.c.id, records.c.kind, records.c.first_name, records.c.last_name, records.c.email,
    records.c.phones, records.c.preferred_contact_methods, records.c.date_of_birth,
    records.c.case_number, records.c.client_type_id, records.c.status, records.c.portal_status,
    records.c.custom_fields, records.c.created_at, records.c.updated_at,
]


def next_case_number_sequence(session: Session, organization_id: str) -> int:
    statement = pg_insert(case_number_counters).values(
        organization_id=organization_id, last_value=1)
    statement = statement.on_conflict_do_update(
        index_elements=[case_number_counters.c.organization_id],
        set_={"last_value": case_number_counters.c.last_value + 1},
    ).returning(case_number_counters.c.last_value)
    return session.execute(statement).scalar_one()


def case_number_taken(session: Session, organization_id: str, case_number: str) -> bool:
    return session.execute(
        select(literal(1)).where(records.c.organization_id == organization_id,
                                 records.c.case_number == case_number)
    ).first() is not None


def insert_record(session: Session, values: dict) -> dict:
    return session.execute(
        insert(records).values(**values).returning(*RECORD_COLUMNS)
    ).mappings().one()


def read_record_audited(session: Session, organization_id: str, record_id: str,
                        actor_id: str | None, request_id: str | None) -> dict | None:
    """The record, and its audit row written in the same statement (one round trip, REC-15)."""
    found = (
        select(*RECORD_COLUMNS)
        .where(records.c.id == record_id, records.c.organization_id == organization_id,
               records.c.deleted_at.is_(None))
        .cte("found")
    )
    audited = (
        insert(audit_entries)
        .from_select(
            ["organization_id", "record_id", "actor_id", "action", "request_id"],
            select(literal(organization_id, Uuid), found.c.id, literal(actor_id, Uuid),
                   literal("record_read", String), literal(request_id, String)),
        )
        .cte("audited")
    )
    row = session.execute(
        select(found).add_cte(audited)
    ).mappings().first()
    return dict(row) if row else None


def add_audit(session: Session, organization_id: str, record_id, actor_id, action: str,
              changes: dict, request_id: str | None) -> None:
    session.execute(insert(audit_entries).values(
        organization_id=organization_id, record_id=record_id, actor_id=actor_id,
        action=action, changes=changes, request_id=request_id,
    ))


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(cursor.encode()))["o"]
    except (ValueError, KeyError, TypeError):
        return -1
    return offset if isinstance(offset, int) and offset >= 0 else -1


def search(session: Session, organization_id: str, *, q: str | None, status=None, kind=None,
           client_type_id=None, limit: int = 50, offset: int = 0) -> tuple[list[dict], bool]:
    """Global search (REC-11): substring or trigram word similarity on ``search_text``, served by
    the GIN trigram index; closed and inactive records included, deleted ones not (REC-10)."""
    conditions = [records.c.organization_id == organization_id, records.c.deleted_at.is_(None)]
    if status:
        conditions.append(records.c.status == status)
    if kind:
        conditions.append(records.c.kind == kind)
    if client_type_id:
        conditions.append(records.c.client_type_id == client_type_id)
    statement = select(*RECORD_COLUMNS)
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(or_(records.c.search_text.ilike(pattern),
                              records.c.search_text.op("%>")(q)))
        statement = statement.order_by(
            func.word_similarity(q, records.c.search_text).desc(), records.c.id)
    else:
        statement = statement.order_by(records.c.created_at.desc(), records.c.id)
    rows = session.execute(
        statement.where(and_(*conditions)).limit(limit + 1).offset(offset)
    ).mappings().all()
    return [dict(r) for r in rows[:limit]], len(rows) > limit


def new_id() -> str:
    return str(uuid.uuid4())
