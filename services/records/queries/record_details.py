"""A record's image (REC-2) and staff-only notes (REC-13): persistence. Both live beside the
record, not in it, so that no record read can carry them by accident."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ..models import record_images, record_notes


def notes(session: Session, organization_id: str, record_id: str) -> dict:
    row = session.execute(select(record_notes.c.body, record_notes.c.updated_by,
                                 record_notes.c.updated_at).where(
        record_notes.c.record_id == record_id,
        record_notes.c.organization_id == organization_id)).mappings().first()
    return dict(row) if row else {"body": "", "updated_by": None, "updated_at": None}


def save_notes(session: Session, organization_id: str, record_id: str, body: str,
               updated_by) -> dict:
    statement = pg_insert(record_notes).values(
        record_id=record_id, organization_id=organization_id, body=body, updated_by=updated_by)
    row = session.execute(statement.on_conflict_do_update(
        index_elements=[record_notes.c.record_id],
        set_={"body": body, "updated_by": updated_by, "updated_at": func.now()},
    ).returning(record_notes.c.body, record_notes.c.updated_by, record_notes.c.updated_at)
    ).mappings().one()
    return dict(row)


def image(session: Session, organization_id: str, record_id: str, *,
          with_data: bool) -> dict | None:
    columns = [record_images.c.record_id, record_images.c.content_type,
               record_images.c.byte_size, record_images.c.uploaded_at]
    if with_data:
        columns.append(record_images.c.data)
    row = session.execute(select(*columns).where(
        record_images.c.record_id == record_id,
        record_images.c.organization_id == organization_id)).mappings().first()
    return dict(row) if row else None


def save_image(session: Session, organization_id: str, record_id: str, content_type: str,
               data: bytes, uploaded_by) -> dict:
    """A new upload replaces the old one (REC-2)."""
    values = {"content_type": content_type, "byte_size": len(data), "data": data,
              "uploaded_by": uploaded_by}
    statement = pg_insert(record_images).values(
        record_id=record_id, organization_id=organization_id, **values)
    row = session.execute(statement.on_conflict_do_update(
        index_elements=[record_images.c.record_id],
        set_={**values, "uploaded_at": func.now()},
    ).returning(record_images.c.record_id, record_images.c.content_type,
                record_images.c.byte_size, record_images.c.uploaded_at)).mappings().one()
    return dict(row)
