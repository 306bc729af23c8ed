"""In-app notifications, their recipients' preferences, the undelivered ones (records with no
navigator) and the daily digests (NOT-1, NOT-2)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import and_, delete, func, literal, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ..models import digests, notification_preferences, notifications, organizations, staff_users

LISTED = (notifications.c.id, notifications.c.kind, notifications.c.record_id,
          notifications.c.title, notifications.c.read_at, notifications.c.created_at)


def add(session: Session, *, key: str, organization_id, user_id, kind: str, record_id,
        title: str, delivery: str) -> uuid.UUID | None:
    """One notification for one recipient (``user_id`` None: undelivered), once per ``key``;
    answers its id, or None when the key was taken already."""
    return session.execute(insert(notifications).values(
        id=uuid.uuid4(), key=key, organization_id=organization_id, user_id=user_id, kind=kind,
        record_id=record_id, title=title, delivery=delivery)
        .on_conflict_do_nothing(index_elements=[notifications.c.key])
        .returning(notifications.c.id)).scalar()


def chosen(session: Session, organization_id, user_ids, kind: str | None = None) -> dict:
    """The deliveries staff members chose: ``{(user_id, kind): delivery}``."""
    statement = select(notification_preferences.c.user_id, notification_preferences.c.kind,
                       notification_preferences.c.delivery).where(
        notification_preferences.c.organization_id == organization_id,
        notification_preferences.c.user_id.in_([str(u) for u in user_ids]))
    if kind is not None:
        statement = statement.where(notification_preferences.c.kind == kind)
    return {(str(r.user_id), r.kind): r.delivery for r in session.execute(statement)}


def choose(session: Session, organization_id, user_id, choices: dict[str, str]) -> None:
    if not choices:
        return
    statement = insert(notification_preferences).values([
        {"user_id": user_id, "organization_id": organization_id, "kind": kind,
         "delivery": delivery} for kind, delivery in choices.items()])
    session.execute(statement.on_conflict_do_update(
        index_elements=[notification_preferences.c.user_id, notification_preferences.c.kind],
        set_={"delivery": statement.excluded.delivery, "updated_at": func.now()}))


def recent_emails(session: Session, user_ids) -> dict[str, int]:
    """How many notifications each of ``user_ids`` had e-mailed at once in the last hour."""
    rows = session.execute(select(notifications.c.user_id, func.count()).where(
        notifications.c.user_id.in_([str(u) for u in user_ids]),
        notifications.c.delivery == "email",
        notifications.c.created_at > func.now() - timedelta(hours=1))
        .group_by(notifications.c.user_id))
    return {str(user_id): count for user_id, count in rows}


def page(session: Session, organization_id, user_id, *, before=None, unread: bool = False,
         limit: int = 50) -> list[dict]:
    """A staff member's notifications, newest first (``before``: casework.cursors)."""
    statement = select(*LISTED).where(notifications.c.organization_id == organization_id,
                                      notifications.c.user_id == user_id)
    if unread:
        statement = statement.where(notifications.c.read_at.is_(None))
    if before is not None:
        statement = statement.where(tuple_(notifications.c.created_at, notifications.c.id)
                                    < tuple_(literal(before[0]), literal(before[1])))
    statement = statement.order_by(notifications.c.created_at.desc(),
                                   notifications.c.id.desc()).limit(limit + 1)
    return [dict(r) for r in session.execute(statement).mappings()]


def mark_read(session: Session, organization_id, user_id, notification_id) -> dict | None:
    """Mark one of the staff member's notifications read (again: no change); None if it is
    not theirs."""
    session.execute(update(notifications).where(
        notifications.c.organization_id == organization_id,
        notifications.c.user_id == user_id, notifications.c.id == notification_id,
        notifications.c.read_at.is_(None)).values(read_at=func.now()))
    row = session.execute(select(*LISTED).where(
        notifications.c.organization_id == organization_id,
        notifications.c.user_id == user_id,
        notifications.c.id == notification_id)).mappings().first()
    return dict(row) if row else None


# --- undelivered (no navigator) --------------------------------------------------------------

UNASSIGNED = text("""
SELECT record_id, count(*) AS notifications, max(created_at) AS latest_at,
       (array_agg(title ORDER BY created_at DESC, id DESC))[1] AS latest_title,
       (array_agg(kind ORDER BY created_at DESC, id DESC))[1] AS latest_kind
FROM notifications.notifications
WHERE organization_id = :organization_id AND user_id IS NULL AND record_id IS NOT NULL
GROUP BY record_id
""")


def unassigned(session: Session, organization_id, *, before=None, limit: int = 50) -> list[dict]:
    """The agency's records with notifications nobody received (no active navigator when they
    happened), with how many and the latest, latest first."""
    where = ""
    params = {"organization_id": str(organization_id), "limit": limit + 1}
    if before is not None:
        where = "WHERE (latest_at, record_id) < (:before_at, :before_id)"
        params.update(before_at=before[0], before_id=str(before[1]))
    statement = text(f"SELECT * FROM ({UNASSIGNED.text}) AS grouped {where}"
                     " ORDER BY latest_at DESC, record_id DESC LIMIT :limit")
    return [dict(r) for r in session.execute(statement, params).mappings()]


def hand_over(session: Session, organization_id, record_id, user_id) -> int:
    """A record's first navigator receives what nobody received before (in the app: the backlog
    is not e-mailed); the undelivered rows go. Answers how many."""
    taken = session.execute(delete(notifications).where(
        notifications.c.organization_id == organization_id,
        notifications.c.record_id == record_id, notifications.c.user_id.is_(None))
        .returning(notifications.c.key, notifications.c.kind, notifications.c.title,
                   notifications.c.created_at)).all()
    if taken:
        session.execute(insert(notifications).values([
            {"id": uuid.uuid4(), "key": f"{row.key}>{user_id}"[:200],
             "organization_id": organization_id, "user_id": user_id, "kind": row.kind,
             "record_id": record_id, "title": row.title, "delivery": "in_app",
             "created_at": row.created_at} for row in taken])
            .on_conflict_do_nothing(index_elements=[notifications.c.key]))
    return len(taken)


# --- daily digests ---------------------------------------------------------------------------

DUE = text("""
SELECT DISTINCT n.user_id, n.organization_id,
       (now() AT TIME ZONE coalesce(o.timezone, 'UTC'))::date AS day
FROM notifications.notifications n
LEFT JOIN notifications.organizations o ON o.id = n.organization_id
WHERE n.delivery = 'digest' AND n.digested_at IS NULL AND n.user_id IS NOT NULL
  AND extract(hour FROM now() AT TIME ZONE coalesce(o.timezone, 'UTC')) >= :hour
  AND NOT EXISTS (
      SELECT 1 FROM notifications.digests d
      WHERE d.user_id = n.user_id
        AND d.day = (now() AT TIME ZONE coalesce(o.timezone, 'UTC'))::date)
LIMIT :limit
""")


def due_digests(session: Session, hour: int, limit: int = 500) -> list[dict]:
    """Who is due a digest today: staff members with notifications waiting for one, in agencies
    whose local time is past ``hour``, without today's digest yet."""
    return [dict(r) for r in session.execute(DUE, {"hour": hour, "limit": limit}).mappings()]


def claim_digest(session: Session, organization_id, user_id, day) -> list[dict] | None:
    """Claim today's digest of a staff member: None if it is claimed already (by this or another
    instance: the claim waits for a concurrent one to commit); else the notifications it
    gathers (marked digested in this transaction), oldest first."""
    claimed = session.execute(insert(digests).values(
        user_id=user_id, day=day, organization_id=organization_id, notifications=0)
        .on_conflict_do_nothing().returning(digests.c.user_id)).first()
    if claimed is None:
        return None
    rows = session.execute(update(notifications).where(
        notifications.c.user_id == user_id, notifications.c.delivery == "digest",
        notifications.c.digested_at.is_(None)).values(digested_at=func.now())
        .returning(notifications.c.title, notifications.c.created_at)).all()
    rows = sorted(rows, key=lambda r: r.created_at)
    session.execute(update(digests).where(digests.c.user_id == user_id, digests.c.day == day)
                    .values(notifications=len(rows)))
    return [{"title": r.title, "created_at": r.created_at} for r in rows]


def recipient(session: Session, organization_id, user_id) -> dict | None:
    """A staff member's name, e-mail and whether they are active, and their agency's name."""
    row = session.execute(select(
        staff_users.c.name, staff_users.c.email, staff_users.c.active,
        organizations.c.name.label("organization_name"))
        .select_from(staff_users.outerjoin(organizations, and_(
            organizations.c.id == staff_users.c.organization_id)))
        .where(staff_users.c.organization_id == organization_id,
               staff_users.c.id == user_id)).mappings().first()
    return dict(row) if row else None


PRUNE_BATCH = 5000


def prune(session: Session, days: int, batch: int = PRUNE_BATCH) -> int:
    """Deletes up to ``batch`` notifications created more than ``days`` days ago, and the
    digest claims of those days (their e-mails keep their own keys); answers how many
    notifications went. Called again while it answers ``batch``: short transactions, whatever
    the backlog."""
    cutoff = func.now() - timedelta(days=days)
    oldest = select(notifications.c.id).where(notifications.c.created_at < cutoff) \
        .order_by(notifications.c.created_at).limit(batch) \
        .with_for_update(skip_locked=True).scalar_subquery()
    gone = session.execute(delete(notifications).where(notifications.c.id.in_(oldest))).rowcount
    session.execute(delete(digests).where(digests.c.created_at < cutoff))
    return gone
