"""nameko's HTTP entrypoint, with the request id taken from ``X-Request-Id`` into the worker's
context data (so nameko forwards it on every RPC call) and problem+json for unknown paths."""

from __future__ import annotations

import re
import socket
import uuid

from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from .problems import problem

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def request_id_from(request) -> str:
    given = request.headers.get("X-Request-Id", "")
    return given if REQUEST_ID.match(given) else uuid.uuid4().hex


class ProblemWsgiApp(WsgiApp):
    """nameko's WsgiApp, answering unknown paths and methods with problem+json, not HTML."""

    def __call__(self, environ, start_response):
        request = Request(environ, shallow=True)
        adapter = self.url_map.bind_to_environ(environ)
        try:
            provider, values = adapter.match()
            request.path_values = values
            response = provider.handle_request(request)
        except HTTPException as exc:
            code = {404: "not_found", 405: "method_not_allowed"}.get(exc.code, "http_error")
            response = problem(exc.code or 400, code, exc.name, exc.description,
                               request_id=request_id_from(request))
            if exc.code == 405 and getattr(exc, "valid_methods", None):
                response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response(environ, start_response)


class CaseworkWebServer(WebServer):
    def start(self):
        super().start()
        # Nagle's algorithm held the end of every response larger than a few segments until the
        # client's delayed acknowledgement (~40 ms): a page of 50 search results took 60 ms
        # where one took 14 ms. Accepted connections inherit the option from the listener.
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def context_data_from_headers(self, request):
        return {"correlation_id": request_id_from(request)}

    def get_wsgi_app(self):
        return ProblemWsgiApp(self)


class ProblemHttpRequestHandler(HttpRequestHandler):
    server = CaseworkWebServer()


http = ProblemHttpRequestHandler.decorator
