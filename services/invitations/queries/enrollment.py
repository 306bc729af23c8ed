"""Global invitation links and enrollment requests (INV-5, INV-6)."""

from __future__ import annotations

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ..models import enrollment_requests, invitation_links

LINK_COLUMNS = [invitation_links.c.id, invitation_links.c.slug, invitation_links.c.created_at,
                invitation_links.c.disabled_at,
                invitation_links.c.disabled_at.is_(None).label("active")]
REQUEST_COLUMNS = [enrollment_requests.c.id, enrollment_requests.c.status,
                   enrollment_requests.c.first_name, enrollment_requests.c.last_name,
                   enrollment_requests.c.email, enrollment_requests.c.phones,
                   enrollment_requests.c.global_record_id, enrollment_requests.c.record_id,
                   enrollment_requests.c.created_at, enrollment_requests.c.decided_at]


def insert_link(session: Session, values: dict) -> dict:
    session.execute(insert(invitation_links).values(**values))
    return link(session, values["organization_id"], values["id"])


def link(session: Session, organization_id: str, link_id: str) -> dict | None:
    row = session.execute(select(*LINK_COLUMNS).where(
        invitation_links.c.organization_id == organization_id,
        invitation_links.c.id == link_id)).mappings().first()
    return dict(row) if row else None


def links(session: Session, organization_id: str, offset: int, limit: int) -> list[dict]:
    rows = session.execute(
        select(*LINK_COLUMNS).where(invitation_links.c.organization_id == organization_id)
        .order_by(invitation_links.c.created_at.desc(), invitation_links.c.id)
        .offset(offset).limit(limit + 1)).mappings()
    return [dict(r) for r in rows]


def disable_link(session: Session, organization_id: str, link_id: str) -> bool:
    """A disabled link stays dead (INV-5); disabling twice is harmless."""
    found = session.execute(
        update(invitation_links)
        .where(invitation_links.c.organization_id == organization_id,
               invitation_links.c.id == link_id)
        .values(disabled_at=func.coalesce(invitation_links.c.disabled_at, func.now()))
        .returning(invitation_links.c.id)).first()
    return found is not None


def active_link(session: Session, slug: str) -> dict | None:
    row = session.execute(
        select(invitation_links).where(invitation_links.c.slug == slug,
                                       invitation_links.c.disabled_at.is_(None))
    ).mappings().first()
    return dict(row) if row else None


def insert_request(session: Session, values: dict) -> dict:
    """The person's pending request in the agency: a repeated join answers the one waiting."""
    session.execute(
        pg_insert(enrollment_requests).values(**values)
        .on_conflict_do_nothing(index_elements=[enrollment_requests.c.organization_id,
                                                enrollment_requests.c.global_record_id],
                                index_where=enrollment_requests.c.status == "pending"))
    row = session.execute(
        select(*REQUEST_COLUMNS).where(
            enrollment_requests.c.organization_id == values["organization_id"],
            enrollment_requests.c.global_record_id == values["global_record_id"],
            enrollment_requests.c.status == "pending")).mappings().one()
    return dict(row)


def requests_page(session: Session, organization_id: str, status: str, offset: int,
                  limit: int) -> list[dict]:
    rows = session.execute(
        select(*REQUEST_COLUMNS)
        .where(enrollment_requests.c.organization_id == organization_id,
               enrollment_requests.c.status == status)
        .order_by(enrollment_requests.c.created_at, enrollment_requests.c.id)
        .offset(offset).limit(limit + 1)).mappings()
    return [dict(r) for r in rows]


def lock_request(session: Session, organization_id: str, request_id: str) -> dict | None:
    row = session.execute(
        select(enrollment_requests).where(
            enrollment_requests.c.organization_id == organization_id,
            enrollment_requests.c.id == request_id).with_for_update()).mappings().first()
    return dict(row) if row else None


def decide(session: Session, request_id: str, values: dict) -> dict:
    return dict(session.execute(
        update(enrollment_requests).where(enrollment_requests.c.id == request_id)
        .values(**values, decided_at=func.now()).returning(*REQUEST_COLUMNS)
    ).mappings().one())
