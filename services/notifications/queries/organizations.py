"""What notifications keeps of each agency (from identity's events)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from ..domain import Agency
from ..models import organizations


def remember_created(session, organization_id, name: str, at) -> None:
    """A new agency; a settings event that arrived first already holds it (and is newer)."""
    session.execute(insert(organizations).values(
        id=organization_id, name=name, changed_at=at).on_conflict_do_nothing())


def remember_settings(session, organization_id, name: str, sender_name, welcome_template,
                      at, suppress_closed_records: bool | None = None) -> None:
    """The agency's mail settings (and NOT-2's ``suppress_closed_records``, unless the event
    predates it: None keeps what is held) as of ``at``; an older event than the one kept
    loses."""
    statement = insert(organizations).values(
        id=organization_id, name=name, sender_name=sender_name,
        welcome_template=welcome_template, changed_at=at,
        suppress_closed_records=bool(suppress_closed_records))
    set_ = {"name": statement.excluded.name, "sender_name": statement.excluded.sender_name,
            "welcome_template": statement.excluded.welcome_template,
            "changed_at": statement.excluded.changed_at}
    if suppress_closed_records is not None:
        set_["suppress_closed_records"] = statement.excluded.suppress_closed_records
    session.execute(statement.on_conflict_do_update(
        index_elements=[organizations.c.id], set_=set_,
        where=organizations.c.changed_at < statement.excluded.changed_at))


def get_agency(session, organization_id) -> Agency | None:
    if organization_id is None:
        return None
    row = session.execute(
        select(organizations.c.name, organizations.c.sender_name,
               organizations.c.welcome_template)
        .where(organizations.c.id == organization_id)).first()
    return Agency(row.name, row.sender_name, row.welcome_template) if row else None
