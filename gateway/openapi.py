"""The OpenAPI 3 document, generated from the route table (``routing.ROUTES``) and its
marshmallow schemas with apispec."""

from __future__ import annotations

from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from contracts.common import ProblemSchema

from .routing import MAX_JSON_BYTES, MAX_JSON_DEPTH, ROUTES, Route, body_limit
from .web import MAX_HEADER_LINE, MAX_HEADERS, MAX_HEADERS_BYTES, MAX_REQUEST_LINE

ERRORS_BY_AUDIENCE = {
    "staff": (401, 403, 404, 503),
    "portal": (401, 403, 404, 503),
    "signed_in": (401, 503),
    "operator": (401, 503),
    "public": (404, 503),
    "ops": (),
}
DESCRIPTIONS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No content",
                400: "Malformed request", 401: "Missing or invalid token",
                403: "Permission denied", 404: "Unknown id, or another agency's",
                409: "Conflict with the current state", 413: "Too large",
                414: "Request line too long", 415: "Unsupported media type",
                422: "Invalid fields", 429: "Too many attempts",
                431: "Header fields too large", 503: "A service or the broker is unavailable"}
# answered by the HTTP server itself, before any route runs
SERVER_ERRORS = (414, 431)
LIMITS = f"""Limits: a JSON body is at most {MAX_JSON_BYTES} bytes (413 ``payload_too_large``;
refused by its Content-Length before it is read, or after {MAX_JSON_BYTES} bytes when it comes
chunked) and nests at most {MAX_JSON_DEPTH} arrays or objects deep (400 ``malformed_request``);
a raw body has its route's own limit. A validation error (422) lists at most 50 fields; how many
more there were is in ``errors_omitted``. The request line is at most {MAX_REQUEST_LINE} bytes
(414 ``uri_too_long``); a header line at most {MAX_HEADER_LINE} bytes, all of them at most
{MAX_HEADERS_BYTES} bytes and at most {MAX_HEADERS} of them (431 ``header_fields_too_large``).
Every error is ``application/problem+json``."""


def _operation(route: Route, spec: APISpec) -> dict:
    parameters = [{"in": "path", "name": name, "required": True,
                   "schema": {"type": "string", "maxLength": 200}}
                  for name in _path_names(route)]
    if route.query is not None:
        parameters.append({"in": "query", "schema": route.query})
    responses = {}
    for status, schema in route.responses.items():
        content = {"application/json": {"schema": schema}} if schema is not None else None
        responses[str(status)] = {"description": DESCRIPTIONS.get(status, "OK")}
        if content:
            responses[str(status)]["content"] = content
    problem = {"content": {"application/problem+json": {"schema": "Problem"}}}
    errors = set(ERRORS_BY_AUDIENCE[route.audience])
    if route.body is not None or route.query is not None:
        errors |= {400, 422}
    if route.body is not None or route.raw_body:
        errors.add(413)
    errors |= set(route.errors) | set(SERVER_ERRORS)
    for status in sorted(errors):
        responses.setdefault(str(status), {"description": DESCRIPTIONS[status], **problem})
    if route.body is not None or route.raw_body:
        responses["413"]["description"] = f"The body is over {body_limit(route)} bytes"
    operation = {"operationId": route.name, "summary": route.summary.split("\n")[0],
                 "tags": [route.tag or route.audience], "parameters": parameters,
                 "responses": responses}
    if route.body is not None:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": route.body}}}
    elif route.raw_body:
        binary = {"schema": {"type": "string", "format": "binary"}}
        content = {media: binary for media in route.raw_body}
        if route.raw_json is not None:
            content["application/json"] = {"schema": route.raw_json}
        operation["requestBody"] = {"required": True, "content": content}
    if route.audience in ("staff", "portal", "signed_in", "operator"):
        operation["security"] = [{"bearer": []}]
    return operation


def _path_names(route: Route) -> list[str]:
    import re

    return re.findall(r"<(?:[a-z]+:)?([a-z_]+)>", route.path)


def _only_null(self, field, ret, **kwargs) -> dict:
    """apispec writes a nullable nested schema as ``anyOf: [{"type": "object", "nullable":
    true}, {"$ref": ...}]``, whose first branch admits any object in OpenAPI 3.0: make it admit
    null only."""
    for branch in ret.get("anyOf", ()):
        if branch == {"type": "object", "nullable": True}:
            branch["enum"] = [None]
    return {}


def _schemas_with_extras() -> list[type]:
    """Body and query schemas with ``OPENAPI_EXTRA``: rules no single field can state (e.g. one
    of two fields required), merged into their component."""
    found: list[type] = []
    for route in ROUTES:
        for schema in (route.body, route.query):
            cls = type(schema)
            if getattr(cls, "OPENAPI_EXTRA", None) and cls not in found:
                found.append(cls)
    return found


@lru_cache(maxsize=1)
def document() -> dict:
    plugin = MarshmallowPlugin()
    spec = APISpec(title="Casework API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[plugin], info={"description": LIMITS})
    plugin.converter.add_attribute_function(_only_null)
    spec.components.schema("Problem", schema=ProblemSchema)
    for cls in _schemas_with_extras():
        spec.components.schema(plugin.schema_name_resolver(cls), component=cls.OPENAPI_EXTRA,
                               schema=cls)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    paths: dict[str, dict] = {}
    for route in ROUTES:
        paths.setdefault(route.openapi_path, {})[route.method.lower()] = _operation(route, spec)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
