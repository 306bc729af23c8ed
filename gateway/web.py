"""nameko's HTTP entrypoint, with the request id taken from ``X-Request-Id`` into the worker's
context data (so nameko forwards it on every RPC call) and problem+json for unknown paths; and
the HTTP protocol under it, which answers what it refuses by itself (request line too long,
header fields too large, a malformed request) in problem+json too, naming no server software."""

from __future__ import annotations

import json
import logging
import re
import socket
import uuid
from email.utils import formatdate
from http import HTTPStatus

import eventlet
from eventlet.wsgi import HeaderLineTooLong, HeadersTooLarge
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import HttpOnlyProtocol, WebServer, WsgiApp
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from .problems import PROBLEM, problem, problem_body

log = logging.getLogger(__name__)

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
CONTENT_LENGTH = re.compile(r"[0-9]{1,18}")

# eventlet's own limits, which the protocol below answers in problem+json
MAX_REQUEST_LINE = 8192  # bytes of "METHOD /path?query HTTP/1.1": 414 beyond
MAX_HEADER_LINE = 8192  # bytes of one header line (eventlet.wsgi.MAX_HEADER_LINE): 431
MAX_HEADERS_BYTES = 65536  # of all header lines (eventlet.wsgi.MAX_TOTAL_HEADER_SIZE): 431
MAX_HEADERS = 100  # header lines (http.client): 431

# After refusing a body unread (413), the server reads and throws away at most this much of it,
# for at most this long, so that a client still sending gets the answer rather than a reset
# connection; then it closes the connection.
LINGER_BYTES = 64 * 1024 * 1024
LINGER_SECONDS = 5.0
CLOSE_AFTER_RESPONSE = "casework.close_after_response"


def request_id_from(request) -> str:
    given = request.headers.get("X-Request-Id", "")
    return given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def close_after_response(request) -> None:
    """Close the connection once this request is answered, after reading at most LINGER_BYTES
    of what remains of its body (whose reading the handler gave up)."""
    close = request.environ.get(CLOSE_AFTER_RESPONSE)
    if close is not None:
        close()


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
            if request.content_length or request.headers.get("Transfer-Encoding"):
                close_after_response(request)  # nobody reads the body: do not read it all
        return response(environ, start_response)


REFUSALS = {
    400: ("malformed_request", "Malformed request", "the request line or headers are not "
                                                    "valid HTTP/1.1"),
    414: ("uri_too_long", "Request line too long",
          f"the request line is longer than {MAX_REQUEST_LINE} bytes"),
    431: ("header_fields_too_large", "Header fields too large",
          f"a header line is longer than {MAX_HEADER_LINE} bytes, all of them longer than "
          f"{MAX_HEADERS_BYTES} bytes, or there are more than {MAX_HEADERS}"),
    505: ("http_version_not_supported", "HTTP version not supported",
          "send HTTP/1.1 or HTTP/1.0"),
}


class ProblemHttpProtocol(HttpOnlyProtocol):
    """eventlet's HTTP/1.1 protocol, with what it answers before any route runs in
    problem+json and without a ``Server`` header; the request body stream marked as terminated
    (eventlet ends it at Content-Length or the last chunk), so chunked bodies can be read; and a
    connection closed after a refused body, which is read no further than LINGER_BYTES."""

    server_version = "casework"
    sys_version = ""
    _close_after = False

    def _read_request_line(self):
        line = super()._read_request_line()
        if len(line) >= self.server.url_length_limit:
            self.refuse(414)
            return b""  # eventlet closes the connection on an empty request line
        return line

    def parse_request(self):
        self._close_after = False
        try:
            if not super().parse_request():
                return False
        except (HeaderLineTooLong, HeadersTooLarge):
            self.refuse(431)
            return False
        length = self.headers.get("Content-Length")
        coding = self.headers.get("Transfer-Encoding")
        if length is not None and (coding is not None
                                   or not CONTENT_LENGTH.fullmatch(length.strip())):
            self.refuse(400, "Content-Length must be a number, and not sent with "
                             "Transfer-Encoding")
            return False
        if coding is not None and coding.strip().lower() != "chunked":
            self.refuse(400, "the only transfer coding accepted is chunked")
            return False
        return True

    def send_error(self, code, message=None, explain=None):
        """What the standard library's request parsing refuses (a bad request line or HTTP
        version, too many headers), in problem+json: not its HTML page naming the server."""
        self.refuse(code if code in REFUSALS else 400)

    def refuse(self, status: int, detail: str | None = None) -> None:
        code, title, default = REFUSALS[status]
        body = json.dumps(problem_body(status, code, title, detail or default)).encode()
        head = (f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
                f"Content-Type: {PROBLEM}\r\nContent-Length: {len(body)}\r\n"
                f"Date: {formatdate(usegmt=True)}\r\nConnection: close\r\n\r\n")
        log.info("refused before routing: %s %s", status, code)
        try:
            self.wfile.write(head.encode("ascii") + body)
            self.wfile.flush()
        except OSError:
            pass
        self.close_connection = True

    def get_environ(self):
        environ = super().get_environ()
        environ["wsgi.input_terminated"] = True
        environ[CLOSE_AFTER_RESPONSE] = self._close_after_response
        return environ

    def _close_after_response(self):
        # before the answer is written: eventlet then says ``Connection: close`` and does not
        # read the rest of the body itself
        self.close_connection = True
        self._close_after = True

    def handle_one_response(self):
        super().handle_one_response()
        if self._close_after:
            self.close_connection = True
            self._linger(self.environ["eventlet.input"])

    @staticmethod
    def _linger(body) -> None:
        if body.should_send_hundred_continue:
            return  # the client waits for "100 Continue" before sending: it sends nothing
        read = 0
        try:
            with eventlet.Timeout(LINGER_SECONDS):
                while read < LINGER_BYTES:
                    chunk = body.read(min(65536, LINGER_BYTES - read))
                    if not chunk:
                        return
                    read += len(chunk)
                    eventlet.sleep(0)
        except (eventlet.Timeout, OSError, ValueError):
            return


class CaseworkWebServer(WebServer):
    def start(self):
        super().start()
        # Nagle's algorithm held the end of every response larger than a few segments until the
        # client's delayed acknowledgement (~40 ms): a page of 50 search results took 60 ms
        # where one took 14 ms. Accepted connections inherit the option from the listener.
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def get_wsgi_server(self, sock, wsgi_app, protocol=ProblemHttpProtocol, debug=False):
        server = super().get_wsgi_server(sock, wsgi_app, protocol=ProblemHttpProtocol,
                                         debug=debug)
        server.url_length_limit = MAX_REQUEST_LINE
        return server

    def context_data_from_headers(self, request):
        return {"correlation_id": request_id_from(request)}

    def get_wsgi_app(self):
        return ProblemWsgiApp(self)


class ProblemHttpRequestHandler(HttpRequestHandler):
    server = CaseworkWebServer()


http = ProblemHttpRequestHandler.decorator
