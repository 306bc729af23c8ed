"""Global search (REC-11): an agency's live records by partial or misspelt name, case number,
e-mail or phone, with filters. Closed and inactive records are found; deleted ones never are
(REC-10: every index here is partial on ``deleted_at IS NULL``).

Three plans, each bounded whatever the agency's size (QUALITY P2: 1,000,000 records):
- no ``q``: newest first, keyset-paginated on the (organization_id, created_at, id) index;
- ``q`` of one or two characters (too short for trigrams): last names starting with it, in
  name order, straight from the (organization_id, sort_name, id) index;
- otherwise: substring matches on ``search_text`` and misspelt-name matches on ``name_text``
  (every word of ``q`` close to a word of the name), each from its (organization_id, trigram)
  GIN index and capped, then ranked: substring matches first, then by word similarity. The cap
  keeps a query that matches half the agency ("gmail") from ranking half the agency; such a
  query shows the best of the capped rows, and a longer query narrows it.

Why these shapes (measured on 1,000,000 generated records, one agency and 100 agencies):
- the GIN indexes lead with organization_id (btree_gin), so that an agency's search never
  rechecks other agencies' candidates (each recheck computes a word similarity, ~30 µs);
- a misspelt multi-word query is one trigram condition per word, which the GIN scan intersects
  (a whole-query condition made 50 times more candidates to recheck);
- the candidate cap is small, as each candidate costs a recheck and a ranking.
Migration records_0003 also tells the planner what the similarity operator costs, so that a
capped query is never planned as a sequential scan betting to find matches early.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    DateTime,
    Uuid,
    and_,
    exists,
    false,
    func,
    literal,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session

from . import cursors
from .models import group_members, record_navigators, records
from .repository import RECORD_COLUMNS

CANDIDATES = 200  # per kind of match, or offset + limit when a later page needs more
MAX_CANDIDATES = 2000  # no page of a ``q`` search starts beyond this many matches
SHORT_QUERY = 3
SHORT_WORD = 2  # words this short say too little to match a misspelt name on their own


def _filters(organization_id: str, filters: dict) -> list:
    conditions = [records.c.organization_id == organization_id, records.c.deleted_at.is_(None)]
    for name in ("status", "kind", "client_type_id"):
        if filters.get(name):
            conditions.append(records.c[name] == filters[name])
    if filters.get("group_id"):
        conditions.append(exists().where(group_members.c.record_id == records.c.id,
                                         group_members.c.group_id == filters["group_id"]))
    if filters.get("navigator_id"):
        conditions.append(exists().where(record_navigators.c.record_id == records.c.id,
                                         record_navigators.c.user_id == filters["navigator_id"]))
    return conditions


def _like(q: str) -> str:
    return q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(session: Session, organization_id: str, q: str | None, filters: dict, limit: int,
           cursor: str | None) -> tuple[list[dict], str | None]:
    conditions = _filters(organization_id, filters)
    if not q:
        return _newest(session, conditions, limit, cursor)
    if len(q) < SHORT_QUERY:
        return _by_last_name(session, conditions, q, limit, cursor)
    return _matching(session, conditions, q, limit, cursor)


def _newest(session, conditions, limit, cursor):
    position = cursors.decode(cursor, expect="k")
    statement = select(*RECORD_COLUMNS).where(and_(*conditions))
    if position is not None:
        try:
            created_at = datetime.fromisoformat(position[0])
            record_id = uuid.UUID(position[1])
        except (TypeError, ValueError, IndexError, KeyError):
            raise cursors.invalid() from None
        after = tuple_(literal(created_at, DateTime(timezone=True)), literal(record_id, Uuid))
        statement = statement.where(tuple_(records.c.created_at, records.c.id) < after)
    rows = session.execute(statement.order_by(records.c.created_at.desc(), records.c.id.desc())
                           .limit(limit + 1)).mappings().all()
    items = [dict(r) for r in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = cursors.encode({"k": [last["created_at"].isoformat(), str(last["id"])]})
    return items, next_cursor


def _by_last_name(session, conditions, q, limit, cursor):
    offset = cursors.offset(cursor)
    rows = session.execute(
        select(*RECORD_COLUMNS)
        .where(and_(*conditions), records.c.sort_name.like(_like(q) + "%"))
        .order_by(records.c.sort_name, records.c.id).limit(limit + 1).offset(offset)
    ).mappings().all()
    return _offset_page(rows, limit, offset)


def _misspelt(q: str):
    """Every word of ``q`` (but the shortest) close to a word of the name."""
    words = [w for w in q.split() if len(w) > SHORT_WORD]
    if not words:
        return false()
    return and_(*[records.c.name_text.op("%>")(word) for word in words])


def _matching(session, conditions, q, limit, cursor):
    offset = cursors.offset(cursor)
    if offset + limit > MAX_CANDIDATES:
        return [], None
    cap = max(CANDIDATES, offset + limit + 1)
    substring = (select(records.c.id, records.c.name_text)
                 .where(*conditions, records.c.search_text.like("%" + _like(q) + "%"))
                 .limit(cap).cte("substring").prefix_with("MATERIALIZED"))
    misspelt = (select(records.c.id, records.c.name_text)
                .where(*conditions, _misspelt(q))
                .limit(cap).cte("misspelt").prefix_with("MATERIALIZED"))
    candidates = union_all(
        select(substring.c.id, substring.c.name_text, literal(1).label("exact")),
        select(misspelt.c.id, misspelt.c.name_text, literal(0).label("exact"))
        .where(misspelt.c.id.not_in(select(substring.c.id))),
    ).subquery("candidates")
    rank = func.word_similarity(q, candidates.c.name_text)
    ranked = (select(candidates.c.id, candidates.c.exact, rank.label("rank"))
              .order_by(candidates.c.exact.desc(), rank.desc(), candidates.c.id)
              .limit(limit + 1).offset(offset).subquery("ranked"))
    rows = session.execute(
        select(*RECORD_COLUMNS).join_from(ranked, records, records.c.id == ranked.c.id)
        .order_by(ranked.c.exact.desc(), ranked.c.rank.desc(), records.c.id)
    ).mappings().all()
    return _offset_page(rows, limit, offset)


def _offset_page(rows, limit, offset):
    items = [dict(r) for r in rows[:limit]]
    more = len(rows) > limit
    return items, cursors.encode({"o": offset + limit}) if more else None
