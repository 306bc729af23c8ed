"""Errors to ``application/problem+json``, in one place (API.md "Conventions")."""

from __future__ import annotations

import json
import logging

from werkzeug.wrappers import Response

from casework.errors import CaseworkError

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"


def problem(status: int, code: str, title: str, detail: str | None = None,
            errors: dict | None = None, request_id: str | None = None,
            headers: dict | None = None, **extra) -> Response:
    body = {"type": f"https://casework.example/problems/{code}", "title": title,
            "status": status, "detail": detail or title, "code": code}
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM)
    if request_id:
        response.headers["X-Request-Id"] = request_id
    for name, value in (headers or {}).items():
        response.headers[name] = str(value)
    return response


def from_error(exc: CaseworkError, request_id: str | None) -> Response:
    headers = {}
    retry_after = exc.extra.get("retry_after") if exc.extra else None
    if retry_after is not None:
        headers["Retry-After"] = int(retry_after)
    extra = {k: v for k, v in (exc.extra or {}).items() if k != "retry_after"}
    return problem(exc.status, exc.code, exc.title, exc.detail, exc.errors or None,
                   request_id, headers, **extra)


def internal(request_id: str | None) -> Response:
    return problem(500, "internal_error", "Internal error",
                   "something went wrong on our side; quote the request id", None, request_id)
