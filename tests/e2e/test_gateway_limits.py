"""What anyone can send without a token cannot stall or flood the gateway (issue 19, "Anyone,
without a token"): JSON bodies over 1 MiB are refused with 413 before they are read (by
Content-Length) or after 1 MiB and one byte (chunked), while /health keeps answering; a
validation error lists a bounded number of fields; JSON nested deeper than 64 levels is a 400
with one log line; and what the HTTP server refuses by itself (414, 431, a bad request line)
is problem+json naming no server software."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from urllib.parse import urlsplit

import requests

from gateway.routing import MAX_JSON_BYTES, MAX_JSON_DEPTH

LOGIN = "/api/v1/auth/staff/login"
PROBLEM = "application/problem+json"
MIB = 1024 * 1024


def many_keys(size: int) -> bytes:
    """A JSON object of about ``size`` bytes made of unknown keys (11 MB held the gateway for
    4 to 6 s and answered an 18 MB 422)."""
    keys = (size - 2) // 13
    body = ("{" + ",".join(f'"k{index:07d}":0' for index in range(keys)) + "}").encode()
    return body[:-1] + b" " * (size - len(body)) + b"}" if len(body) < size else body


def health_while(url: str, send) -> list[float]:
    """Times of /health requests made while ``send()`` runs in another thread."""
    result: dict = {}
    sender = threading.Thread(target=lambda: result.setdefault("answer", send()))
    sender.start()
    times = []
    while sender.is_alive() or not times:
        started = time.monotonic()
        assert requests.get(f"{url}/health", timeout=10).status_code == 200
        times.append(time.monotonic() - started)
    sender.join()
    return times, result["answer"]


def assert_problem(answer: requests.Response, status: int, code: str) -> dict:
    assert answer.status_code == status, answer.text[:500]
    assert answer.headers["Content-Type"] == PROBLEM
    assert "Server" not in answer.headers
    body = answer.json()
    assert body["status"] == status and body["code"] == code, body
    return body


def test_json_bodies_over_the_limit_are_refused_while_health_answers(gateway_url):
    url = f"{gateway_url}{LOGIN}"
    huge = many_keys(11 * MIB)
    json_headers = {"Content-Type": "application/json"}

    # by Content-Length: refused before a byte of the body is read
    times, answer = health_while(
        gateway_url, lambda: requests.post(url, data=huge, headers=json_headers, timeout=30))
    body = assert_problem(answer, 413, "payload_too_large")
    assert str(MAX_JSON_BYTES) in body["detail"]
    assert answer.headers["Connection"] == "close"
    assert max(times) < 1, times

    # chunked, no Content-Length: refused after MAX_JSON_BYTES + 1 bytes
    def chunks():
        for start in range(0, len(huge), 65536):
            yield huge[start:start + 65536]

    times, answer = health_while(
        gateway_url, lambda: requests.post(url, data=chunks(), headers=json_headers, timeout=30))
    assert "Content-Length" not in answer.request.headers
    assert answer.request.headers["Transfer-Encoding"] == "chunked"
    assert_problem(answer, 413, "payload_too_large")
    assert max(times) < 1, times

    # the gateway is fine afterwards, and a small chunked body is read as any other
    small = json.dumps({"organization": "nowhere", "email": "a@example.org",
                        "password": "wrong"}).encode()
    answer = requests.post(url, data=iter([small[:10], small[10:]]), headers=json_headers,
                           timeout=10)
    assert answer.request.headers["Transfer-Encoding"] == "chunked"
    assert_problem(answer, 401, "invalid_credentials")

    # a raw-body route keeps its own limit, and a bodiless route refuses a huge body too
    answer = requests.post(f"{gateway_url}/api/v1/auth/logout", data=huge, timeout=30)
    assert_problem(answer, 413, "payload_too_large")


def test_a_body_at_the_limit_is_read_and_its_errors_listed_briefly(gateway_url):
    url = f"{gateway_url}{LOGIN}"
    at_limit = many_keys(MAX_JSON_BYTES)
    assert len(at_limit) == MAX_JSON_BYTES
    times, answer = health_while(gateway_url, lambda: requests.post(
        url, data=at_limit, headers={"Content-Type": "application/json"}, timeout=30))
    body = assert_problem(answer, 422, "validation_error")
    assert len(answer.content) < 16 * 1024
    assert 0 < len(body["errors"]) <= 50
    assert body["errors_omitted"] > 80_000
    assert len(body["errors"]) + body["errors_omitted"] == (MAX_JSON_BYTES - 2) // 13 + 3
    assert "more fields not listed" in body["detail"]
    assert max(times) < 1, times

    # a real login padded to exactly the limit is read whole
    login = json.dumps({"organization": "nowhere", "email": "a@example.org",
                        "password": "wrong"}).encode()
    padded = login[:-1] + b" " * (MAX_JSON_BYTES - len(login)) + b"}"
    answer = requests.post(url, data=padded, headers={"Content-Type": "application/json"},
                           timeout=10)
    assert_problem(answer, 401, "invalid_credentials")
    answer = requests.post(url, data=padded + b" ", headers={"Content-Type": "application/json"},
                           timeout=10)
    assert_problem(answer, 413, "payload_too_large")


def test_deeply_nested_json_is_a_400_with_one_log_line(gateway_url, caplog):
    url = f"{gateway_url}{LOGIN}"
    caplog.set_level(logging.INFO)
    for depth in (MAX_JSON_DEPTH + 1, 2_000, 100_000):
        caplog.clear()
        nested = '{"organization": ' + "[" * depth + "]" * depth + "}"
        answer = requests.post(url, data=nested, headers={"Content-Type": "application/json"},
                               timeout=10)
        body = assert_problem(answer, 400, "malformed_request")
        assert f"deeper than {MAX_JSON_DEPTH} levels" in body["detail"]
        gateway_lines = [record for record in caplog.records
                         if record.name.startswith("gateway")]
        assert len(gateway_lines) == 1, [record.getMessage() for record in gateway_lines]
        assert not any(record.exc_info for record in caplog.records)
        assert "Traceback" not in caplog.text and "RecursionError" not in caplog.text
    # nesting up to the limit is fine (the contract then refuses the value)
    nested = ('{"organization": ' + "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
              + "}")
    answer = requests.post(url, data=nested, headers={"Content-Type": "application/json"},
                           timeout=10)
    assert_problem(answer, 422, "validation_error")


def raw_exchange(base_url: str, request: bytes) -> tuple[int, dict, bytes]:
    """Send ``request`` on a socket of its own; answer the status, headers and body the server
    sends before it closes the connection."""
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def test_what_the_http_server_refuses_itself_is_problem_json_without_a_banner(gateway_url):
    host = b"Host: casework.test\r\n"
    cases = [
        (b"GET /health?" + b"q" * 9000 + b" HTTP/1.1\r\n" + host + b"\r\n", 414,
         "uri_too_long"),
        (b"GET /health HTTP/1.1\r\n" + host + b"X-Long: " + b"a" * 10_000 + b"\r\n\r\n", 431,
         "header_fields_too_large"),
        (b"GET /health HTTP/1.1\r\n" + host
         + b"".join(b"X-H%d: 1\r\n" % n for n in range(120)) + b"\r\n", 431,
         "header_fields_too_large"),
        (b"GET /health HTTP/1.1\r\n" + host
         + b"".join(b"X-H%d: %s\r\n" % (n, b"b" * 8000) for n in range(9)) + b"\r\n", 431,
         "header_fields_too_large"),
        (b"NONSENSE\r\n\r\n", 400, "malformed_request"),
        (b"GET /health HTTP/x.y\r\n" + host + b"\r\n", 400, "malformed_request"),
        (b"GET /health HTTP/2.0\r\n" + host + b"\r\n", 505, "http_version_not_supported"),
        (b"POST /health HTTP/1.1\r\n" + host + b"Content-Length: 1x\r\n\r\n1", 400,
         "malformed_request"),
        (b"POST /health HTTP/1.1\r\n" + host
         + b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
         "malformed_request"),
        (b"POST /health HTTP/1.1\r\n" + host + b"Transfer-Encoding: gzip\r\n\r\n", 400,
         "malformed_request"),
    ]
    for request, status, code in cases:
        answered, headers, body = raw_exchange(gateway_url, request)
        assert (answered, headers.get("content-type")) == (status, PROBLEM), (request[:60],
                                                                              headers, body)
        assert "server" not in headers, headers
        assert b"BaseHTTP" not in body and b"Python" not in body
        problem = json.loads(body)
        assert (problem["status"], problem["code"]) == (status, code), problem
        assert int(headers["content-length"]) == len(body)
    # an ordinary answer names no server either
    status, headers, body = raw_exchange(
        gateway_url, b"GET /health HTTP/1.1\r\n" + host + b"Connection: close\r\n\r\n")
    assert status == 200 and "server" not in headers and json.loads(body) == {"status": "ok"}
    # and the gateway still answers on a fresh connection
    assert requests.get(f"{gateway_url}/health", timeout=5).status_code == 200


def test_the_openapi_document_states_the_limits(gateway_url):
    document = requests.get(f"{gateway_url}/api/v1/openapi.json", timeout=10).json()
    assert f"at most {MAX_JSON_BYTES} bytes" in document["info"]["description"]
    login = document["paths"][LOGIN]["post"]["responses"]
    assert login["413"]["description"] == f"The body is over {MAX_JSON_BYTES} bytes"
    assert login["413"]["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
    image = document["paths"]["/api/v1/staff/records/{record_id}/image"]["put"]["responses"]
    assert image["413"]["description"] == f"The body is over {5 * MIB} bytes"
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            has_body = "requestBody" in operation
            assert ("413" in operation["responses"]) == has_body, (method, path)
            assert {"414", "431"} <= set(operation["responses"]), (method, path)
