"""Who the clients of a mass send (or of one message) are (NOT-5, NOT-7): one statement for a
group's members or for up to 10,000 given records, never a query per record."""

from __future__ import annotations

from sqlalchemy import Uuid, bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from ..models import group_members, groups, records

COLUMNS = (records.c.id.label("record_id"), records.c.kind, records.c.status,
           records.c.portal_status, records.c.email, records.c.first_name,
           func.concat_ws(" ", records.c.first_name, records.c.last_name).label("name"))
LIVE = records.c.deleted_at.is_(None)


def of_records(session: Session, organization_id: str, record_ids: list[str]) -> list[dict]:
    """The agency's live records among ``record_ids``, in the order given."""
    given = func.unnest(bindparam("ids", type_=ARRAY(Uuid))).table_valued(
        "id", with_ordinality="position").render_derived("given")
    query = (select(*COLUMNS).select_from(given.join(records, records.c.id == given.c.id))
             .where(records.c.organization_id == organization_id, LIVE)
             .order_by(literal_column("given.position")))
    return [dict(row) for row in session.execute(query, {"ids": record_ids}).mappings()]


def of_group(session: Session, organization_id: str, group_id: str) -> list[dict] | None:
    """The live members of the agency's group, by name; None when it has no such group."""
    found = session.execute(select(groups.c.id).where(
        groups.c.id == group_id, groups.c.organization_id == organization_id)).first()
    if found is None:
        return None
    query = (select(*COLUMNS).select_from(group_members.join(
        records, records.c.id == group_members.c.record_id))
        .where(group_members.c.group_id == group_id,
               group_members.c.organization_id == organization_id,
               records.c.organization_id == organization_id, LIVE)
        .order_by(records.c.last_name, records.c.first_name, records.c.id))
    return [dict(row) for row in session.execute(query).mappings()]
