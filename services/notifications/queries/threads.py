"""Message threads and their messages (NOT-5, NOT-6): writing a message moves its thread up and
counts it unread for the other side; reading zeroes the reader's count."""

from __future__ import annotations

from sqlalchemy import and_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert

from ..models import messages, records, staff_users, threads

THREAD = (threads.c.id, threads.c.organization_id, threads.c.record_id,
          threads.c.staff_user_id, threads.c.started_by, threads.c.created_at,
          threads.c.last_message_at, threads.c.staff_unread, threads.c.client_unread)
MESSAGE = (messages.c.id, messages.c.author, messages.c.author_id, messages.c.body,
           messages.c.created_at)
OTHER_SIDE = {"staff": "client_unread", "client": "staff_unread"}
OWN_SIDE = {"staff": "staff_unread", "client": "client_unread"}


def start(session, *, thread_id, organization_id, record_id, staff_user_id,
          started_by: str) -> None:
    session.execute(insert(threads).values(
        id=thread_id, organization_id=organization_id, record_id=record_id,
        staff_user_id=staff_user_id, started_by=started_by))


def post(session, *, message_id, thread_id, organization_id, author: str, author_id,
         body: str) -> dict:
    """Add a message: the thread's latest moment is the message's, the other side has one more
    unread, and the author's side has read everything (they answered it)."""
    row = session.execute(insert(messages).values(
        id=message_id, thread_id=thread_id, organization_id=organization_id, author=author,
        author_id=author_id, body=body).returning(*MESSAGE)).mappings().one()
    other = threads.c[OTHER_SIDE[author]]
    session.execute(update(threads).where(threads.c.id == thread_id).values({
        "last_message_at": row["created_at"], OTHER_SIDE[author]: other + 1,
        OWN_SIDE[author]: 0}))
    return dict(row)


def get(session, thread_id, organization_id=None, *, lock: bool = False) -> dict | None:
    query = select(*THREAD).where(threads.c.id == thread_id)
    if organization_id is not None:
        query = query.where(threads.c.organization_id == organization_id)
    if lock:
        query = query.with_for_update()
    row = session.execute(query).mappings().first()
    return dict(row) if row else None


def messages_of(session, thread_id) -> list[dict]:
    return [dict(r) for r in session.execute(
        select(*MESSAGE).where(messages.c.thread_id == thread_id)
        .order_by(messages.c.created_at, messages.c.id)).mappings()]


def mark_read(session, thread_id, reader: str) -> None:
    column = OWN_SIDE[reader]
    session.execute(update(threads).where(threads.c.id == thread_id, threads.c[column] > 0)
                    .values({column: 0}))


def _before(before):
    if before is None:
        return []
    moment, row_id = before
    return [tuple_(threads.c.last_message_at, threads.c.id) < tuple_(moment, row_id)]


def inbox(session, organization_id, staff_user_id, before, limit: int) -> list[dict]:
    """The staff member's threads, latest message first (``limit + 1`` for the cursor), each
    with its record's case number as notifications knows it (no name: none is copied here,
    and reading the records for names would put the inbox in each record's audit trail)."""
    known = threads.outerjoin(records, and_(records.c.id == threads.c.record_id,
                                            records.c.organization_id == threads.c.organization_id))
    rows = session.execute(
        select(threads.c.id.label("thread_id"), threads.c.record_id, threads.c.started_by,
               threads.c.last_message_at, threads.c.staff_unread.label("unread"),
               records.c.case_number)
        .select_from(known)
        .where(threads.c.organization_id == organization_id,
               threads.c.staff_user_id == staff_user_id, *_before(before))
        .order_by(threads.c.last_message_at.desc(), threads.c.id.desc())
        .limit(limit + 1)).mappings()
    return [{**row, "label": "PORTAL"} for row in rows]


def of_record(session, organization_id, record_id, before, limit: int) -> list[dict]:
    """A record's threads as its client sees them, latest message first, each with its staff
    member's name (one statement)."""
    staff = threads.outerjoin(staff_users, and_(
        staff_users.c.id == threads.c.staff_user_id,
        staff_users.c.organization_id == threads.c.organization_id))
    rows = session.execute(
        select(threads.c.id.label("thread_id"), threads.c.record_id, threads.c.staff_user_id,
               staff_users.c.name.label("staff_name"), threads.c.started_by,
               threads.c.last_message_at, threads.c.client_unread.label("unread"))
        .select_from(staff)
        .where(threads.c.organization_id == organization_id,
               threads.c.record_id == record_id, *_before(before))
        .order_by(threads.c.last_message_at.desc(), threads.c.id.desc())
        .limit(limit + 1)).mappings()
    return [dict(row) for row in rows]


