"""JSON Schema (draft 2020-12) of every declared event, for other systems (EVENTS.md).

Generated from the same marshmallow classes that ``emit`` dumps with and consumers load with
(``casework.events.declare``): the envelope (``EnvelopeSchema``) with ``type`` and ``version``
fixed to the event's and ``data`` replaced by the event's declared data schema. apispec's
marshmallow converter writes each schema as an OpenAPI 3.1 schema object, which is JSON Schema
2020-12 (a nullable field is ``"type": [..., "null"]``); a rule no single field states (one of
two fields required, say) comes from the data schema's ``OPENAPI_EXTRA``, as in the API document.

``casework events schema [TYPE]`` prints it; ``document()`` is what the gateway serves.
"""

from __future__ import annotations

import copy
from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

from casework.events import EnvelopeSchema, all_declared

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# keywords of OpenAPI's schema object that JSON Schema does not have
_OPENAPI_ONLY = {"nullable", "discriminator", "xml", "externalDocs", "example"}


@lru_cache(maxsize=1)
def _converter():
    plugin = MarshmallowPlugin(schema_name_resolver=lambda schema: None)  # nested: inline
    APISpec(title="Casework events", version="1", openapi_version="3.1.0", plugins=[plugin])
    return plugin.converter


def _json_schema(node):
    """An OpenAPI 3.1 schema object as plain JSON Schema: ``nullable`` (should any remain) as a
    ``null`` type, ``example`` as ``examples``, other OpenAPI-only keywords dropped."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _json_schema(value) for key, value in node.items()
           if key not in _OPENAPI_ONLY and not key.startswith("x-")}
    if node.get("nullable") is True and "type" in out:
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = types if "null" in types else [*types, "null"]
    if "example" in node and "examples" not in out:
        out["examples"] = [node["example"]]
    return out


def data_schema(schema: Schema) -> dict:
    """The JSON Schema of one marshmallow schema (an event's data)."""
    result = _json_schema(copy.deepcopy(_converter().schema2jsonschema(schema)))
    result.update(copy.deepcopy(getattr(schema, "OPENAPI_EXTRA", None) or {}))
    if type(schema).__doc__:
        result.setdefault("description",
                          " ".join(type(schema).__doc__.replace("``", "").split()))
    return result


def event_schema(source: str, name: str, version: int, schema: Schema) -> dict:
    """The JSON Schema of a whole event: its envelope with its type, version and data."""
    result = data_schema(EnvelopeSchema())
    result.pop("description", None)
    properties = result["properties"]
    properties["type"] = {**properties["type"], "const": f"{source}.{name}"}
    properties["version"] = {**properties["version"], "const": version}
    properties["data"] = data_schema(schema)
    return {"title": f"{source}.{name} v{version}",
            "description": f"published on the topic exchange {source}.events with the routing"
                           f" key {name}", **result}


def _key(source: str, name: str, version: int) -> str:
    return f"{source}.{name}.v{version}"


@lru_cache(maxsize=1)
def _document() -> dict:
    declared = all_declared()
    definitions = {_key(*key): event_schema(*key, schema) for key, schema in declared.items()}
    return {
        "$schema": DIALECT,
        "$id": "urn:casework:events",
        "title": "Casework events",
        "description": "Every event the platform publishes or consumes: one of $defs, told apart"
                       " by type and version (EVENTS.md).",
        "oneOf": [{"$ref": f"#/$defs/{key}"} for key in definitions],
        "$defs": definitions,
    }


def document() -> dict:
    """One JSON Schema that every declared event validates against (a fresh copy)."""
    return copy.deepcopy(_document())


def types() -> list[str]:
    return sorted({f"{source}.{name}" for source, name, _ in all_declared()})


def schema_of(event_type: str) -> dict | None:
    """The JSON Schema of one event type (``records.record_created``), every declared version
    (one of them), or None if no such event is declared."""
    source, _, name = event_type.partition(".")
    keys = [key for key in all_declared() if key[:2] == (source, name)]
    if not keys:
        return None
    definitions = _document()["$defs"]
    if len(keys) == 1:
        return {"$schema": DIALECT, **copy.deepcopy(definitions[_key(*keys[0])])}
    return {"$schema": DIALECT, "title": event_type,
            "oneOf": [{"$ref": f"#/$defs/{_key(*key)}"} for key in keys],
            "$defs": {_key(*key): copy.deepcopy(definitions[_key(*key)]) for key in keys}}
