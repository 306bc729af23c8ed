"""What notifications knows of the rest of the agency, kept from events (records.events,
identity.events): its records (kind, case number, status, deleted, portal status), their
navigators, its staff users, and each agency's time zone (its NOT-2 setting comes with its mail
settings, ``organizations.remember_settings``).

Every copy is applied once (the consumer's inbox) and an older event never overwrites a newer
copy: each group of fields keeps the ``occurred_at`` of the event that set it (``status_at``,
``deleted_at``, ``portal_status_at``, ``case_number_at``; a navigator's and a staff user's
``changed_at``) and an event older than that changes nothing (events may arrive out of order:
retries, redeliveries, two instances). Ties apply, so that of two events of one transaction the
later applied wins.

Read by the delivery rules and by other notifications code (the messages helper): ``record_of``,
``navigators_of``, ``care_team``, ``staff_user``.
"""

from __future__ import annotations

from sqlalchemy import String, and_, case, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ..models import emails, navigators, organizations, records, staff_users

# the groups of a record's fields that events set, each with its own time
RECORD_GROUPS = {
    "status": ("status_at", ("status",)),
    "deleted": ("deleted_at", ("deleted",)),
    "portal_status": ("portal_status_at", ("portal_status",)),
    "case_number": ("case_number_at", ("case_number",)),
}


def remember_record(session: Session, organization_id, record_id, *, kind: str | None, at,
                    case_number: str | None = None, **values) -> None:
    """Apply what an event says of a record as of ``at``: ``status``, ``deleted``,
    ``portal_status`` or ``case_number`` (``record_created`` and a renumbering's
    ``record_updated``), with its kind (``portal_status_changed`` names none). A group set by a
    newer event stays; a record of another agency under the same id is never touched."""
    if case_number is not None:
        values["case_number"] = case_number
    groups = [name for name in RECORD_GROUPS if name in values]
    row = {"id": record_id, "organization_id": organization_id, "kind": kind,
           "changed_at": at, **values}
    for name in groups:
        row[RECORD_GROUPS[name][0]] = at
    statement = insert(records).values(**row)
    excluded = statement.excluded
    set_ = {"kind": func.coalesce(excluded.kind, records.c.kind),
            "changed_at": func.greatest(records.c.changed_at, excluded.changed_at)}
    for name in groups:
        stamp, fields = RECORD_GROUPS[name]
        newer = func.coalesce(records.c[stamp], func.to_timestamp(0)) <= excluded[stamp]
        for field in fields:
            set_[field] = _case(newer, excluded[field], records.c[field])
        set_[stamp] = _case(newer, excluded[stamp], records.c[stamp])
    session.execute(statement.on_conflict_do_update(
        index_elements=[records.c.id], set_=set_,
        where=records.c.organization_id == excluded.organization_id))


def _case(condition, then, otherwise):
    return case((condition, then), else_=otherwise)


def set_navigator(session: Session, organization_id, record_id, user_id, *, assigned: bool,
                  at) -> None:
    """The user is (or no longer is) a navigator of the record as of ``at``; a newer
    assignment or unassignment already applied stays."""
    statement = insert(navigators).values(organization_id=organization_id, record_id=record_id,
                                          user_id=user_id, assigned=assigned, changed_at=at)
    session.execute(statement.on_conflict_do_update(
        index_elements=[navigators.c.record_id, navigators.c.user_id],
        set_={"assigned": statement.excluded.assigned,
              "changed_at": statement.excluded.changed_at},
        where=(navigators.c.changed_at <= statement.excluded.changed_at)
        & (navigators.c.organization_id == statement.excluded.organization_id)))


def remember_staff_user(session: Session, organization_id, user: dict, at) -> bool:
    """Insert or update the user as of ``at``; an older event than the copy changes nothing.
    Answers whether the copy changed (False for an older event)."""
    values = {"id": user["user_id"], "organization_id": organization_id,
              "email": user.get("email"), "name": user.get("name"), "role": user.get("role"),
              "active": user["active"],
              "allow_client_initiated_contact": bool(user.get("allow_client_initiated_contact")),
              "changed_at": at}
    statement = insert(staff_users).values(**values)
    changed = session.execute(statement.on_conflict_do_update(
        index_elements=[staff_users.c.id],
        set_={k: statement.excluded[k] for k in values if k != "id"},
        where=(staff_users.c.changed_at <= statement.excluded.changed_at)
        & (staff_users.c.organization_id == statement.excluded.organization_id))
        .returning(staff_users.c.id)).first()
    return changed is not None


def remember_timezone(session: Session, organization_id, name: str, timezone: str | None,
                      at) -> None:
    """The agency's time zone as of ``at`` (``organization_created``, ``organization_updated``),
    kept with its own time: the mail settings' events do not carry it."""
    statement = insert(organizations).values(id=organization_id, name=name,
                                              timezone=timezone or "UTC", timezone_at=at,
                                              # the mail settings' time: none applied yet
                                              changed_at=func.to_timestamp(0))
    session.execute(statement.on_conflict_do_update(
        index_elements=[organizations.c.id],
        set_={"timezone": statement.excluded.timezone,
              "timezone_at": statement.excluded.timezone_at},
        where=func.coalesce(organizations.c.timezone_at, func.to_timestamp(0))
        <= statement.excluded.timezone_at))


# --- reads (the contract with the messages helper) ----------------------------------------

def record_of(session: Session, org_id, record_id) -> dict | None:
    """The agency's record as notifications knows it: ``id``, ``organization_id``, ``kind``,
    ``case_number``, ``status``, ``deleted``, ``portal_status``, ``changed_at``; None if no
    event about it (in this agency) has arrived."""
    row = session.execute(select(
        records.c.id, records.c.organization_id, records.c.kind, records.c.case_number,
        records.c.status, records.c.deleted, records.c.portal_status, records.c.changed_at)
        .where(records.c.organization_id == org_id, records.c.id == record_id)).mappings().first()
    return dict(row) if row else None


def navigators_of(session: Session, org_id, record_id) -> list[str]:
    """The ids of the record's assigned navigators (as text), in a stable order."""
    rows = session.execute(select(navigators.c.user_id).where(
        navigators.c.organization_id == org_id, navigators.c.record_id == record_id,
        navigators.c.assigned.is_(True)).order_by(navigators.c.user_id)).scalars()
    return [str(r) for r in rows]


def care_team(session: Session, org_id, record_id) -> list[dict]:
    """The record's navigators with what NOT-6 needs: ``user_id``, ``name``, ``active``,
    ``allow_client_initiated_contact`` (a navigator whose staff user has not arrived yet is left
    out: nobody can address them)."""
    rows = session.execute(select(
        staff_users.c.id.label("user_id"), staff_users.c.name, staff_users.c.active,
        staff_users.c.allow_client_initiated_contact)
        .select_from(navigators.join(staff_users, and_(
            staff_users.c.id == navigators.c.user_id,
            staff_users.c.organization_id == navigators.c.organization_id)))
        .where(navigators.c.organization_id == org_id, navigators.c.record_id == record_id,
               navigators.c.assigned.is_(True))
        .order_by(staff_users.c.name, staff_users.c.id)).mappings()
    return [{**dict(r), "user_id": str(r["user_id"])} for r in rows]


def staff_user(session: Session, org_id, user_id) -> dict | None:
    """The agency's staff user: ``id``, ``organization_id``, ``email``, ``name``, ``role``,
    ``active``, ``allow_client_initiated_contact``, ``changed_at``; None if unknown."""
    row = session.execute(select(staff_users).where(
        staff_users.c.organization_id == org_id, staff_users.c.id == user_id)).mappings().first()
    return dict(row) if row else None


def organization_of(session: Session, org_id) -> dict | None:
    row = session.execute(select(
        organizations.c.id, organizations.c.name, organizations.c.suppress_closed_records,
        organizations.c.timezone).where(organizations.c.id == org_id)).mappings().first()
    return dict(row) if row else None


def inactive_among(session: Session, org_id, user_ids) -> set[str]:
    """Which of ``user_ids`` are staff users the agency made inactive."""
    if not user_ids:
        return set()
    rows = session.execute(select(staff_users.c.id).where(
        staff_users.c.organization_id == org_id, staff_users.c.id.in_(list(user_ids)),
        staff_users.c.active.is_(False))).scalars()
    return {str(r) for r in rows}


def status_at(session: Session, org_id, record_id):
    """When the record's copy last took a status (None: never)."""
    return session.execute(select(records.c.status_at).where(
        records.c.organization_id == org_id, records.c.id == record_id)).scalar()


def is_navigator(session: Session, org_id, record_id, user_id) -> bool:
    return str(user_id) in navigators_of(session, org_id, record_id)


def unwelcomed_staff(session: Session, org_id) -> list[dict]:
    """The agency's active staff users with an address and no welcome e-mail queued (NOT-4)."""
    welcomed = select(emails.c.id).where(
        emails.c.key == func.concat("staff_welcome:", func.cast(staff_users.c.id, String)))
    rows = session.execute(select(staff_users.c.id, staff_users.c.email, staff_users.c.name)
                           .where(staff_users.c.organization_id == org_id,
                                  staff_users.c.active.is_(True),
                                  staff_users.c.email.is_not(None), ~welcomed.exists()))
    return [dict(r._mapping) for r in rows]
