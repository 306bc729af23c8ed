"""Soak: a mixed load (reads, searches, creations) for `--minutes` (10 by default; `make soak`),
sampling every service's RSS, the platform's PostgreSQL connections (pg_stat_activity) and the
RabbitMQ queue depths of the benchmark's vhost. Nothing may grow; queues drain at the end.
"""

from __future__ import annotations

import json
import statistics
import time

from sqlalchemy import text

from ..data import MISSPELT_QUERIES
from ..report import Report, ms, table

ID = "soak"
TITLE = "soak: no growth of memory, connections or queues"
IN_ALL = False  # `make soak`: ten minutes is too long for `make bench`
CONNECTIONS = 16
MEMORY_SLACK_MIB = 8.0
MEMORY_SLACK_SHARE = 0.05


def connections(ctx) -> int:
    with ctx.engine.connect() as conn:
        return conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = 'casework'")).scalar_one()


def sample(ctx, started: float) -> dict:
    queues = ctx.vhost.queues()
    return {"t": time.monotonic() - started, "rss": ctx.platform.rss(),
            "connections": connections(ctx),
            "queued": sum(int(q.get("messages", 0)) for q in queues),
            "deepest": max((int(q.get("messages", 0)) for q in queues), default=0)}


def requests_mix(ctx):
    lines = [("GET", f"/api/v1/staff/records/{i}") for i in ctx.read_ids[:1600]]
    lines += [("GET", f"/api/v1/staff/records?q={q.replace(' ', '%20')}")
              for q in MISSPELT_QUERIES] * 15
    lines += [("POST", "/api/v1/staff/records", json.dumps(
        {"first_name": "Soak", "last_name": "Test", "kind": "client"}))] * 100
    return ctx.requests_file("soak-mix", lines)  # ~80 % reads, 15 % searches, 5 % creations


def run(ctx) -> Report:
    report = Report(ID, TITLE)
    total = ctx.args.minutes * 60
    chunk = min(30.0, max(5.0, total / 6))
    mix = requests_mix(ctx)
    started = time.monotonic()
    ctx.measure("soak-warmup", ctx.platform.url, mix, seconds=min(20, chunk),
                connections=CONNECTIONS, token=ctx.staff.token)
    samples, loads = [sample(ctx, started)], []
    load_started = time.monotonic()
    while time.monotonic() - load_started < total - 1:
        seconds = min(chunk, total - (time.monotonic() - load_started))
        loads.append(ctx.measure(f"soak-{len(loads) + 1}", ctx.platform.url, mix,
                                 seconds=max(1, seconds), connections=CONNECTIONS,
                                 token=ctx.staff.token))
        samples.append(sample(ctx, started))
    time.sleep(10)  # rest: the outbox relays and consumers drain
    rest = sample(ctx, started)

    third = max(1, len(samples) // 3)
    for label in samples[0]["rss"]:
        first = max(s["rss"][label] or 0 for s in samples[:third])
        last = rest["rss"][label] or 0
        slack = max(MEMORY_SLACK_MIB, MEMORY_SLACK_SHARE * first)
        report.check(f"{label} RSS", f"{first:.1f} → {last:.1f} MiB",
                     f"no growth (≤ +{slack:.1f} MiB)", last <= first + slack)
    # pools open and close overflow connections as load comes and goes: a leak shows as a
    # rising level, so the typical level late is compared with the level early
    early = statistics.median(s["connections"] for s in samples[:third])
    late = statistics.median(s["connections"] for s in samples[-third:])
    ceiling = max(s["connections"] for s in samples[:third])
    report.check("PostgreSQL connections of the platform",
                 f"median {early:g} early, {late:g} late; {rest['connections']} at rest "
                 f"(range {min(s['connections'] for s in samples)}–"
                 f"{max(s['connections'] for s in samples)})",
                 "no growth: late median ≤ early median + 1, at rest ≤ early maximum",
                 late <= early + 1 and rest["connections"] <= ceiling)
    report.check("queue depth after the load", f"{rest['queued']} messages "
                 f"(deepest during the load: {max(s['deepest'] for s in samples)})",
                 "0 at rest", rest["queued"] == 0)
    failures = sum(m.failures() for m in loads)
    report.check("failed requests", f"{failures} of {sum(m.requests for m in loads):,}", "0",
                 failures == 0)
    labels = list(samples[0]["rss"])
    report.section("Samples", table(
        ["t (s)", *labels, "connections", "queued", "req/s", "p99"],
        [[f"{s['t']:.0f}", *(f"{s['rss'][k]:.1f}" for k in labels), s["connections"],
          s["queued"], f"{m.rps:,.0f}" if m else "", ms(m.latency_ms["p99"]) if m else ""]
         for s, m in zip(samples + [rest], [None, *loads, None], strict=True)]))
    report.section("Set-up", (
        f"{ctx.args.minutes:g} minutes of load in chunks of {chunk:.0f} s, {CONNECTIONS} "
        "connections; mix: 80 % record reads, 15 % misspelt-name searches, 5 % creations. "
        f"Median throughput {statistics.median(m.rps for m in loads):,.0f} req/s. "
        "RSS in MiB; connections: pg_stat_activity rows of the platform's services "
        "(application_name casework); queued: messages in all queues of the run's vhost."))
    return report
