"""Agency contacts and their links to clients (REC-12): persistence."""

from __future__ import annotations

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from ..models import contacts, record_contacts

CONTACT_COLUMNS = [c for c in contacts.c if c.name not in ("organization_id", "search_text",
                                                             "created_by")]
LINK_COLUMNS = [record_contacts.c.record_id, record_contacts.c.contact_id,
                record_contacts.c.contact_types, record_contacts.c.relationship,
                record_contacts.c.organisation_reference, record_contacts.c.connection_role,
                record_contacts.c.created_at, record_contacts.c.updated_at]
SIMILAR_NAME = 0.6


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(session: Session, organization_id: str, q: str | None, *, offset: int,
           limit: int) -> list[dict]:
    """The duplicate-avoiding search: substring or misspelt matches on name, organisation,
    e-mail and phone digits (trigram index), best first."""
    statement = select(*CONTACT_COLUMNS).where(contacts.c.organization_id == organization_id)
    if q:
        statement = statement.where(or_(contacts.c.search_text.like(_like(q)),
                                        contacts.c.search_text.op("%>")(q))).order_by(
            contacts.c.search_text.like(_like(q)).desc(),
            func.word_similarity(q, contacts.c.search_text).desc(), contacts.c.id)
    else:
        statement = statement.order_by(contacts.c.created_at.desc(), contacts.c.id)
    rows = session.execute(statement.limit(limit + 1).offset(offset)).mappings()
    return [dict(r) for r in rows]


def likely_duplicates(session: Session, organization_id: str, contact: dict,
                      search_text: str) -> list[dict]:
    """Contacts of the agency with the same e-mail, or a very similar name and text."""
    conditions = []
    if contact.get("email"):
        conditions.append(func.lower(contacts.c.email) == contact["email"].lower())
    name = " ".join(p for p in (contact.get("first_name"), contact.get("last_name"),
                                contact.get("organisation_name")) if p).lower()
    if name:
        conditions.append(and_(contacts.c.search_text.op("%>")(name),
                               func.word_similarity(name, contacts.c.search_text)
                               >= SIMILAR_NAME))
    if not conditions:
        return []
    rows = session.execute(select(*CONTACT_COLUMNS).where(
        contacts.c.organization_id == organization_id, or_(*conditions)).limit(10)).mappings()
    return [dict(r) for r in rows]


def create(session: Session, organization_id: str, values: dict) -> dict:
    return dict(session.execute(insert(contacts).values(
        organization_id=organization_id, **values).returning(*CONTACT_COLUMNS)).mappings().one())


def get(session: Session, organization_id: str, contact_id: str, *,
        lock: bool = False) -> dict | None:
    statement = select(*CONTACT_COLUMNS, contacts.c.search_text).where(
        contacts.c.id == contact_id, contacts.c.organization_id == organization_id)
    row = session.execute(statement.with_for_update() if lock else statement).mappings().first()
    return dict(row) if row else None


def change(session: Session, organization_id: str, contact_id: str, values: dict) -> dict:
    return dict(session.execute(
        update(contacts).where(contacts.c.id == contact_id,
                               contacts.c.organization_id == organization_id)
        .values(**values, updated_at=func.now()).returning(*CONTACT_COLUMNS)).mappings().one())


def additional_address_links(session: Session, organization_id: str, contact_id: str) -> int:
    """How many clients use the contact as an additional address."""
    return session.execute(select(func.count()).select_from(record_contacts).where(
        record_contacts.c.organization_id == organization_id,
        record_contacts.c.contact_id == contact_id,
        record_contacts.c.contact_types.contains(["additional_address"]),
    )).scalar_one()


def links(session: Session, organization_id: str, record_id: str,
          contact_id: str | None = None) -> list[dict]:
    """The record's contact links with their contacts, in one query."""
    statement = (select(*LINK_COLUMNS, *[c.label(f"c__{c.name}") for c in CONTACT_COLUMNS])
                 .join_from(record_contacts, contacts,
                            contacts.c.id == record_contacts.c.contact_id)
                 .where(record_contacts.c.organization_id == organization_id,
                        record_contacts.c.record_id == record_id)
                 .order_by(contacts.c.last_name, contacts.c.first_name, contacts.c.id))
    if contact_id is not None:
        statement = statement.where(record_contacts.c.contact_id == contact_id)
    return [_nest(dict(r)) for r in session.execute(statement).mappings()]


def _nest(row: dict) -> dict:
    contact = {name.removeprefix("c__"): row.pop(name)
               for name in list(row) if name.startswith("c__")}
    return {**row, "contact": contact}


def link(session: Session, organization_id: str, values: dict) -> None:
    session.execute(insert(record_contacts).values(organization_id=organization_id, **values))


def change_link(session: Session, organization_id: str, record_id: str, contact_id: str,
                values: dict) -> None:
    session.execute(update(record_contacts).where(
        record_contacts.c.organization_id == organization_id,
        record_contacts.c.record_id == record_id, record_contacts.c.contact_id == contact_id,
    ).values(**values, updated_at=func.now()))


def unlink(session: Session, organization_id: str, record_id: str, contact_id: str) -> bool:
    return session.execute(delete(record_contacts).where(
        record_contacts.c.organization_id == organization_id,
        record_contacts.c.record_id == record_id, record_contacts.c.contact_id == contact_id,
    ).returning(record_contacts.c.contact_id)).first() is not None
