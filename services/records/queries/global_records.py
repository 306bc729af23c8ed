"""Records as copies of a client's global record (ID-4), as the portal sees them (ID-6), and
candidates for the duplicates matcher (INV-6). The portal's queries filter on the caller's
global record: another client's record is not found, exactly like an unknown one (S1)."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import (
    Integer,
    String,
    Text,
    bindparam,
    case,
    cast,
    func,
    insert,
    intersect,
    literal,
    select,
    true,
    tuple_,
    union,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, array
from sqlalchemy.orm import Session

from ..domain import phone_key, sort_name
from ..models import audit_entries, name_words, record_name_words, records
from .search import WORD_BREAK

PORTAL_COLUMNS = [
    records.c.id, records.c.organization_id, records.c.kind, records.c.first_name,
    records.c.last_name, (records.c.first_name + " " + records.c.last_name).label("name"),
    records.c.email, records.c.phones, records.c.preferred_contact_methods,
    records.c.date_of_birth, records.c.case_number, records.c.status, records.c.portal_status,
    records.c.updated_at,
]


def _pairs(linked: list[dict]):
    return tuple_(records.c.organization_id, records.c.id).in_(
        [(str(r["organization_id"]), str(r["record_id"])) for r in linked])


def lock_copies(session: Session, linked: list[dict]) -> dict[str, dict]:
    """The linked records, locked for this transaction, by id."""
    if not linked:
        return {}
    rows = session.execute(
        select(records).where(_pairs(linked)).order_by(records.c.id).with_for_update()
    ).mappings()
    return {str(r["id"]): dict(r) for r in rows}


def take_field(session: Session, linked: list[dict], global_record_id: str, name: str, value,
               version: int) -> list[str]:
    """Sets ``name`` on every linked copy whose version of it is lower than ``version``; the
    comparison is the statement's own, so a late or repeated delivery changes nothing (F9).
    Answers the ids of the copies that took it."""
    column = records.c[name]
    taken = session.execute(
        update(records)
        .where(_pairs(linked),
               func.coalesce(cast(records.c.global_versions[name].astext, Integer), 0)
               < version)
        .values({column: value,
                 records.c.global_versions: records.c.global_versions.op("||")(
                     func.jsonb_build_object(name, version).cast(JSONB)),
                 records.c.global_record_id: global_record_id,
                 records.c.updated_at: func.now()})
        .returning(records.c.id)
    ).scalars()
    return [str(record_id) for record_id in taken]


def set_search_columns(session: Session, rows: list[dict]) -> None:
    """The derived search columns of several records (``record_id`` and the columns)."""
    if rows:
        session.execute(
            update(records).where(records.c.id == bindparam("b_record_id"))
            .values(search_text=bindparam("b_search_text"), name_text=bindparam("b_name_text"),
                    sort_name=bindparam("b_sort_name")),
            [{f"b_{key}": value for key, value in row.items()} for row in rows])


def audit_changes(session: Session, rows: list[dict]) -> None:
    """The audit rows of the copies a global record change reached (REC-15), in one insert;
    the actor is the client (no staff user)."""
    if rows:
        session.execute(insert(audit_entries), rows)


def current_values(session: Session, record_ids: list[str]) -> list[dict]:
    rows = session.execute(select(records).where(records.c.id.in_(record_ids))).mappings()
    return [dict(r) for r in rows]


def portal_statuses(session: Session, global_record_id: str) -> list[dict]:
    rows = session.execute(
        select(records.c.id.label("record_id"), records.c.organization_id,
               records.c.portal_status)
        .where(records.c.global_record_id == global_record_id, records.c.deleted_at.is_(None))
    ).mappings()
    return [dict(r) for r in rows]


def portal_record(session: Session, global_record_id: str, record_id: str) -> dict | None:
    """The record if it is a copy of the caller's global record: another client's record is
    not found, exactly like an unknown one (S1)."""
    row = session.execute(select(*PORTAL_COLUMNS).where(
        records.c.id == record_id, records.c.global_record_id == global_record_id,
        records.c.deleted_at.is_(None))).mappings().first()
    return dict(row) if row else None


# a record with the person's date of birth is a candidate when its name is at least this close
# (pg_trgm similarity of the whole names): "amy richadson" to "amy richardson" is 0.6, to any
# other Amy about 0.2; without it every client born that day (34 a day in 1,000,000) would be
DOB_NAME_SIMILARITY = 0.3


def candidates(session: Session, organization_id: str, person: dict, limit: int) -> list[dict]:
    """The agency's live records that may be the person, best first: the same e-mail (in any
    case: the agency's index of lower-cased e-mails), the same phone key (the index of the
    records' ``records.phone_keys``), a name made of words close to each of the person's (the
    agency's distinct name words, as misspelt-name search finds them, paired into sort names
    looked up in the agency's sort-name index: every record of such a name, however common its
    words; and the records carrying such words, where few enough carry them), or the same date
    of birth with a name at least a little alike (the agency's birth-date index). Every path
    starts from an index of the agency and reads a bounded part of it, whatever the agency's
    size (P10); the candidates are ranked by the name's similarity, the e-mail, the phone and
    the date of birth, as the matcher weighs them. The statement is built once per shape of
    question (which of these the person gives): building it took longer than PostgreSQL took
    to run it."""
    phone = phone_key(person.get("phone"))
    words = [w for w in (_first_word(person.get("first_name")),
                         _first_word(person.get("last_name"))) if len(w) >= 3]
    name = " ".join(p.strip() for p in (person.get("first_name"), person.get("last_name"))
                    if p and p.strip()).lower()
    values = {"organization_id": organization_id,
              "email": (person.get("email") or "").strip().lower() or None,
              "phone": phone if len(phone) >= 5 else None,
              "first_word": words[0] if words else None,
              "second_word": words[1] if len(words) > 1 else None,
              "sort_name": sort_name(person.get("first_name") or "",
                                     person.get("last_name") or ""),
              "name": name or None, "born": person.get("date_of_birth")}
    statement = _candidates_statement(
        bool(values["email"]), bool(values["phone"]), len(words), bool(name),
        bool(values["born"]), limit)
    if statement is None:
        return []
    return [dict(r) for r in session.execute(statement, values).mappings()]


@lru_cache(maxsize=64)
def _candidates_statement(email: bool, phone: bool, words: int, named: bool, born: bool,
                          limit: int):
    """The candidate query for one shape of question, its values bound by name."""
    organization_id = bindparam("organization_id", type_=records.c.organization_id.type)
    live = [records.c.organization_id == organization_id, records.c.deleted_at.is_(None)]
    email_value, phone_value = bindparam("email", type_=String), bindparam("phone", type_=Text)
    born_value = bindparam("born", type_=records.c.date_of_birth.type)
    first, second = bindparam("first_word", type_=String), bindparam("second_word", type_=String)
    similarity = (func.similarity(records.c.name_text, bindparam("name", type_=String))
                  if named else literal(0.0))
    paths = []
    if email:
        paths.append(select(records.c.id).where(
            *live, func.lower(records.c.email) == email_value).limit(limit))
    phone_keys = func.records.phone_keys(records.c.phones, type_=ARRAY(Text))
    same_phone = phone_keys.contains(cast(array([phone_value]), ARRAY(Text)))
    if phone:
        paths.append(select(records.c.id).where(
            *live, same_phone).limit(limit))
    if words > 1:
        # the agency's records of that name, or of one made of words close to each of the
        # person's ("marie smyth" finds "Mary Smith"), however many share each word ...
        paths.append(select(records.c.id).where(*live, records.c.sort_name.in_(
            _names_like(organization_id, first, second))).limit(limit * 10))
        # ... and, where few enough share them to be read, the records carrying a word close
        # to each (a name of several words: "Mary Ann Smith-Jones")
        paths.append(intersect(*[_carrying_a_word_like(organization_id, w, limit)
                                 for w in (first, second)]))
    elif words:
        paths.append(_carrying_a_word_like(organization_id, first, limit))
    if born and named:
        paths.append(select(records.c.id).where(
            *live, records.c.date_of_birth == born_value,
            similarity >= DOB_NAME_SIMILARITY).limit(limit * 10))
    if not paths:
        return None
    ids = union(*paths).subquery() if len(paths) > 1 else paths[0].subquery()
    rank = similarity
    if email:
        rank = rank + case((func.lower(records.c.email) == email_value, 1.0), else_=0.0)
    if phone:
        rank = rank + case((same_phone, 1.0), else_=0.0)
    if born:
        rank = rank + case((records.c.date_of_birth == born_value, 0.5), else_=0.0)
    return (select(records.c.id, records.c.first_name, records.c.last_name, records.c.email,
                   records.c.phones, records.c.date_of_birth, records.c.case_number,
                   records.c.name_text, similarity.label("name_similarity"))
            .where(*live, records.c.id.in_(select(ids.c.id)))
            .order_by(rank.desc(), records.c.id).limit(limit))


def _first_word(text_: str | None) -> str:
    parts = WORD_BREAK.split((text_ or "").strip().lower())
    return next((p for p in parts if p), "")


def _carrying_a_word_like(organization_id, word, limit: int):
    """Records with a name word close to ``word`` (pg_trgm's similarity threshold)."""
    return select(record_name_words.c.record_id.label("id")).where(
        record_name_words.c.organization_id == organization_id,
        record_name_words.c.word.in_(_close_words(organization_id, word))).limit(limit * 10)


def _close_words(organization_id, word):
    return select(name_words.c.word).where(name_words.c.organization_id == organization_id,
                                           name_words.c.word.op("%")(word))


def _names_like(organization_id, first, last):
    """The sort names (``last first``, lower-cased) of the person's name and of every pair of
    the agency's name words close to their first and last name words: a few dozen at most,
    each then one probe of the agency's sort-name index."""
    given, family = name_words.alias("given"), name_words.alias("family")
    return union(
        select(bindparam("sort_name", type_=String).label("name")),
        # every pair: a cross join of the close family names and the close given names
        select((family.c.word + " " + given.c.word).label("name"))
        .join_from(family, given, true())
        .where(family.c.organization_id == organization_id, family.c.word.op("%")(last),
               given.c.organization_id == organization_id, given.c.word.op("%")(first)))


def invitation_target(session: Session, organization_id: str, record_id: str) -> dict | None:
    row = session.execute(
        select(records.c.id.label("record_id"), records.c.first_name, records.c.last_name,
               records.c.email, records.c.phones, records.c.preferred_contact_methods,
               records.c.portal_status, records.c.global_record_id)
        .where(records.c.id == record_id, records.c.organization_id == organization_id,
               records.c.deleted_at.is_(None))
    ).mappings().first()
    return dict(row) if row else None
