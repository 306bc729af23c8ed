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


SERVICE_GAUGES = {
    "outbox_pending": "events committed but not yet published",
    "outbox_lag_seconds": "age of the oldest unpublished event",
    "dead_letters_pending": "dead-lettered events not replayed yet",
}


def render(service_figures: dict[str, dict] | None = None) -> bytes:
    """The gateway's own metrics, then each service's messaging gauges."""
    lines = [generate_latest(registry).decode()]
    for gauge, meaning in SERVICE_GAUGES.items():
        lines.append(f"# HELP casework_{gauge} {meaning}\n# TYPE casework_{gauge} gauge\n")
        for service, figures in sorted((service_figures or {}).items()):
            lines.append(f'casework_{gauge}{{service="{service}"}} {float(figures[gauge])}\n')
    return "".join(lines).encode()
