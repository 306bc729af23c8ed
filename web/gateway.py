"""The web front end's only way to the platform: the gateway's HTTP API, over a pool of
kept-alive connections (urllib3), and the forwarding of the gateway's own paths.

Every call names the browser's address in ``X-Forwarded-For`` (the gateway's login throttling
counts per client address: it trusts the header from the web process's address,
``CASEWORK_TRUSTED_PROXIES``) and passes the request id on, so that a page's API calls are found
in the gateway's logs and the audit trail under the page's own ``X-Request-Id``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import urllib3

FORWARDED_PREFIXES = ("/api/", "/health", "/ready", "/metrics")
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailer", "transfer-encoding", "upgrade", "host", "content-length"}
REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class Unavailable(Exception):
    """The gateway did not answer (down, or too slow)."""


@dataclass
class Answer:
    status: int
    body: dict | list | None
    headers: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def code(self) -> str | None:
        return self.body.get("code") if isinstance(self.body, dict) else None

    @property
    def errors(self) -> dict:
        return (self.body.get("errors") or {}) if isinstance(self.body, dict) else {}


class Gateway:
    def __init__(self, base_url: str, pool_size: int = 16, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.pool = urllib3.PoolManager(
            num_pools=4, maxsize=pool_size, block=False, retries=False,
            timeout=urllib3.Timeout(connect=5.0, read=timeout))

    def call(self, method: str, path: str, *, token: str | None = None, json_body=None,
             params: dict | None = None, client: str | None = None,
             request_id: str | None = None) -> Answer:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if client:
            headers["X-Forwarded-For"] = client
        if request_id and REQUEST_ID.match(request_id):
            headers["X-Request-Id"] = request_id
        body = None
        if json_body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(json_body).encode()
        fields = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        url = self.base_url + path
        try:
            if fields:
                response = self.pool.request(method, url, fields=fields, headers=headers)
            else:
                response = self.pool.request(method, url, body=body, headers=headers)
        except urllib3.exceptions.HTTPError as exc:
            raise Unavailable(str(exc)) from exc
        content_type = response.headers.get("Content-Type", "")
        parsed = None
        if response.data and "json" in content_type:
            try:
                parsed = json.loads(response.data)
            except ValueError:
                parsed = None
        if response.status in (502, 503, 504) and not isinstance(parsed, dict):
            raise Unavailable(f"the gateway answered {response.status}")
        return Answer(response.status, parsed, dict(response.headers))

    def raw(self, method: str, path: str, *, token: str, client: str | None = None):
        """An answer streamed as it comes (an image): the caller releases it."""
        headers = {"Authorization": f"Bearer {token}"}
        if client:
            headers["X-Forwarded-For"] = client
        try:
            return self.pool.request(method, self.base_url + path, headers=headers,
                                     preload_content=False)
        except urllib3.exceptions.HTTPError as exc:
            raise Unavailable(str(exc)) from exc


def forwarded_for(environ) -> str:
    """``X-Forwarded-For`` for the gateway: what came in, with the browser's peer address
    appended (the gateway takes the right-most address it does not trust)."""
    peer = environ.get("REMOTE_ADDR", "")
    earlier = environ.get("HTTP_X_FORWARDED_FOR", "").strip()
    return f"{earlier}, {peer}" if earlier else peer


class ForwardToGateway:
    """WSGI middleware: ``/api/``, ``/health``, ``/ready`` and ``/metrics`` go to the gateway
    as they came (streamed both ways); everything else to the pages."""

    def __init__(self, app, gateway: Gateway):
        self.app = app
        self.gateway = gateway

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not any(path == p.rstrip("/") or path.startswith(p) for p in FORWARDED_PREFIXES):
            return self.app(environ, start_response)
        return self.forward(environ, start_response)

    def forward(self, environ, start_response):
        from urllib.parse import quote

        headers = {}
        for key, value in environ.items():
            if key.startswith("HTTP_"):
                name = key[5:].replace("_", "-").lower()
                if name not in HOP_BY_HOP and name != "x-forwarded-for":
                    headers[name] = value
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").lower()] = environ[key]
        headers["x-forwarded-for"] = forwarded_for(environ)
        headers["x-forwarded-proto"] = environ.get("wsgi.url_scheme", "http")
        if environ.get("HTTP_HOST"):
            headers["x-forwarded-host"] = environ["HTTP_HOST"]
        url = self.gateway.base_url + quote(environ.get("PATH_INFO", ""), safe="/%:@!$&'()*+,;=")
        if environ.get("QUERY_STRING"):
            url += "?" + environ["QUERY_STRING"]
        length = environ.get("CONTENT_LENGTH")
        stream = environ["wsgi.input"]
        body, chunked = None, False
        if length:
            body = _limited(stream, int(length))
            headers["content-length"] = length
        elif environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
            body, chunked = _chunks(stream), True
        try:
            response = self.gateway.pool.urlopen(
                environ["REQUEST_METHOD"], url, body=body, headers=headers, chunked=chunked,
                preload_content=False, decode_content=False, redirect=False)
        except urllib3.exceptions.HTTPError:
            problem = json.dumps({
                "type": "about:blank", "title": "Service unavailable", "status": 503,
                "detail": "the gateway does not answer", "code": "service_unavailable"}).encode()
            start_response("503 Service Unavailable", [
                ("Content-Type", "application/problem+json"),
                ("Content-Length", str(len(problem)))])
            return [problem]
        out = [(k, v) for k, v in response.headers.items() if k.lower() not in HOP_BY_HOP
               or k.lower() == "content-length"]
        start_response(f"{response.status} {response.reason or ''}".strip(), out)
        return _body(response)


def _limited(stream, length: int, size: int = 65536):
    left = length
    while left > 0:
        chunk = stream.read(min(size, left))
        if not chunk:
            return
        left -= len(chunk)
        yield chunk


def _chunks(stream, size: int = 65536):
    while True:
        chunk = stream.read(size)
        if not chunk:
            return
        yield chunk


def _body(response):
    try:
        yield from response.stream(65536, decode_content=False)
    finally:
        response.release_conn()
