"""The gateway's route table: every HTTP route is declared once with ``@route`` and that one
declaration drives the nameko entrypoint, authentication, permission check, validation, error
mapping, the OpenAPI document and the generated isolation matrix in the tests."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import date
from datetime import time as time_of_day
from functools import wraps

from marshmallow import RAISE, Schema
from werkzeug.wrappers import Response

from casework.errors import CaseworkError, MalformedRequest, PayloadTooLarge, ValidationFailed
from casework.logs import bind_correlation_id
from casework.validation import load

from . import metrics
from .problems import from_error, internal
from .web import close_after_response, http

log = logging.getLogger(__name__)

# ``signed_in``: any signed-in person, staff or client (their own account: password, logout)
AUDIENCES = ("staff", "portal", "signed_in", "public", "operator", "ops")


@dataclass
class Route:
    method: str
    path: str  # werkzeug rule, e.g. /api/v1/staff/records/<record_id>
    name: str
    audience: str
    permission: str | None = None
    body: Schema | None = None
    query: Schema | None = None
    responses: dict = field(default_factory=dict)  # status -> Schema or None
    summary: str = ""
    tag: str = ""
    errors: tuple[int, ...] = ()  # error statuses beyond the audience's usual ones (OpenAPI)
    # media types of a raw (non-JSON) body: the handler gets ``body`` as bytes, at most
    # ``max_body_bytes`` (MAX_JSON_BYTES when not given; 413 beyond)
    raw_body: tuple[str, ...] = ()
    max_body_bytes: int | None = None
    # a raw-body route that also takes JSON (``application/json`` in ``raw_body``) describes
    # that variant with this schema in OpenAPI; the handler loads it itself
    raw_json: Schema | None = None

    @property
    def openapi_path(self) -> str:
        import re

        return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", self.path)


ROUTES: list[Route] = []


@dataclass
class Call:
    """What a route handler gets: the authenticated caller and the request."""

    request: object
    request_id: str
    caller: dict | None = None


# Bodies beyond these limits are refused with 413 ``payload_too_large``: by Content-Length
# before anything is read, or after reading one byte more than the limit when the body comes
# chunked. A raw-body route has its own ``max_body_bytes``. JSON nested deeper than
# MAX_JSON_DEPTH is refused with 400 ``malformed_request``.
MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 64


def body_limit(spec: Route) -> int:
    return spec.max_body_bytes if spec.raw_body and spec.max_body_bytes else MAX_JSON_BYTES


def refuse_declared_length(request, limit: int) -> None:
    """413 when the body's Content-Length is over ``limit``: nothing of it is read, and the
    connection closes after the answer."""
    length = request.content_length
    if length is not None and length > limit:
        close_after_response(request)
        raise PayloadTooLarge(f"the body is {length} bytes; at most {limit} are accepted")


def read_body(request, limit: int) -> bytes:
    """The body, at most ``limit`` bytes (413 beyond, also when it comes chunked without a
    Content-Length)."""
    refuse_declared_length(request, limit)
    stream, data = request.stream, bytearray()
    while len(data) <= limit:
        chunk = stream.read(min(65536, limit + 1 - len(data)))
        if not chunk:
            break
        data += chunk
    if len(data) > limit:
        close_after_response(request)
        raise PayloadTooLarge(f"the body is larger than the {limit} bytes accepted")
    request._cached_data = bytes(data)  # what werkzeug's get_data()/get_json() answer
    return request._cached_data


def json_body(request) -> dict:
    if request.mimetype != "application/json":
        raise MalformedRequest("send a JSON body with Content-Type: application/json")
    data = read_body(request, MAX_JSON_BYTES)
    try:
        body = json.loads(data or b"null")
    except RecursionError:
        body = None
        too_deep = True
    except ValueError:
        raise MalformedRequest("the body is not valid JSON") from None
    else:
        too_deep = nesting_exceeds(body, MAX_JSON_DEPTH)
    if too_deep:
        raise MalformedRequest(f"the body nests deeper than {MAX_JSON_DEPTH} levels")
    if not isinstance(body, dict):
        raise MalformedRequest("the body must be a JSON object")
    refuse_unstorable_text(body)
    return body


def nesting_exceeds(value, limit: int) -> bool:
    """Whether arrays and objects in ``value`` nest deeper than ``limit`` (without recursion)."""
    pending = [(value, 1)] if isinstance(value, (dict, list)) else []
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children
                       if isinstance(child, (dict, list)))
    return False


def unstorable_text(value, path: str = "") -> dict[str, list[str]]:
    """Fields whose strings PostgreSQL cannot store: NUL characters, or UTF-16 surrogates that
    JSON's \\u escapes can smuggle in and that no UTF-8 text may hold."""
    if isinstance(value, str):
        if "\x00" in value or not (value.isascii() or _encodable(value)):
            return {path or "_schema": ["must not contain NUL characters or unpaired surrogates"]}
        return {}
    items = value.items() if isinstance(value, dict) else (
        enumerate(value) if isinstance(value, list) else ())
    errors: dict[str, list[str]] = {}
    for key, item in items:
        if isinstance(key, str) and unstorable_text(key):
            errors[path or "_schema"] = ["field names must be plain text"]
        errors.update(unstorable_text(item, f"{path}.{key}" if path else str(key)))
    return errors


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def refuse_unstorable_text(value) -> None:
    errors = unstorable_text(value)
    if errors:
        raise ValidationFailed("text may not contain NUL characters or unpaired surrogates",
                               errors)


def raw_body(request, limit: int) -> bytes:
    """The request body as bytes, refused with 413 beyond ``limit``."""
    return read_body(request, limit)


def plain(value):
    """Loaded values as the JSON they stand for, to forward over RPC: UUIDs, dates and times as
    ISO text; the service loads them again with the same contract."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (date, time_of_day)):
        return value.isoformat()
    return str(value)


def respond(status: int, payload, request_id: str, headers=None) -> Response:
    if payload is None:
        response = Response(status=status)
    else:
        response = Response(json.dumps(payload, default=str), status=status,
                            mimetype="application/json")
    response.headers["X-Request-Id"] = request_id
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def route(method: str, path: str, *, audience: str, permission: str | None = None,
          body: Schema | None = None, query: Schema | None = None, responses=None,
          summary: str = "", tag: str = "", errors: tuple[int, ...] = (),
          raw_body: tuple[str, ...] = (), max_body_bytes: int | None = None,
          raw_json: Schema | None = None):
    assert audience in AUDIENCES, audience
    assert not (raw_body and body is not None), "a route takes a JSON body or a raw one"
    assert raw_json is None or "application/json" in raw_body, "raw_json needs JSON in raw_body"

    def decorate(fn):
        spec = Route(method, path, fn.__name__, audience, permission, body, query,
                     responses or {200: None}, summary or (fn.__doc__ or "").strip(), tag,
                     tuple(errors), tuple(raw_body), max_body_bytes, raw_json)
        ROUTES.append(spec)

        @wraps(fn)
        def entrypoint(self, request, **path_values):
            return handle(self, spec, fn, request, path_values)

        return http(method, path)(entrypoint)

    return decorate


MANY_UNKNOWN_FIELDS = 50


def refuse_many_unknown_fields(schema: Schema, body: dict) -> None:
    """A body with more unknown fields than a 422 lists is refused without marshmallow, which
    spends about 3 µs building each error: 90,000 unknown keys in a 1 MiB body held the gateway's
    one event loop (and every other request) for a quarter of a second; this takes a few ms."""
    if schema.unknown != RAISE or len(body) <= MANY_UNKNOWN_FIELDS:
        return
    known = {field.data_key or name for name, field in schema.load_fields.items()}
    unknown = [key for key in body if key not in known]
    if len(unknown) <= MANY_UNKNOWN_FIELDS:
        return
    errors = dict.fromkeys(unknown, ["Unknown field."])
    errors.update({name: ["Missing data for required field."]
                   for name, field in schema.load_fields.items()
                   if field.required and (field.data_key or name) not in body})
    raise ValidationFailed("the request has invalid fields", errors)


def handle(service, spec: Route, fn, request, path_values) -> Response:
    started = time.perf_counter()
    request_id = service.request_context.context_data["correlation_id"]
    bind_correlation_id(request_id)
    try:
        refuse_declared_length(request, body_limit(spec))
        call = Call(request=request, request_id=request_id)
        call.caller = service.auth.authenticate(spec, request, request_id)
        kwargs = dict(path_values)
        # handlers get the body and query as the contract loaded them, in their JSON form
        if spec.body is not None:
            body = json_body(request)
            refuse_many_unknown_fields(spec.body, body)
            kwargs["body"] = plain(load(spec.body, body))
        elif spec.raw_body:
            kwargs["body"] = raw_body(request, body_limit(spec))
        if spec.query is not None:
            query = request.args.to_dict()
            refuse_unstorable_text(query)
            kwargs["query"] = plain(load(spec.query, query))
        result = fn(service, call, **kwargs)
        response = result if isinstance(result, Response) else respond(*_status_payload(result),
                                                                        request_id)
    except CaseworkError as exc:
        response = from_error(exc, request_id)
    except Exception:
        log.exception("unhandled error in %s %s", spec.method, spec.path)
        response = internal(request_id)
    elapsed = time.perf_counter() - started
    metrics.observe(spec, response.status_code, elapsed)
    log.info("%s %s %s", request.method, request.path, response.status_code,
             extra={"method": request.method, "path": request.path,
                    "status": response.status_code, "ms": round(elapsed * 1000, 2)})
    return response


def _status_payload(result):
    if isinstance(result, tuple):
        return result
    return 200, result
