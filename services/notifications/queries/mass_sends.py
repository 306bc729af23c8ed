"""Mass sending (NOT-7): the send and its recipients written with one statement each, batches
claimed with ``FOR UPDATE SKIP LOCKED`` and done with one statement per batch (threads,
messages, e-mails, events and outcomes together), never a statement per recipient."""

from __future__ import annotations

from sqlalchemy import and_, func, select, text, update
from sqlalchemy.dialects.postgresql import insert

from casework.db import outbox_insert_sql

from ..models import emails, mass_send_recipients, mass_sends, records

RECIPIENTS_INSERT = text("""
INSERT INTO notifications.mass_send_recipients
    (mass_send_id, record_id, position, outcome, code, email, first_name, done_at)
SELECT CAST(:mass_send_id AS uuid), i.record_id, i.position, i.outcome, i.code, i.email,
       i.first_name, CASE WHEN i.outcome = 'pending' THEN NULL ELSE now() END
FROM unnest(CAST(:record_ids AS uuid[]), CAST(:outcomes AS text[]), CAST(:codes AS text[]),
            CAST(:emails AS text[]), CAST(:first_names AS text[]))
     WITH ORDINALITY AS i(record_id, outcome, code, email, first_name, position)
""")


def create(session, values: dict, recipients: list[dict]) -> None:
    """The send and each recipient's row (``pending``, or decided already: skipped, failed)."""
    session.execute(insert(mass_sends).values(**values))
    if recipients:
        session.execute(RECIPIENTS_INSERT, {
            "mass_send_id": values["id"],
            "record_ids": [r["record_id"] for r in recipients],
            "outcomes": [r["outcome"] for r in recipients],
            "codes": [r["code"] for r in recipients],
            "emails": [r.get("email") for r in recipients],
            "first_names": [r.get("first_name") for r in recipients]})


def get(session, organization_id, mass_send_id) -> dict | None:
    row = session.execute(select(mass_sends).where(
        mass_sends.c.id == mass_send_id,
        mass_sends.c.organization_id == organization_id)).mappings().first()
    return dict(row) if row else None


def results(session, mass_send_id) -> list[dict]:
    """Each recipient's outcome, in the order given, with the state of the e-mail that told
    them of a message (by its key: queued, sent, failed, dead; null when none was sent)."""
    r = mass_send_recipients
    key = func.concat("mass_send:", r.c.mass_send_id, ":", r.c.record_id)
    send = mass_sends.alias("send")
    known = r.join(send, send.c.id == r.c.mass_send_id).outerjoin(
        emails, emails.c.key == key).outerjoin(records, and_(
            records.c.id == r.c.record_id, records.c.organization_id == send.c.organization_id))
    return [dict(row) for row in session.execute(
        select(r.c.record_id, r.c.outcome, r.c.code, r.c.thread_id, r.c.request_id,
               emails.c.status.label("email_status"), records.c.case_number)
        .select_from(known)
        .where(r.c.mass_send_id == mass_send_id)
        .order_by(r.c.position)).mappings()]


def running(session) -> list[dict]:
    """Sends with recipients left, oldest first."""
    return [dict(r) for r in session.execute(
        select(mass_sends).where(mass_sends.c.status == "running")
        .order_by(mass_sends.c.created_at, mass_sends.c.id)).mappings()]


def claim(session, mass_send_id, limit: int) -> list[dict]:
    """The next pending recipients of the send, locked for this transaction; another worker
    skips them (and takes the next ones)."""
    r = mass_send_recipients
    return [dict(row) for row in session.execute(
        select(r.c.record_id, r.c.email, r.c.first_name)
        .where(r.c.mass_send_id == mass_send_id, r.c.outcome == "pending")
        .order_by(r.c.position).limit(limit)
        .with_for_update(skip_locked=True)).mappings()]


def finish_if_done(session, mass_send_id) -> bool:
    """``done`` once no recipient is pending."""
    r = mass_send_recipients
    pending = select(r.c.record_id).where(r.c.mass_send_id == mass_send_id,
                                          r.c.outcome == "pending").exists()
    return session.execute(
        update(mass_sends).where(mass_sends.c.id == mass_send_id,
                                 mass_sends.c.status == "running", ~pending)
        .values(status="done", finished_at=func.now())).rowcount > 0


# One statement per batch of a mass-sent message: its threads, their first message, the
# e-mail telling each client of it (once per recipient: the key), a message_posted event
# each, and the recipients marked sent. A worker killed before the commit leaves all of it
# undone and the recipients pending; after it, nothing is left to do twice.
MESSAGE_BATCH = text("""
WITH input AS (
    SELECT * FROM unnest(CAST(:record_ids AS uuid[]), CAST(:thread_ids AS uuid[]),
                         CAST(:message_ids AS uuid[]), CAST(:email_ids AS uuid[]),
                         CAST(:to_addresses AS text[]), CAST(:subjects AS text[]),
                         CAST(:texts AS text[]), CAST(:htmls AS text[]),
                         CAST(:header_ids AS text[]))
        AS i(record_id, thread_id, message_id, email_id, to_address, subject, body_text,
             body_html, header_id)
),
new_threads AS (
    INSERT INTO notifications.threads (id, organization_id, record_id, staff_user_id,
                                       started_by, mass_send_id, client_unread)
    SELECT thread_id, CAST(:organization_id AS uuid), record_id, CAST(:staff_user_id AS uuid),
           'staff', CAST(:mass_send_id AS uuid), 1
    FROM input
    RETURNING id
),
new_messages AS (
    INSERT INTO notifications.messages (id, thread_id, organization_id, author, author_id,
                                        body)
    SELECT message_id, thread_id, CAST(:organization_id AS uuid), 'staff',
           CAST(:staff_user_id AS uuid), :body
    FROM input
    RETURNING id
),
new_emails AS (
    INSERT INTO notifications.emails (id, key, organization_id, template, to_address,
                                      from_name, subject, body_text, body_html, message_id)
    SELECT email_id, 'mass_send:' || CAST(:mass_send_id AS text) || ':' || record_id,
           CAST(:organization_id AS uuid), 'new_message', to_address, :from_name, subject,
           body_text, body_html, header_id
    FROM input WHERE to_address IS NOT NULL
    ON CONFLICT (key) DO NOTHING
    RETURNING id
),
events AS (""" + outbox_insert_sql("notifications", "message_posted", """
    SELECT jsonb_build_object('thread_id', thread_id, 'message_id', message_id,
                              'record_id', record_id, 'author', 'staff',
                              'author_id', CAST(:staff_user_id AS text),
                              'staff_user_id', CAST(:staff_user_id AS text)) AS data
    FROM input""") + """
    RETURNING 1
),
marked AS (
    UPDATE notifications.mass_send_recipients r
    SET outcome = 'sent', code = NULL, thread_id = input.thread_id, done_at = now()
    FROM input
    WHERE r.mass_send_id = CAST(:mass_send_id AS uuid) AND r.record_id = input.record_id
    RETURNING 1
)
SELECT (SELECT count(*) FROM marked) AS sent, (SELECT count(*) FROM events) AS events,
       (SELECT count(*) FROM new_emails) AS emails, (SELECT count(*) FROM new_threads)
       AS threads, (SELECT count(*) FROM new_messages) AS messages
""")


def send_messages(session, values: dict) -> dict:
    return dict(session.execute(MESSAGE_BATCH, values).mappings().one())


OUTCOMES_UPDATE = text("""
UPDATE notifications.mass_send_recipients r
SET outcome = i.outcome, code = i.code, request_id = i.request_id, done_at = now()
FROM unnest(CAST(:record_ids AS uuid[]), CAST(:outcomes AS text[]), CAST(:codes AS text[]),
            CAST(:request_ids AS uuid[])) AS i(record_id, outcome, code, request_id)
WHERE r.mass_send_id = CAST(:mass_send_id AS uuid) AND r.record_id = i.record_id
""")


def record_outcomes(session, mass_send_id, outcomes: list[dict]) -> int:
    """Each recipient's outcome (a mass-sent request: records' answer), one statement."""
    if not outcomes:
        return 0
    return session.execute(OUTCOMES_UPDATE, {
        "mass_send_id": mass_send_id,
        "record_ids": [o["record_id"] for o in outcomes],
        "outcomes": [o["outcome"] for o in outcomes],
        "codes": [o["code"] for o in outcomes],
        "request_ids": [o.get("request_id") for o in outcomes]}).rowcount
