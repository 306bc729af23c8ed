"""Sessions (SCH-2): their clients and practitioners, and who is booked when."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, union_all, update
from sqlalchemy.dialects.postgresql import array_agg
from sqlalchemy.orm import Session

from ..models import session_clients, session_practitioners, sessions

SCHEDULED = "scheduled"


def insert_sessions(session: Session, organization_id: str, rows: list[dict],
                    client_ids: list[str], practitioner_ids: list[str]) -> None:
    """Several sessions (a weekly repeat) with the same clients and practitioners, in three
    statements."""
    session.execute(insert(sessions), [{**r, "organization_id": organization_id} for r in rows])
    session.execute(insert(session_clients), [
        {"session_id": r["id"], "record_id": c, "organization_id": organization_id}
        for r in rows for c in client_ids])
    session.execute(insert(session_practitioners), [
        {"session_id": r["id"], "user_id": p, "organization_id": organization_id,
         "starts_at": r["starts_at"], "ends_at": r["ends_at"]}
        for r in rows for p in practitioner_ids])


def _view():
    clients_of = (select(array_agg(session_clients.c.record_id))
                  .where(session_clients.c.session_id == sessions.c.id)
                  .scalar_subquery().label("client_ids"))
    practitioners_of = (select(array_agg(session_practitioners.c.user_id))
                        .where(session_practitioners.c.session_id == sessions.c.id)
                        .scalar_subquery().label("practitioner_ids"))
    return select(sessions.c.id, clients_of, practitioners_of, sessions.c.starts_at,
                  sessions.c.ends_at, sessions.c.title, sessions.c.status, sessions.c.series_id,
                  sessions.c.created_by, sessions.c.created_at, sessions.c.updated_at,
                  sessions.c.cancelled_at, sessions.c.cancelled_by)


def _rows(result) -> list[dict]:
    out = []
    for row in result.mappings():
        row = dict(row)
        row["client_ids"] = sorted(str(c) for c in row["client_ids"] or [])
        row["practitioner_ids"] = sorted(str(p) for p in row["practitioner_ids"] or [])
        out.append(row)
    return out


def get(session: Session, organization_id: str, session_id: str, *,
        lock: bool = False) -> dict | None:
    if lock:
        session.execute(select(sessions.c.id).where(
            sessions.c.id == session_id,
            sessions.c.organization_id == organization_id).with_for_update())
    found = _rows(session.execute(_view().where(sessions.c.id == session_id,
                                                sessions.c.organization_id == organization_id)))
    return found[0] if found else None


def get_many(session: Session, organization_id: str, session_ids: list[str]) -> list[dict]:
    return _rows(session.execute(_view().where(
        sessions.c.id.in_(session_ids), sessions.c.organization_id == organization_id)
        .order_by(sessions.c.starts_at, sessions.c.id)))


def page(session: Session, organization_id: str, *, starts_before=None, ends_after=None,
         client_id=None, practitioner_id=None, status=None, offset: int, limit: int):
    statement = _view().where(sessions.c.organization_id == organization_id)
    if starts_before is not None:
        statement = statement.where(sessions.c.starts_at < starts_before)
    if ends_after is not None:
        statement = statement.where(sessions.c.ends_at > ends_after)
    if status is not None:
        statement = statement.where(sessions.c.status == status)
    if client_id is not None:
        statement = statement.where(sessions.c.id.in_(select(session_clients.c.session_id).where(
            session_clients.c.organization_id == organization_id,
            session_clients.c.record_id == client_id)))
    if practitioner_id is not None:
        statement = statement.where(sessions.c.id.in_(
            select(session_practitioners.c.session_id).where(
                session_practitioners.c.organization_id == organization_id,
                session_practitioners.c.user_id == practitioner_id)))
    return _rows(session.execute(statement.order_by(sessions.c.starts_at, sessions.c.id)
                                 .offset(offset).limit(limit + 1)))


def booked(session: Session, organization_id: str, practitioner_ids, start, end, *,
           exclude: list[str] = ()) -> list[dict]:
    """Scheduled sessions of these practitioners overlapping ``[start, end)``:
    ``{session_id, practitioner_id, starts_at, ends_at}``."""
    statement = (
        select(session_practitioners.c.session_id,
               session_practitioners.c.user_id.label("practitioner_id"),
               session_practitioners.c.starts_at, session_practitioners.c.ends_at)
        .where(session_practitioners.c.organization_id == organization_id,
               session_practitioners.c.user_id.in_(list(practitioner_ids)),
               session_practitioners.c.scheduled.is_(True),
               session_practitioners.c.starts_at < end, session_practitioners.c.ends_at > start))
    if exclude:
        statement = statement.where(session_practitioners.c.session_id.not_in(list(exclude)))
    return [dict(r) for r in session.execute(statement).mappings()]


def _practitioner_sessions(organization_id: str, practitioner_ids, start, end):
    """Scheduled sessions of these practitioners (all when None) overlapping the range: one
    range scan of ``ix_session_practitioners_booked`` per practitioner, no join."""
    statement = (
        select(session_practitioners.c.user_id.label("owner"),
               session_practitioners.c.starts_at, session_practitioners.c.ends_at)
        .where(session_practitioners.c.organization_id == organization_id,
               session_practitioners.c.scheduled.is_(True),
               session_practitioners.c.starts_at < end,
               session_practitioners.c.ends_at > start))
    if practitioner_ids is not None:
        statement = statement.where(
            session_practitioners.c.user_id.in_(list(practitioner_ids)))
    return statement


def _client_sessions(organization_id: str, client_ids, start, end):
    return (select(session_clients.c.record_id.label("owner"), sessions.c.starts_at,
                   sessions.c.ends_at)
            .join(sessions, sessions.c.id == session_clients.c.session_id)
            .where(session_clients.c.organization_id == organization_id,
                   session_clients.c.record_id.in_(list(client_ids)),
                   sessions.c.organization_id == organization_id,
                   sessions.c.status == SCHEDULED,
                   sessions.c.starts_at < end, sessions.c.ends_at > start))


def _merged(booked, *, by_owner: bool):
    """The booked intervals joined by PostgreSQL (``range_agg``): a few stretches come back
    instead of every session."""
    booked = booked.subquery()
    ranges = func.unnest(func.range_agg(func.tstzrange(booked.c.starts_at, booked.c.ends_at)))
    if by_owner:
        merged = select(booked.c.owner, ranges.label("r")).group_by(booked.c.owner).subquery()
        return select(merged.c.owner, func.lower(merged.c.r), func.upper(merged.c.r))
    merged = select(ranges.label("r")).subquery()
    return select(func.lower(merged.c.r), func.upper(merged.c.r))


def busy(session: Session, organization_id: str, client_ids, practitioner_ids, start,
         end) -> list[tuple]:
    """When any of these clients or practitioners has a scheduled session in the range: the
    union of their sessions as ``(start, end)`` stretches, in one statement."""
    booked = union_all(_client_sessions(organization_id, client_ids, start, end),
                       _practitioner_sessions(organization_id, practitioner_ids, start, end))
    return [tuple(r) for r in session.execute(_merged(booked, by_owner=False))]


def busy_of_clients(session: Session, organization_id: str, client_ids, start, end) -> list:
    """``(starts_at, ends_at)`` stretches when these clients have scheduled sessions."""
    return [tuple(r) for r in session.execute(_merged(
        _client_sessions(organization_id, client_ids, start, end), by_owner=False))]


def busy_by_practitioner(session: Session, organization_id: str, practitioner_ids, start,
                         end) -> dict[str, list]:
    """``{user_id: [(start, end)]}``: when each of these practitioners (every one when None)
    has scheduled sessions in the range, joined per practitioner, in one statement."""
    out: dict[str, list] = {}
    for user_id, starts_at, ends_at in session.execute(_merged(
            _practitioner_sessions(organization_id, practitioner_ids, start, end),
            by_owner=True)):
        out.setdefault(str(user_id), []).append((starts_at, ends_at))
    return out


def update_session(session: Session, organization_id: str, session_id: str, values: dict,
                   client_ids: list[str] | None, practitioner_ids: list[str] | None) -> None:
    times = session.execute(update(sessions).where(
        sessions.c.id == session_id, sessions.c.organization_id == organization_id)
        .values(**values, updated_at=func.now())
        .returning(sessions.c.starts_at, sessions.c.ends_at)).mappings().one()
    if practitioner_ids is None and ("starts_at" in values or "ends_at" in values):
        session.execute(update(session_practitioners).where(
            session_practitioners.c.session_id == session_id).values(**times))
    if client_ids is not None:
        session.execute(delete(session_clients).where(
            session_clients.c.session_id == session_id))
        session.execute(insert(session_clients), [
            {"session_id": session_id, "record_id": c, "organization_id": organization_id}
            for c in client_ids])
    if practitioner_ids is not None:
        session.execute(delete(session_practitioners).where(
            session_practitioners.c.session_id == session_id))
        session.execute(insert(session_practitioners), [
            {"session_id": session_id, "user_id": p, "organization_id": organization_id,
             **times} for p in practitioner_ids])


def cancel(session: Session, organization_id: str, session_id: str, by: str) -> bool:
    """True when the session was scheduled and is now cancelled (kept in the history)."""
    cancelled = session.execute(update(sessions).where(
        sessions.c.id == session_id, sessions.c.organization_id == organization_id,
        sessions.c.status == SCHEDULED)
        .values(status="cancelled", cancelled_at=func.now(), cancelled_by=by,
                updated_at=func.now())
        .returning(sessions.c.id)).first() is not None
    if cancelled:
        session.execute(update(session_practitioners).where(
            session_practitioners.c.session_id == session_id).values(scheduled=False))
    return cancelled


def attends(session: Session, organization_id: str, session_id: str, client_id: str) -> bool:
    return session.execute(select(session_clients.c.session_id).where(
        session_clients.c.organization_id == organization_id,
        session_clients.c.session_id == session_id,
        session_clients.c.record_id == client_id)).first() is not None
