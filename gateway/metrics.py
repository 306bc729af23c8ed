"""Prometheus metrics of the gateway (``GET /metrics``)."""

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

registry = CollectorRegistry()
requests_total = Counter("casework_http_requests_total", "HTTP requests answered",
                         ["route", "method", "status"], registry=registry)
request_seconds = Histogram("casework_http_request_seconds", "HTTP request duration",
                            ["route"], registry=registry,
                            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def observe(route, status: int, seconds: float) -> None:
    requests_total.labels(route.name, route.method, str(status)).inc()
    request_seconds.labels(route.name).observe(seconds)


def render() -> bytes:
    return generate_latest(registry)
