"""The event envelope of EVENTS.md, and the schemas that check it on the way in.

Every event a service publishes is ``{"event_id", "type", "version", "occurred_at",
"organization_id", "correlation_id", "data"}`` on the topic exchange ``<service>.events`` with
the routing key ``<event name>`` (``type`` is ``<service>.<event name>``).
"""

from __future__ import annotations

import importlib
import uuid
from datetime import UTC, datetime

from kombu import Exchange
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from nameko.constants import PERSISTENT
from nameko.standalone.events import get_event_exchange

EXTERNAL = "external"  # the exchange other systems publish on: ``external.events``


def unrouted_exchange_name(source: str) -> str:
    return f"{source}.unrouted"


def event_exchange(source: str) -> Exchange:
    """The topic exchange ``<source>.events``, as every declaration of it must be (publishers,
    consumers, replay, tests): ``external.events`` has the alternate exchange
    ``external.unrouted``, and RabbitMQ refuses (PRECONDITION_FAILED) a declaration of an
    existing exchange with other arguments."""
    exchange = get_event_exchange(source)
    if source == EXTERNAL:
        exchange.arguments = {"alternate-exchange": unrouted_exchange_name(source)}
    return exchange


def unrouted_exchange(source: str = EXTERNAL) -> Exchange:
    return Exchange(unrouted_exchange_name(source), type="fanout", durable=True,
                    delivery_mode=PERSISTENT)


def utcnow() -> datetime:
    return datetime.now(UTC)


def isoformat(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def envelope(source: str, name: str, data: dict, *, organization_id=None,
             correlation_id: str | None = None, version: int = 1) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "type": f"{source}.{name}",
        "version": version,
        "occurred_at": isoformat(utcnow()),
        "organization_id": str(organization_id) if organization_id else None,
        "correlation_id": correlation_id or str(uuid.uuid4()),
        "data": data,
    }


class EnvelopeSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    event_id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.Length(min=3, max=200))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True, default_timezone=UTC)
    organization_id = fields.UUID(required=False, allow_none=True, load_default=None)
    correlation_id = fields.String(load_default=None, allow_none=True,
                                   validate=validate.Length(max=200))
    data = fields.Dict(required=True)


_envelope_schema = EnvelopeSchema()


def envelope_errors(payload) -> str | None:
    """Why ``payload`` (decoded JSON) is not an event envelope, or None if it is one: the first
    check of ``parse_envelope``, without the event's type, version and data."""
    if not isinstance(payload, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null",
                int: "a number", float: "a number"}.get(type(payload), type(payload).__name__)
        return f"body is {kind}, not an event envelope (a JSON object)"
    errors = _envelope_schema.validate(payload)
    return f"malformed envelope: {errors}" if errors else None


# --- declared events: (source, name, version) -> the schema of its data ---------------------

_DECLARED: dict[tuple[str, str, int], Schema] = {}


class UndeclaredEvent(RuntimeError):
    """A service emitted an event its contract does not declare, or data that does not fit the
    declared schema: a bug in the emitting service, refused before anything is stored."""


def declare(source: str, name: str, schema: Schema, *, version: int = 1) -> Schema:
    """Declare the data of ``<source>.<name>`` at ``version`` (``contracts.<source>`` does)."""
    _DECLARED[(source, name, version)] = schema
    return schema


def declared(source: str, name: str, version: int = 1) -> Schema | None:
    """The declared data schema of an event, importing ``contracts.<source>`` if need be."""
    key = (source, name, version)
    if key not in _DECLARED:
        try:
            importlib.import_module(f"contracts.{source}")
        except ModuleNotFoundError:
            return None
    return _DECLARED.get(key)


def all_declared() -> dict[tuple[str, str, int], Schema]:
    """Every declared event of every contract module."""
    import pkgutil

    import contracts

    for module in pkgutil.iter_modules(contracts.__path__):
        importlib.import_module(f"contracts.{module.name}")
    return dict(sorted(_DECLARED.items()))


def checked_data(source: str, name: str, version: int, data: dict) -> dict:
    """The data of an event about to be emitted, dumped by its declared schema and checked
    against it: an event on the bus always loads with its contract."""
    schema = declared(source, name, version)
    if schema is None:
        raise UndeclaredEvent(f"{source}.{name} v{version} is not declared in contracts.{source}")
    dumped = schema.dump(data)
    errors = schema.validate(dumped)
    if errors:
        raise UndeclaredEvent(f"{source}.{name} v{version} data does not fit its contract: "
                              f"{errors}")
    return dumped


class InvalidEvent(Exception):
    """An inbound event that must be dead-lettered, never retried: ``reason`` says why."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def parse_envelope(payload, *, expected_type: str, versions: tuple[int, ...] = (1,)) -> dict:
    if not isinstance(payload, dict):
        raise InvalidEvent(f"payload is {type(payload).__name__}, not a JSON object")
    try:
        parsed = _envelope_schema.load(payload)
    except ValidationError as exc:
        raise InvalidEvent(f"malformed envelope: {exc.messages}") from exc
    if parsed["type"] != expected_type:
        raise InvalidEvent(f"type {parsed['type']!r} is not {expected_type!r}")
    if parsed["version"] not in versions:
        raise InvalidEvent(f"unsupported version {parsed['version']} (known: {list(versions)})")
    source, _, name = expected_type.partition(".")
    schema = declared(source, name, parsed["version"])
    if schema is None:
        raise InvalidEvent(f"{expected_type} v{parsed['version']} is not a declared event")
    try:
        parsed["data"] = schema.load(parsed["data"])
    except ValidationError as exc:
        raise InvalidEvent(f"malformed data: {exc.messages}") from None
    return parsed
