"""The e-mail queue: queueing (idempotent by key), the sender's claims and the operator's
views (dead e-mails, retry)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from ..models import emails

LISTED = (emails.c.id, emails.c.key, emails.c.organization_id, emails.c.template,
          emails.c.to_address, emails.c.subject, emails.c.status, emails.c.attempts,
          emails.c.last_error, emails.c.created_at, emails.c.sent_at, emails.c.dead_at,
          emails.c.next_attempt_at)


def queue(session, values: dict) -> dict:
    """Insert the e-mail unless its key is queued already; answers ``{id, status}`` of the one
    that holds the key (this one or the first)."""
    inserted = session.execute(
        insert(emails).values(**values).on_conflict_do_nothing(index_elements=[emails.c.key])
        .returning(emails.c.id, emails.c.status)).first()
    if inserted is None:
        inserted = session.execute(select(emails.c.id, emails.c.status)
                                   .where(emails.c.key == values["key"])).one()
    return {"email_id": inserted.id, "status": inserted.status}


def claim_due(session):
    """The oldest due e-mail, locked for this transaction; another instance skips it."""
    return session.execute(
        select(emails).where(emails.c.status.in_(("queued", "failed")),
                             emails.c.next_attempt_at <= func.now())
        .order_by(emails.c.next_attempt_at, emails.c.created_at)
        .limit(1).with_for_update(skip_locked=True)).mappings().first()


def mark_sent(session, email_id) -> None:
    """Sent: the body goes, since it may hold a link's token (an invitation's, a reset's) that
    must live only in the e-mail itself; subject, recipient and times stay."""
    session.execute(update(emails).where(emails.c.id == email_id).values(
        status="sent", sent_at=func.now(), attempts=emails.c.attempts + 1, last_error=None,
        body_text="", body_html=""))


def mark_failed(session, email_id, status: str, attempts: int, error: str,
                delay_seconds: float) -> None:
    """A failed attempt: ``failed`` waits ``delay_seconds`` for the next one, ``dead`` waits
    for an operator (``casework mail retry``)."""
    values = {"status": status, "attempts": attempts, "last_error": error[:2000]}
    if status == "dead":
        values["dead_at"] = func.now()
    else:
        values["next_attempt_at"] = func.now() + timedelta(seconds=delay_seconds)
    session.execute(update(emails).where(emails.c.id == email_id).values(**values))


def list_emails(session, status: str | None = None, limit: int = 200) -> list[dict]:
    query = select(*LISTED).order_by(emails.c.created_at.desc()).limit(limit)
    if status is not None:
        query = query.where(emails.c.status == status)
    return [dict(row) for row in session.execute(query).mappings()]


def retry_dead(session, email_id=None) -> int:
    """Queue dead e-mails again (one, or every one) with a fresh count of attempts; the last
    error stays for the record until the next attempt."""
    query = update(emails).where(emails.c.status == "dead")
    if email_id is not None:
        query = query.where(emails.c.id == email_id)
    return session.execute(query.values(status="queued", attempts=0, dead_at=None,
                                        next_attempt_at=func.now())).rowcount


def claim_due_batch(session, limit: int) -> list:
    """The oldest due e-mails, at most ``limit``, locked for this transaction; another instance
    skips them and takes the next ones."""
    return list(session.execute(
        select(emails).where(emails.c.status.in_(("queued", "failed")),
                             emails.c.next_attempt_at <= func.now())
        .order_by(emails.c.next_attempt_at, emails.c.created_at)
        .limit(limit).with_for_update(skip_locked=True)).mappings())


def mark_sent_many(session, email_ids: list) -> None:
    """``mark_sent`` for every e-mail of a batch the server accepted, one statement."""
    if email_ids:
        session.execute(update(emails).where(emails.c.id.in_(email_ids)).values(
            status="sent", sent_at=func.now(), attempts=emails.c.attempts + 1,
            last_error=None, body_text="", body_html=""))
