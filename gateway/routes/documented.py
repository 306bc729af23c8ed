"""Error statuses a route answers beyond its audience's usual ones, for the OpenAPI document."""

from __future__ import annotations

from ..routing import ROUTES


def errors(*statuses: int):
    """Put above ``@route``: marks the route just declared (``openapi`` reads ``errors``)."""

    def mark(fn):
        declared = ROUTES[-1]
        assert declared.name == fn.__name__, "put @errors directly above @route"
        declared.errors = tuple(statuses)
        return fn

    return mark
