"""Operations routes: liveness, readiness, metrics, the OpenAPI document and the page to
explore it."""

from __future__ import annotations

import hmac

import eventlet
import nameko
from kombu import Connection
from werkzeug.wrappers import Response

from casework import event_schemas
from casework.config import settings
from casework.errors import CaseworkError, NotFound
from casework.migrations import SERVICES
from contracts.common import HealthSchema, ReadySchema

from .. import docs, metrics, openapi
from ..auth import bearer_token
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


def is_operator(request) -> bool:
    """Whether the request carries the operator token (``/ready``'s details are for operators:
    which part is down, and why, tells an outsider about the platform's insides)."""
    token = bearer_token(request)
    return token is not None and hmac.compare_digest(token.encode(),
                                                     settings().operator_token.encode())


class OpsRoutes:
    @route("GET", "/health", audience="ops", responses={200: HealthSchema}, tag="operations")
    def health(self, call):
        """Liveness: the gateway process answers."""
        return {"status": "ok"}

    @route("GET", "/ready", audience="ops", responses={200: ReadySchema, 503: ReadySchema},
           tag="operations")
    def ready(self, call):
        """Readiness: the broker, and every service with its database, answer. Anyone gets the
        status; with the operator token (``Authorization: Bearer``) the answer also names each
        part's check (``checks``)."""
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
        answer = {"status": "ready" if ready else "not_ready"}
        if is_operator(call.request):
            answer["checks"] = checks
        return (200 if ready else 503), answer

    @route("GET", "/metrics", audience="operator", tag="operations")
    def metrics(self, call):
        """Prometheus metrics, for operators only (the operator token): the gateway's requests,
        and each service's outbox backlog and pending dead letters (a service that does not
        answer is left out, and /ready says so)."""
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

    @route("GET", "/api/v1/events/schema", audience="ops", tag="operations")
    def event_schemas(self, call):
        """JSON Schema (draft 2020-12) of every event on the bus, envelope and data, generated
        from the same contract classes the services emit and consume with (also
        ``casework events schema``)."""
        return respond(200, event_schemas.document(), call.request_id)

    @route("GET", "/api/v1/events/schema/<event_type>", audience="ops", errors=(404,),
           tag="operations")
    def event_schema(self, call, event_type):
        """The JSON Schema of one event type (``records.record_created``), 404 when no contract
        declares it."""
        found = event_schemas.schema_of(event_type)
        if found is None:
            raise NotFound(f"no declared event {event_type[:100]!r}")
        return respond(200, found, call.request_id)

    @route("GET", docs.DOCS, audience="ops", tag="operations")
    def api_docs(self, call):
        """A page to explore this API (Swagger UI) from its OpenAPI document; every file it
        loads comes from this gateway."""
        return Response(docs.PAGE, mimetype="text/html",
                        headers={**docs.HEADERS, "X-Request-Id": call.request_id})

    @route("GET", f"{docs.DOCS}/<asset>", audience="ops", errors=(404,), tag="operations")
    def api_docs_asset(self, call, asset):
        """The files of the API page (Swagger UI's, from the pinned swagger-ui-bundle
        package)."""
        found = docs.asset(asset)
        if found is None:
            raise NotFound(f"no file {asset!r} in the API page")
        data, media_type = found
        return Response(data, content_type=media_type,
                        headers={**docs.HEADERS, "Cache-Control": "public, max-age=3600",
                                 "X-Request-Id": call.request_id})
