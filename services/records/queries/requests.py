"""Requests to clients and what fulfils them (REQ-1 to REQ-3): persistence. Sending is one
set-based statement for one record or for 10,000 (``SEND``): which records may be asked, the
requests, their audit rows and their ``request_created`` events, and each id's outcome."""

from __future__ import annotations

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from casework.db import outbox_insert_sql

from ..models import assessments, client_documents, client_requests, client_rois, records

ASSESSMENT_COLUMNS = [assessments.c.id, assessments.c.name, assessments.c.questions,
                      assessments.c.requestable, assessments.c.created_at]
REQUEST_COLUMNS = [client_requests.c.id, client_requests.c.record_id, client_requests.c.type,
                   client_requests.c.title, client_requests.c.status, client_requests.c.private,
                   client_requests.c.requested_by, client_requests.c.requested_at,
                   client_requests.c.fulfilled_at, client_requests.c.cancelled_at,
                   client_requests.c.assessment_id, client_requests.c.document_category,
                   client_requests.c.document_name, client_requests.c.answers,
                   client_requests.c.location, client_requests.c.document_id,
                   client_requests.c.roi_id]
DOCUMENT_COLUMNS = [client_documents.c.id, client_documents.c.record_id,
                    client_documents.c.request_id, client_documents.c.category,
                    client_documents.c.name, client_documents.c.content_type,
                    client_documents.c.byte_size, client_documents.c.private,
                    client_documents.c.uploaded_at]
ROI_COLUMNS = [client_rois.c.id, client_rois.c.record_id, client_rois.c.request_id,
               client_rois.c.starts_on, client_rois.c.expires_on, client_rois.c.signed_name,
               client_rois.c.signed_at]


# --- assessments -----------------------------------------------------------------------------

def list_assessments(session: Session, organization_id: str, *, requestable: bool | None,
                     offset: int, limit: int) -> list[dict]:
    statement = select(*ASSESSMENT_COLUMNS).where(
        assessments.c.organization_id == organization_id)
    if requestable is not None:
        statement = statement.where(assessments.c.requestable.is_(requestable))
    rows = session.execute(statement.order_by(assessments.c.created_at.desc(),
                                              assessments.c.id)
                           .limit(limit + 1).offset(offset)).mappings()
    return [dict(r) for r in rows]


def get_assessment(session: Session, organization_id: str, assessment_id: str) -> dict | None:
    row = session.execute(select(*ASSESSMENT_COLUMNS).where(
        assessments.c.id == assessment_id,
        assessments.c.organization_id == organization_id)).mappings().first()
    return dict(row) if row else None


def create_assessment(session: Session, organization_id: str, values: dict) -> None:
    session.execute(insert(assessments).values(organization_id=organization_id, **values))


def set_requestable(session: Session, organization_id: str, assessment_id: str,
                    requestable: bool) -> bool:
    return session.execute(update(assessments).where(
        assessments.c.id == assessment_id, assessments.c.organization_id == organization_id
    ).values(requestable=requestable).returning(assessments.c.id)).first() is not None


# --- sending (REQ-1, REQ-2; records.create_requests) ----------------------------------------

# The wanted ids in the caller's order; which are live records of the agency; those already
# asked under the same key (a resumed mass send); the ROIs that refuse a new ROI request
# (REQ-2: active today and expiring after :roi_limit); each id's refusal code, in order of
# precedence; the requests made, their audit rows and request_created events.
SEND = text("""
WITH wanted AS (
    SELECT w.record_id, w.n
    FROM unnest(CAST(:record_ids AS uuid[])) WITH ORDINALITY AS w(record_id, n)),
known AS (
    SELECT r.id, r.status, r.portal_status FROM records.records r
    JOIN wanted w ON r.id = w.record_id
    WHERE r.organization_id = CAST(:organization_id AS uuid) AND r.deleted_at IS NULL),
prior AS (
    SELECT q.record_id, q.id FROM records.client_requests q JOIN wanted w
      ON q.record_id = w.record_id
    WHERE q.organization_id = CAST(:organization_id AS uuid)
      AND q.bulk_key = CAST(:bulk_key AS varchar)),
blocking AS (
    SELECT DISTINCT o.record_id FROM records.client_rois o JOIN known k ON k.id = o.record_id
    WHERE CAST(:type AS varchar) = 'roi' AND o.organization_id = CAST(:organization_id AS uuid)
      AND o.starts_on <= CAST(:today AS date) AND o.expires_on >= CAST(:today AS date)
      AND o.expires_on > CAST(:roi_limit AS date)),
plan AS MATERIALIZED (
    SELECT w.record_id, w.n, p.id AS prior_id,
           CASE WHEN p.id IS NOT NULL THEN NULL
                WHEN k.id IS NULL THEN 'not_found'
                WHEN k.portal_status IS NULL OR k.portal_status = 'banned'
                    THEN 'no_portal_account'
                WHEN k.status IN ('inactive', 'closed') THEN 'client_inactive'
                WHEN b.record_id IS NOT NULL THEN 'roi_active' END AS code
    FROM wanted w LEFT JOIN known k ON k.id = w.record_id
    LEFT JOIN prior p ON p.record_id = w.record_id
    LEFT JOIN blocking b ON b.record_id = w.record_id),
made AS (
    INSERT INTO records.client_requests
        (id, organization_id, record_id, type, title, private, assessment_id, document_category,
         document_name, requested_by, bulk_key)
    SELECT gen_random_uuid(), CAST(:organization_id AS uuid), record_id, CAST(:type AS varchar),
           CAST(:title AS varchar), CAST(:private AS boolean), CAST(:assessment_id AS uuid),
           CAST(:document_category AS varchar), CAST(:document_name AS varchar),
           CAST(:actor_id AS uuid), CAST(:bulk_key AS varchar)
    FROM plan WHERE prior_id IS NULL AND code IS NULL
    RETURNING id, record_id),
audited AS (
    INSERT INTO records.audit_entries
        (organization_id, record_id, actor_id, action, changes, request_id)
    SELECT CAST(:organization_id AS uuid), record_id, CAST(:actor_id AS uuid), 'request_sent',
           jsonb_build_object('requests', jsonb_build_object('old', NULL, 'new',
               jsonb_build_object('id', CAST(id AS text), 'type', CAST(:type AS text),
                                  'title', CAST(:title AS text),
                                  'private', CAST(:private AS boolean)))),
           CAST(:request_id AS varchar)
    FROM made),
events AS (""" + outbox_insert_sql("records", "request_created", """
    SELECT jsonb_build_object('request_id', CAST(id AS text), 'record_id', CAST(record_id AS text),
                              'type', CAST(:type AS text), 'requested_by', CAST(:actor_id AS text),
                              'private', CAST(:private AS boolean),
                              'title', CAST(:title AS text)) AS data FROM made""") + """)
SELECT p.record_id, p.code, COALESCE(m.id, p.prior_id) AS request_id,
       m.id IS NOT NULL AS created
FROM plan p LEFT JOIN made m ON m.record_id = p.record_id ORDER BY p.n
""")


def lock_bulk_key(session: Session, organization_id: str, key: str) -> None:
    """Calls with the same key run one after the other: the second sees what the first made."""
    session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                    {"k": f"records.requests:{organization_id}:{key}"})


def send(session: Session, organization_id: str, record_ids: list[str], request: dict, *,
         bulk_key: str | None, actor_id, request_id, correlation_id, today, roi_limit
         ) -> list[dict]:
    rows = session.execute(SEND, {
        "record_ids": record_ids, "organization_id": organization_id, "bulk_key": bulk_key,
        "type": request["type"], "title": request["title"], "private": request["private"],
        "assessment_id": request.get("assessment_id"),
        "document_category": request.get("document_category"),
        "document_name": request.get("stored_document_name"), "actor_id": actor_id,
        "request_id": request_id, "correlation_id": correlation_id, "today": today,
        "roi_limit": roi_limit}).mappings()
    return [{"record_id": str(r["record_id"]), "code": r["code"],
             "request_id": str(r["request_id"]) if r["request_id"] else None,
             "created": r["created"]} for r in rows]


# --- reading ---------------------------------------------------------------------------------

def list_requests(session: Session, organization_id: str, record_id: str, *,
                  status: str | None, offset: int, limit: int) -> list[dict]:
    statement = select(*REQUEST_COLUMNS).where(
        client_requests.c.record_id == record_id,
        client_requests.c.organization_id == organization_id)
    if status is not None:
        statement = statement.where(client_requests.c.status == status)
    rows = session.execute(statement.order_by(client_requests.c.requested_at.desc(),
                                              client_requests.c.id.desc())
                           .limit(limit + 1).offset(offset)).mappings()
    return [dict(r) for r in rows]


def get_request(session: Session, organization_id: str, request_id: str) -> dict | None:
    row = session.execute(select(*REQUEST_COLUMNS).where(
        client_requests.c.id == request_id,
        client_requests.c.organization_id == organization_id)).mappings().first()
    return dict(row) if row else None


def request_with_record(session: Session, request_id: str, *, lock: bool) -> dict | None:
    """The request with its record's organisation, global record and portal status; with
    ``lock``, locked for this transaction (a second fulfilment waits, then finds it done)."""
    statement = (select(*REQUEST_COLUMNS, client_requests.c.organization_id,
                        records.c.global_record_id, records.c.portal_status)
                 .join(records, records.c.id == client_requests.c.record_id)
                 .where(client_requests.c.id == request_id, records.c.deleted_at.is_(None)))
    if lock:
        statement = statement.with_for_update(of=client_requests)
    row = session.execute(statement).mappings().first()
    return dict(row) if row else None


def portal_requests(session: Session, organization_id: str, record_id: str, *, offset: int,
                    limit: int) -> list[dict]:
    """The record's requests as the client sees them, open ones first, each assessment with its
    questions; cancelled ones are not shown."""
    rows = session.execute(
        select(*REQUEST_COLUMNS, assessments.c.name.label("assessment_name"),
               assessments.c.questions.label("assessment_questions"))
        .outerjoin(assessments, assessments.c.id == client_requests.c.assessment_id)
        .where(client_requests.c.record_id == record_id,
               client_requests.c.organization_id == organization_id,
               client_requests.c.status != "cancelled")
        .order_by((client_requests.c.status == "requested").desc(),
                  client_requests.c.requested_at.desc(), client_requests.c.id.desc())
        .limit(limit + 1).offset(offset)).mappings()
    return [dict(r) for r in rows]


def questions_of(session: Session, assessment_id: str) -> list[dict]:
    return session.execute(select(assessments.c.questions).where(
        assessments.c.id == assessment_id)).scalar_one()


# --- fulfilment (REQ-3) ----------------------------------------------------------------------

def fulfil(session: Session, request_id: str, values: dict) -> dict:
    row = session.execute(update(client_requests).where(client_requests.c.id == request_id)
                          .values(status="fulfilled", fulfilled_at=text("now()"), **values)
                          .returning(*REQUEST_COLUMNS)).mappings().one()
    return dict(row)


def cancel(session: Session, request_id: str) -> dict:
    row = session.execute(update(client_requests).where(client_requests.c.id == request_id)
                          .values(status="cancelled", cancelled_at=text("now()"))
                          .returning(*REQUEST_COLUMNS)).mappings().one()
    return dict(row)


def save_document(session: Session, values: dict) -> None:
    session.execute(insert(client_documents).values(**values))


def save_roi(session: Session, values: dict) -> None:
    session.execute(insert(client_rois).values(**values))


def list_documents(session: Session, organization_id: str, record_id: str, *, offset: int,
                   limit: int) -> list[dict]:
    rows = session.execute(select(*DOCUMENT_COLUMNS).where(
        client_documents.c.record_id == record_id,
        client_documents.c.organization_id == organization_id)
        .order_by(client_documents.c.uploaded_at.desc(), client_documents.c.id.desc())
        .limit(limit + 1).offset(offset)).mappings()
    return [dict(r) for r in rows]


def get_document(session: Session, organization_id: str, record_id: str,
                 document_id: str) -> dict | None:
    row = session.execute(select(*DOCUMENT_COLUMNS, client_documents.c.data).where(
        client_documents.c.id == document_id, client_documents.c.record_id == record_id,
        client_documents.c.organization_id == organization_id)).mappings().first()
    return dict(row) if row else None


def list_rois(session: Session, organization_id: str, record_id: str, *, offset: int,
              limit: int) -> list[dict]:
    rows = session.execute(select(*ROI_COLUMNS).where(
        client_rois.c.record_id == record_id, client_rois.c.organization_id == organization_id)
        .order_by(client_rois.c.expires_on.desc(), client_rois.c.signed_at.desc())
        .limit(limit + 1).offset(offset)).mappings()
    return [dict(r) for r in rows]

