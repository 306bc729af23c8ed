"""The OpenAPI 3 document, generated from the route table (``routing.ROUTES``) and its
marshmallow schemas with apispec."""

from __future__ import annotations

from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from contracts.common import ProblemSchema

from .routing import ROUTES, Route

ERRORS_BY_AUDIENCE = {
    "staff": (401, 403, 404, 503),
    "portal": (401, 403, 404, 503),
    "operator": (401, 503),
    "public": (404, 503),
    "ops": (),
}
DESCRIPTIONS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No content",
                400: "Malformed request", 401: "Missing or invalid token",
                403: "Permission denied", 404: "Unknown id, or another agency's",
                409: "Conflict with the current state", 413: "Too large",
                415: "Unsupported media type", 422: "Invalid fields", 429: "Too many attempts",
                503: "A service or the broker is unavailable"}


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
    errors |= set(route.errors)
    for status in sorted(errors):
        responses.setdefault(str(status), {"description": DESCRIPTIONS[status], **problem})
    # answered by the HTTP server itself, before any route runs (eventlet's 8 KiB request line)
    responses["414"] = {"description": "Request line too long"}
    operation = {"operationId": route.name, "summary": route.summary.split("\n")[0],
                 "tags": [route.tag or route.audience], "parameters": parameters,
                 "responses": responses}
    if route.body is not None:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": route.body}}}
    elif route.raw_body:
        binary = {"schema": {"type": "string", "format": "binary"}}
        operation["requestBody"] = {"required": True,
                                    "content": {media: binary for media in route.raw_body}}
    if route.audience in ("staff", "portal", "operator"):
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
                   plugins=[plugin])
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
