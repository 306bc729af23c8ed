"""Errors to ``application/problem+json``, in one place (API.md "Conventions")."""

from __future__ import annotations

import json
import logging

from werkzeug.wrappers import Response

from casework.errors import CaseworkError

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"

# A validation error lists at most this many fields, in at most about this many bytes; the rest
# are counted in ``errors_omitted`` (a body with 600,000 unknown keys once answered 18 MB).
MAX_ERROR_FIELDS = 50
MAX_ERRORS_BYTES = 8 * 1024
MAX_MESSAGES = 5  # messages of one field
MAX_DEPTH = 4  # of a nested field's errors
MAX_MESSAGE_CHARS = 300


def problem_body(status: int, code: str, title: str, detail: str | None = None,
                 errors: dict | None = None, **extra) -> dict:
    """The problem+json document: RFC 9457 members, the stable ``code``, field ``errors``
    (bounded) and extension members."""
    body = {"type": f"https://casework.example/problems/{code}", "title": title,
            "status": status, "detail": detail or title, "code": code}
    if errors:
        body["errors"], omitted = bounded_errors(errors)
        if omitted:
            body["errors_omitted"] = omitted
            body["detail"] = f"{body['detail']} ({omitted} more fields not listed)"
    body.update(extra)
    return body


def problem(status: int, code: str, title: str, detail: str | None = None,
            errors: dict | None = None, request_id: str | None = None,
            headers: dict | None = None, **extra) -> Response:
    body = problem_body(status, code, title, detail, errors, **extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM)
    if request_id:
        response.headers["X-Request-Id"] = request_id
    for name, value in (headers or {}).items():
        response.headers[name] = str(value)
    return response


def bounded_errors(errors: dict) -> tuple[dict, int]:
    """At most MAX_ERROR_FIELDS fields of ``errors`` in about MAX_ERRORS_BYTES, each field's
    messages shortened; answers them and how many fields were left out."""
    kept: dict = {}
    size = 0
    for index, (name, messages) in enumerate(errors.items()):
        if len(kept) >= MAX_ERROR_FIELDS:
            return kept, len(errors) - index
        name, messages = _short(str(name)), _shortened(messages)
        cost = len(json.dumps({name: messages}, default=str))
        if cost > MAX_ERRORS_BYTES // 4:  # one field with a great many nested errors
            messages = ["too many errors to list"]
            cost = len(json.dumps({name: messages}))
        if size + cost > MAX_ERRORS_BYTES:
            return kept, len(errors) - index
        kept[name] = messages
        size += cost
    return kept, 0


def _shortened(messages, depth: int = 0):
    if isinstance(messages, dict):
        if depth >= MAX_DEPTH:
            return [f"{len(messages)} nested errors not listed"]
        items = list(messages.items())
        shown = {_short(str(key)): _shortened(value, depth + 1)
                 for key, value in items[:MAX_ERROR_FIELDS]}
        if len(items) > MAX_ERROR_FIELDS:
            shown["_omitted"] = [f"{len(items) - MAX_ERROR_FIELDS} more not listed"]
        return shown
    if isinstance(messages, (list, tuple)):
        shown = [_shortened(item, depth + 1) for item in messages[:MAX_MESSAGES]]
        if len(messages) > MAX_MESSAGES:
            shown.append(f"{len(messages) - MAX_MESSAGES} more not listed")
        return shown
    return _short(str(messages))


def _short(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE_CHARS else text[:MAX_MESSAGE_CHARS] + "..."


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
