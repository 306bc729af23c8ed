"""Global search (REC-11): an agency's live records by partial or misspelt name, case number,
e-mail or phone, with filters. Closed and inactive records are found; deleted ones never are
(REC-10: every index here is partial on ``deleted_at IS NULL``).

Three plans, each bounded whatever the agency's size (QUALITY P2: 1,000,000 records):
- no ``q``: newest first, keyset-paginated on the (organization_id, created_at, id) index;
- ``q`` of one or two characters (too short for trigrams): last names starting with it, in
  name order, straight from the (organization_id, sort_name, id) index;
- otherwise: substring matches on ``search_text`` from its (organization_id, trigram) GIN
  index, and misspelt-name matches: every word of ``q`` close to a word of the name. Those go
  through the agency's distinct name words (``name_words``, trigram GIN): each word of ``q`` is
  matched against the words, then the records carrying a matched word of every ``q`` word come
  from ``record_name_words`` (best-matching words first). Both kinds are capped, then ranked:
  substring matches first, then by word similarity to the whole name. The cap keeps a query
  that matches half the agency ("gmail") from ranking half the agency; such a query shows the
  best of the capped rows, and a longer query narrows it. The cap is the same for every page,
  so that the pages of one search rank the same candidates (a cap growing with the page made
  later pages repeat and skip rows); a search that hit it says so on every page
  (``truncated``, with how to narrow it) rather than ending quietly.

Why these shapes (measured on 1,000,000 generated records, one agency and 100 agencies):
- the GIN indexes lead with organization_id (btree_gin), so that an agency's search never
  rechecks other agencies' candidates (each recheck computes a word similarity, ~30 µs);
- a misspelt surname common in a large agency ("thompsn") matched 9,000+ records' names by
  trigrams, each rechecked (13 to 35 ms); the agency's distinct words are a few thousand short
  rows, and the matched words lead to their records through a btree;
- the candidate cap is small, as each candidate costs a ranking.
Migration records_0003 also tells the planner what the similarity operator costs, so that a
capped query is never planned as a sequential scan betting to find matches early.

The statements are built once per shape (which filters, how many words) with bound parameters:
building them per request was a fifth of the service's CPU under the P2 benchmark.
"""

from __future__ import annotations

import re
import string
import uuid
from datetime import datetime
from functools import lru_cache

from sqlalchemy import (
    DateTime,
    Integer,
    String,
    Uuid,
    and_,
    bindparam,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session

from casework import cursors

from ..models import group_members, name_words, record_name_words, record_navigators, records
from .records import RECORD_COLUMNS

CANDIDATES = 200  # matches ranked per kind (substring, misspelt name), for every page
SHORT_QUERY = 3
SHORT_WORD = 2  # words this short say too little to match a misspelt name on their own
MAX_WORDS = 6  # the first words of ``q`` matched as names (a name has fewer; bounds the work)
# where names and queries break into words: spaces and ASCII punctuation, as the name words are
# made in the database (records.name_words_of, migration records_0005)
WORD_BREAK = re.compile(f"[\\s{re.escape(string.punctuation)}]+")
FILTERS = ("status", "kind", "client_type_id", "group_id", "navigator_id")

ORGANIZATION = bindparam("organization_id", type_=Uuid)
NO_SEQUENTIAL_SCAN = text("SET LOCAL enable_seqscan = off")


def _conditions(present: tuple[str, ...]) -> list:
    """The agency's live records, with the filters that are ``present`` as parameters."""
    conditions = [records.c.organization_id == ORGANIZATION, records.c.deleted_at.is_(None)]
    for name in ("status", "kind", "client_type_id"):
        if name in present:
            conditions.append(records.c[name] == bindparam(name, type_=records.c[name].type))
    if "group_id" in present:
        conditions.append(exists().where(
            group_members.c.record_id == records.c.id,
            group_members.c.group_id == bindparam("group_id", type_=Uuid)))
    if "navigator_id" in present:
        conditions.append(exists().where(
            record_navigators.c.record_id == records.c.id,
            record_navigators.c.user_id == bindparam("navigator_id", type_=Uuid)))
    return conditions


def _like(q: str) -> str:
    return q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(session: Session, organization_id: str, q: str | None, filters: dict, limit: int,
           cursor: str | None) -> tuple[list[dict], str | None, bool]:
    """A page, its next cursor and whether the result was capped (a ``q`` search that matched
    more than ``CANDIDATES`` records of a kind: only those found first are ranked)."""
    present = tuple(name for name in FILTERS if filters.get(name))
    params = {"organization_id": organization_id, **{name: filters[name] for name in present}}
    if not q:
        return (*_newest(session, present, params, limit, cursor), False)
    if len(q) < SHORT_QUERY:
        return (*_by_last_name(session, present, params, q, limit, cursor), False)
    return _matching(session, present, params, q, limit, cursor)


def _newest(session, present, params, limit, cursor):
    position = cursors.decode(cursor, expect="k")
    statement = select(*RECORD_COLUMNS).where(and_(*_conditions(present)))
    if position is not None:
        try:
            created_at = datetime.fromisoformat(position[0])
            record_id = uuid.UUID(position[1])
        except (TypeError, ValueError, IndexError, KeyError):
            raise cursors.invalid() from None
        after = tuple_(literal(created_at, DateTime(timezone=True)), literal(record_id, Uuid))
        statement = statement.where(tuple_(records.c.created_at, records.c.id) < after)
    rows = session.execute(statement.order_by(records.c.created_at.desc(), records.c.id.desc())
                           .limit(limit + 1), params).mappings().all()
    items = [dict(r) for r in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = cursors.encode({"k": [last["created_at"].isoformat(), str(last["id"])]})
    return items, next_cursor


def _by_last_name(session, present, params, q, limit, cursor):
    offset = cursors.offset(cursor)
    rows = session.execute(
        select(*RECORD_COLUMNS)
        .where(and_(*_conditions(present)), records.c.sort_name.like(_like(q) + "%"))
        .order_by(records.c.sort_name, records.c.id).limit(limit + 1).offset(offset), params
    ).mappings().all()
    return _offset_page(rows, limit, offset)


def _close_words(i: int):
    """The agency's name words close to the parameter ``word_<i>``, best first. Close: part of
    the word typed ("thomps", "lovlace": word similarity), or the whole word with letters
    swapped ("jonhson" for "johnson": similarity); both come from the trigram index of the
    agency's words."""
    word = bindparam(f"word_{i}", type_=String)
    return (select(name_words.c.word)
            .where(name_words.c.organization_id == ORGANIZATION,
                   or_(name_words.c.word.op("%>")(word), name_words.c.word.op("%")(word)))
            .order_by(func.greatest(func.word_similarity(word, name_words.c.word),
                                    func.similarity(word, name_words.c.word)).desc())
            .cte(f"words_{i}").prefix_with("MATERIALIZED"))


# each live record's name words, as the GIN index ix_records_name_word_array has them
NAME_WORD_ARRAY = func.records.name_word_array(records.c.name_text)


def _misspelt(conditions: list, words: int):
    """Live records with, for every one of ``words`` parameters, a name word close to it; at
    most ``cap``. One word: the records carrying its matches, those of the best-matching name
    words first, through the (agency, word, record) btree of ``record_name_words``. Several:
    the records whose name words overlap every word's matches, intersected inside the GIN index
    of name word arrays (migration records_0014: hashing each word's carriers took 15 to 45 ms
    for "margret thomps" over 1,000,000 records, the index 2 to 5 ms)."""
    if words == 1:
        close = _close_words(0)
        ids = select(record_name_words.c.record_id).join_from(
            close, record_name_words, and_(record_name_words.c.organization_id == ORGANIZATION,
                                           record_name_words.c.word == close.c.word)
        ).subquery("carriers")
        return (select(records.c.id, records.c.name_text)
                .join_from(ids, records, records.c.id == ids.c.record_id)
                .where(*conditions).limit(bindparam("cap", type_=Integer)))
    overlaps = []
    for i in range(words):
        close = _close_words(i)
        matches = select(func.array_agg(close.c.word)).scalar_subquery()
        overlaps.append(NAME_WORD_ARRAY.op("&&")(matches))
    return (select(records.c.id, records.c.name_text)
            .where(*conditions, *overlaps).limit(bindparam("cap", type_=Integer)))


@lru_cache(maxsize=128)
def _matching_statement(present: tuple[str, ...], words: int):
    """Substring and misspelt-name matches, ranked; ``words`` misspelt words (0: none)."""
    conditions = _conditions(present)
    cap = bindparam("cap", type_=Integer)
    q = bindparam("q", type_=String)
    substring = (select(records.c.id, records.c.name_text)
                 .where(*conditions,
                        records.c.search_text.like(bindparam("pattern", type_=String)))
                 .limit(cap).cte("substring").prefix_with("MATERIALIZED"))
    found = [select(substring.c.id, substring.c.name_text, literal(1).label("exact"))]
    if words:
        misspelt = _misspelt(conditions, words).cte("misspelt").prefix_with("MATERIALIZED")
        found.append(select(misspelt.c.id, misspelt.c.name_text, literal(0).label("exact")))
    candidates = union_all(*found).subquery("candidates")
    # one row per record: found both ways, or through two matched words ("thomas thompson")
    exact = func.max(candidates.c.exact)
    rank = func.max(func.word_similarity(q, candidates.c.name_text))
    ranked = (select(candidates.c.id, exact.label("exact"), rank.label("rank"))
              .group_by(candidates.c.id)
              .order_by(exact.desc(), rank.desc(), candidates.c.id)
              .limit(bindparam("page", type_=Integer)).offset(bindparam("skip", type_=Integer))
              .subquery("ranked"))
    # how many of each kind were found: more than the cap means the result was capped
    found_counts = [select(func.count()).select_from(substring).scalar_subquery()
                    .label("substring_found")]
    if words:
        found_counts.append(select(func.count()).select_from(misspelt).scalar_subquery()
                            .label("misspelt_found"))
    return (select(*RECORD_COLUMNS, *found_counts)
            .join_from(ranked, records, records.c.id == ranked.c.id)
            .order_by(ranked.c.exact.desc(), ranked.c.rank.desc(), records.c.id))


def _matching(session, present, params, q, limit, cursor):
    offset = cursors.offset(cursor)
    words = list(dict.fromkeys(w for w in WORD_BREAK.split(q) if len(w) > SHORT_WORD))
    words = words[:MAX_WORDS]
    statement = _matching_statement(present, len(words))
    # PostgreSQL guesses that 2 % of the rows contain any substring, so with the candidate cap
    # it may bet on a sequential scan finding 200 matches early: a surname held by 0.4 % of
    # 1,000,000 records ("gonzales") then read 54,000 rows (20 to 35 ms). The indexes always
    # serve this statement; the bet is refused for its transaction only.
    session.execute(NO_SEQUENTIAL_SCAN)
    rows = session.execute(statement, {
        **params, **{f"word_{i}": word for i, word in enumerate(words)},
        "q": q, "pattern": "%" + _like(q) + "%", "cap": CANDIDATES + 1,
        "page": limit + 1, "skip": offset,
    }).mappings().all()
    truncated = bool(rows) and any(rows[0].get(kind, 0) > CANDIDATES
                                   for kind in ("substring_found", "misspelt_found"))
    rows = [{k: v for k, v in r.items() if not k.endswith("_found")} for r in rows]
    return (*_offset_page(rows, limit, offset), truncated)


def capped_detail() -> str:
    return (f"this search matched more than {CANDIDATES} records by text or by name, and ranks "
            f"only the first {CANDIDATES} of each found: narrow it with more of the name, a case "
            "number, e-mail or phone, or a filter (status, kind, client_type_id, group_id, "
            "navigator_id)")


def _offset_page(rows, limit, offset):
    items = [dict(r) for r in rows[:limit]]
    more = len(rows) > limit
    return items, cursors.encode({"o": offset + limit}) if more else None
