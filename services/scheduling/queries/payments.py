"""Payments per client (SCH-5). A deleted payment is kept, marked, and no longer shown or
counted (REC-9)."""

from __future__ import annotations

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from ..models import payments

COLUMNS = (payments.c.id, payments.c.client_id, payments.c.amount_minor, payments.c.currency,
           payments.c.paid_on, payments.c.method, payments.c.session_id, payments.c.recorded_by,
           payments.c.created_at)


def insert_payment(session: Session, organization_id: str, values: dict) -> dict:
    return dict(session.execute(insert(payments).values(
        organization_id=organization_id, **values).returning(*COLUMNS)).mappings().one())


def page(session: Session, organization_id: str, *, client_id=None, offset: int,
         limit: int) -> list[dict]:
    statement = select(*COLUMNS).where(payments.c.organization_id == organization_id,
                                       payments.c.deleted_at.is_(None))
    if client_id is not None:
        statement = statement.where(payments.c.client_id == client_id)
    return [dict(r) for r in session.execute(
        statement.order_by(payments.c.paid_on.desc(), payments.c.created_at.desc(),
                           payments.c.id).offset(offset).limit(limit + 1)).mappings()]


def delete_payment(session: Session, organization_id: str, payment_id: str, by: str) -> bool:
    return session.execute(update(payments).where(
        payments.c.id == payment_id, payments.c.organization_id == organization_id,
        payments.c.deleted_at.is_(None))
        .values(deleted_at=func.now(), deleted_by=by)
        .returning(payments.c.id)).first() is not None
