"""Operations routes: liveness, readiness, metrics and the OpenAPI document."""

from __future__ import annotations

import eventlet
import nameko
from kombu import Connection
from werkzeug.wrappers import Response

from casework.config import settings
from casework.errors import CaseworkError
from casework.migrations import SERVICES
from contracts.common import HealthSchema, ReadySchema

from .. import metrics, openapi
from ..routing import respond, route

READY_TIMEOUT = 2.0


def broker_check() -> str:
    """One connection attempt: a refused connection answers at once (a retry made /ready wait
    2 s and report a timeout instead of the refusal), a silent broker after READY_TIMEOUT."""
    try:
        uri = nameko.config.get("AMQP_URI", settings().amqp_uri)
        with eventlet.Timeout(READY_TIMEOUT), Connection(uri, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=0)
        return "ok"
    except (eventlet.Timeout, Exception) as exc:  # any failure means "not ready"
        return f"down: {type(exc).__name__}"


class OpsRoutes:
    @route("GET", "/health", audience="ops", responses={200: HealthSchema}, tag="operations")
    def health(self, call):
        """Liveness: the gateway process answers."""
        return {"status": "ok"}

    @route("GET", "/ready", audience="ops", responses={200: ReadySchema, 503: ReadySchema},
           tag="operations")
    def ready(self, call):
        """Readiness: the broker, and every service with its database, answer."""
        checks = {"broker": broker_check()}
        if checks["broker"] == "ok":
            client = self.rpc.with_timeout(READY_TIMEOUT)
            pending = {name: eventlet.spawn(getattr(client, name).health) for name in SERVICES}
            for name, thread in pending.items():
                try:
                    thread.wait()
                    checks[name] = "ok"
                except CaseworkError as exc:
                    checks[name] = f"down: {exc.detail}"
        else:
            checks.update({name: "unknown: broker down" for name in SERVICES})
        ready = all(value == "ok" for value in checks.values())
        return (200 if ready else 503), {"status": "ready" if ready else "not_ready",
                                         "checks": checks}

    @route("GET", "/metrics", audience="ops", tag="operations")
    def metrics(self, call):
        """Prometheus metrics: the gateway's requests, and each service's outbox backlog and
        pending dead letters (a service that does not answer is left out, and /ready says so)."""
        client = self.rpc.with_timeout(READY_TIMEOUT)
        pending = {name: eventlet.spawn(getattr(client, name).messaging_metrics)
                   for name in SERVICES}
        figures = {}
        for name, thread in pending.items():
            try:
                figures[name] = thread.wait()
            except CaseworkError:
                continue
        return Response(metrics.render(figures), mimetype="text/plain; version=0.0.4",
                        headers={"X-Request-Id": call.request_id})

    @route("GET", "/api/v1/openapi.json", audience="ops", tag="operations")
    def openapi_document(self, call):
        """This API's OpenAPI 3 document, generated from the route table and its schemas."""
        return respond(200, openapi.document(), call.request_id)
