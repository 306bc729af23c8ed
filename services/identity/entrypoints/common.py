"""What identity's entrypoints share: reading a list's page parameters."""

from __future__ import annotations

from casework import cursors
from casework.validation import load
from contracts.common import ListQuerySchema

LIST_QUERY = ListQuerySchema()


def page_params(params) -> tuple[int, int]:
    """``limit`` and the offset of the cursor (API.md "Lists"); 422 for a cursor we never gave."""
    query = load(LIST_QUERY, params)
    return query["limit"], cursors.offset(query["cursor"])
