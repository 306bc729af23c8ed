"""Structured JSON logs carrying the correlation id across the gateway, RPC calls and events.

The gateway puts ``correlation_id`` (the request's ``X-Request-Id``) into nameko's context data;
nameko forwards context data as headers on every RPC call, and the outbox copies it into each
event's envelope. :class:`LogContext` makes it visible to every log line of a worker.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from datetime import UTC, datetime

from nameko.extensions import DependencyProvider

_local = threading.local()  # greenthread-local once eventlet has patched threading


def current_correlation_id() -> str | None:
    return getattr(_local, "correlation_id", None)


def bind_correlation_id(value: str | None) -> None:
    _local.correlation_id = value


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat().replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
            "correlation_id": current_correlation_id(),
        }
        for key in ("event_id", "event_type", "handler", "method", "path", "status", "ms"):
            if hasattr(record, key):
                line[key] = getattr(record, key)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("kombu", "amqp", "nameko", "urllib3"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # nameko logs every expected (typed) error with a traceback; the gateway logs the outcome
    logging.getLogger("nameko.containers").setLevel(max(logging.ERROR, root.level))


class LogContext(DependencyProvider):
    """Binds the worker's correlation id to its log lines (and to events it emits)."""

    def worker_setup(self, worker_ctx):
        bind_correlation_id(worker_ctx.context_data.get("correlation_id") or worker_ctx.call_id)

    def worker_teardown(self, worker_ctx):
        bind_correlation_id(None)
