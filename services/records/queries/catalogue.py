"""An agency's client types (REC-4) and warning indicators (REC-14): persistence."""

from __future__ import annotations

from sqlalchemy import ARRAY, Uuid, delete, exists, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.errors import DuplicateName

from ..models import client_types, record_warning_indicators, records, warning_indicators

UUID_ARRAY = ARRAY(Uuid)


def _columns(table):
    return [c for c in table.c if c.name != "organization_id"]


def list_items(session: Session, table, organization_id: str, *, offset: int,
               limit: int) -> list[dict]:
    rows = session.execute(
        select(*_columns(table)).where(table.c.organization_id == organization_id)
        .order_by(table.c.name, table.c.id).limit(limit + 1).offset(offset)).mappings()
    return [dict(r) for r in rows]


def get(session: Session, table, organization_id: str, item_id: str) -> dict | None:
    row = session.execute(select(*_columns(table)).where(
        table.c.id == item_id, table.c.organization_id == organization_id)).mappings().first()
    return dict(row) if row else None


def _duplicate(values: dict) -> DuplicateName:
    return DuplicateName(f"the name {values.get('name')!r} is already in use in this agency",
                         {"name": ["already in use"]})


def create(session: Session, table, organization_id: str, values: dict) -> dict:
    try:
        with session.begin_nested():
            row = session.execute(insert(table).values(
                organization_id=organization_id, **values).returning(*_columns(table))
            ).mappings().one()
    except IntegrityError:
        raise _duplicate(values) from None
    return dict(row)


def change(session: Session, table, organization_id: str, item_id: str,
           values: dict) -> dict | None:
    try:
        with session.begin_nested():
            row = session.execute(
                update(table).where(table.c.id == item_id,
                                    table.c.organization_id == organization_id)
                .values(**values).returning(*_columns(table))).mappings().first()
    except IntegrityError:
        raise _duplicate(values) from None
    return dict(row) if row else None


def in_use(session: Session, table, organization_id: str, item_id: str) -> bool:
    """Whether any record (deleted ones too: they can be restored) refers to the item."""
    if table is client_types:
        used = exists().where(records.c.organization_id == organization_id,
                              records.c.client_type_id == item_id)
    else:
        used = exists().where(record_warning_indicators.c.organization_id == organization_id,
                              record_warning_indicators.c.indicator_id == item_id)
    return session.execute(select(used)).scalar_one()


def remove(session: Session, table, organization_id: str, item_id: str) -> None:
    session.execute(delete(table).where(table.c.id == item_id,
                                        table.c.organization_id == organization_id))


def count(session: Session, table, organization_id: str) -> int:
    return session.execute(select(func.count()).select_from(table).where(
        table.c.organization_id == organization_id)).scalar_one()


def indicator_activity(session: Session, organization_id: str, ids: list[str]) -> dict[str, bool]:
    """``{id: active}`` for the agency's indicators among ``ids``."""
    if not ids:
        return {}
    rows = session.execute(select(warning_indicators.c.id, warning_indicators.c.active).where(
        warning_indicators.c.organization_id == organization_id,
        warning_indicators.c.id.in_(ids)))
    return {str(r.id): r.active for r in rows}


def record_indicator_ids(session: Session, organization_id: str, record_id: str) -> set[str]:
    rows = session.execute(select(record_warning_indicators.c.indicator_id).where(
        record_warning_indicators.c.organization_id == organization_id,
        record_warning_indicators.c.record_id == record_id))
    return {str(r.indicator_id) for r in rows}


def set_record_indicators(session: Session, organization_id: str, record_id: str,
                          ids: list[str]) -> None:
    """Make the record's selection exactly ``ids``: two set-based statements."""
    session.execute(delete(record_warning_indicators).where(
        record_warning_indicators.c.record_id == record_id,
        record_warning_indicators.c.organization_id == organization_id,
        record_warning_indicators.c.indicator_id.not_in(ids)))
    if ids:
        wanted = select(func.unnest(literal(ids, UUID_ARRAY)).label("i")).subquery()
        session.execute(pg_insert(record_warning_indicators).from_select(
            ["record_id", "indicator_id", "organization_id"],
            select(literal(record_id, record_warning_indicators.c.record_id.type), wanted.c.i,
                   literal(organization_id, records.c.organization_id.type)),
        ).on_conflict_do_nothing())
