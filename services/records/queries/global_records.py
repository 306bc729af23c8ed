"""Records as copies of a client's global record (ID-4), as the portal sees them (ID-6), and
candidates for the duplicates matcher (INV-6). The portal's queries filter on the caller's
global record: another client's record is not found, exactly like an unknown one (S1)."""

from __future__ import annotations

from sqlalchemy import Integer, cast, func, literal, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from ..models import records

PORTAL_COLUMNS = [
    records.c.id, records.c.organization_id, records.c.kind, records.c.first_name,
    records.c.last_name, (records.c.first_name + " " + records.c.last_name).label("name"),
    records.c.email, records.c.phones, records.c.preferred_contact_methods,
    records.c.date_of_birth, records.c.case_number, records.c.status, records.c.portal_status,
    records.c.updated_at,
]


def _pairs(linked: list[dict]):
    return tuple_(records.c.organization_id, records.c.id).in_(
        [(str(r["organization_id"]), str(r["record_id"])) for r in linked])


def lock_copies(session: Session, linked: list[dict]) -> dict[str, dict]:
    """The linked records, locked for this transaction, by id."""
    if not linked:
        return {}
    rows = session.execute(
        select(records).where(_pairs(linked)).order_by(records.c.id).with_for_update()
    ).mappings()
    return {str(r["id"]): dict(r) for r in rows}


def take_field(session: Session, linked: list[dict], global_record_id: str, name: str, value,
               version: int) -> list[str]:
    """Sets ``name`` on every linked copy whose version of it is lower than ``version``; the
    comparison is the statement's own, so a late or repeated delivery changes nothing (F9).
    Answers the ids of the copies that took it."""
    column = records.c[name]
    taken = session.execute(
        update(records)
        .where(_pairs(linked),
               func.coalesce(cast(records.c.global_versions[name].astext, Integer), 0)
               < version)
        .values({column: value,
                 records.c.global_versions: records.c.global_versions.op("||")(
                     func.jsonb_build_object(name, version).cast(JSONB)),
                 records.c.global_record_id: global_record_id,
                 records.c.updated_at: func.now()})
        .returning(records.c.id)
    ).scalars()
    return [str(record_id) for record_id in taken]


def set_search_columns(session: Session, record_id: str, values: dict) -> None:
    session.execute(update(records).where(records.c.id == record_id).values(**values))


def current_values(session: Session, record_ids: list[str]) -> list[dict]:
    rows = session.execute(select(records).where(records.c.id.in_(record_ids))).mappings()
    return [dict(r) for r in rows]


def portal_statuses(session: Session, global_record_id: str) -> list[dict]:
    rows = session.execute(
        select(records.c.id.label("record_id"), records.c.organization_id,
               records.c.portal_status)
        .where(records.c.global_record_id == global_record_id, records.c.deleted_at.is_(None))
    ).mappings()
    return [dict(r) for r in rows]


def portal_record(session: Session, global_record_id: str, record_id: str, *,
                  lock: bool = False) -> dict | None:
    statement = select(*PORTAL_COLUMNS).where(
        records.c.id == record_id, records.c.global_record_id == global_record_id,
        records.c.deleted_at.is_(None))
    if lock:
        statement = statement.with_for_update()
    row = session.execute(statement).mappings().first()
    return dict(row) if row else None


def candidates(session: Session, organization_id: str, person: dict, limit: int) -> list[dict]:
    """The agency's live records sharing an e-mail or phone digits with the person, or with a
    name like theirs (trigram similarity, from the agency's trigram index)."""
    conditions = []
    name = " ".join(p.strip() for p in (person.get("first_name"), person.get("last_name"))
                    if p and p.strip()).lower()
    if person.get("email"):
        conditions.append(func.lower(records.c.email) == person["email"].strip().lower())
    phone = "".join(ch for ch in person.get("phone") or "" if ch.isdigit())
    if len(phone) >= 5:
        conditions.append(records.c.search_text.like(f"%{phone}%"))
    if name:
        conditions.append(records.c.name_text.op("%")(name))
    if not conditions:
        return []
    similarity = func.similarity(records.c.name_text, name) if name else literal(0.0)
    rows = session.execute(
        select(records.c.id, records.c.first_name, records.c.last_name, records.c.email,
               records.c.phones, records.c.date_of_birth, records.c.case_number,
               records.c.name_text, similarity.label("name_similarity"))
        .where(records.c.organization_id == organization_id, records.c.deleted_at.is_(None),
               or_(*conditions))
        .order_by(similarity.desc(), records.c.id).limit(limit)
    ).mappings()
    return [dict(r) for r in rows]


def invitation_target(session: Session, organization_id: str, record_id: str) -> dict | None:
    row = session.execute(
        select(records.c.id.label("record_id"), records.c.first_name, records.c.last_name,
               records.c.email, records.c.phones, records.c.preferred_contact_methods,
               records.c.portal_status, records.c.global_record_id)
        .where(records.c.id == record_id, records.c.organization_id == organization_id,
               records.c.deleted_at.is_(None))
    ).mappings().first()
    return dict(row) if row else None
