"""P2: global search `q=` with misspelt partial names, at the gateway, over (A) 1,000,000 records
in one agency and (B) 100 agencies of 10,000 records (the searching agency is one of them).

Each data shape lives in its own database (records schema only, generated set-based and kept
between runs); the records service is restarted on it with CASEWORK_RECORDS_DATABASE_URL while
identity and the gateway stay on the main benchmark database. The plans are EXPLAIN (ANALYZE,
BUFFERS) of the statements the records service itself runs, logged by auto_explain.
"""

from __future__ import annotations

import statistics
import time
import uuid
from urllib.parse import quote

import requests
from sqlalchemy import text

from .. import data, infra, pglog
from ..context import DATABASE as BENCH_DATABASE
from ..report import Report, ms, table

ID = "p2"
TITLE = "global search by misspelt partial name, 1,000,000 records"
CONNECTIONS = 4
BAR_P95_MS = 50.0
SHAPES = {
    # named after the benchmark's database (CASEWORK_BENCH_DATABASE): two checkouts at different
    # migrations keep their own datasets
    "1 agency × 1,000,000": (f"{BENCH_DATABASE}_search_1m", 1, 1_000_000),
    "100 agencies × 10,000": (f"{BENCH_DATABASE}_search_100x10k", 100, 10_000),
}
NAMESPACE = uuid.UUID("0b5c1e2a-6f0d-4a55-9a3e-3c1d2b7e9f10")
AUTO_EXPLAIN = {"session_preload_libraries": "auto_explain",
                "auto_explain.log_min_duration": "0", "auto_explain.log_analyze": "on",
                "auto_explain.log_buffers": "on"}
EXPLAINED = ("thompsn", "margret thomps", "lovlace")


def agencies(own: str, count: int) -> list[str]:
    return [own] + [str(uuid.uuid5(NAMESPACE, f"agency-{i}")) for i in range(1, count)]


def explain(ctx, database: str, url: str, queries: list[str]) -> dict[str, str]:
    """The plans of the statements the records service really runs for ``queries``, with
    EXPLAIN ANALYZE's figures, from auto_explain in the server log (bench/pglog.py)."""
    log = pglog.server_log()
    if log is None:
        return {q: "(the server log is not readable here)" for q in queries}
    plans = {}
    with pglog.database_settings(database, AUTO_EXPLAIN):
        ctx.platform.scale("records", 1, ctx.vhost, {"CASEWORK_RECORDS_DATABASE_URL": url})
        for q in queries:
            offset = pglog.size(log)
            per_query(ctx, q, repeat=1)
            entries = pglog.entries_since(log, offset, database) or []
            found = [e for e in entries if "plan:" in e and "records.records" in e
                     and "outbox" not in e]
            plans[q] = (found[-1].split("plan:", 1)[1].strip("\n") if found
                        else "(no plan logged)")
    return plans


def per_query(ctx, q: str, repeat: int = 5) -> tuple[float, int]:
    url = f"{ctx.platform.url}/api/v1/staff/records?q={quote(q)}"
    times, found = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        answer = requests.get(url, headers=ctx.staff.headers, timeout=30)
        times.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
        found = len(answer.json()["items"])
    return statistics.median(times), found


def measure_shape(ctx, report: Report, shape: str, database: str, count: int, per_org: int):
    url = infra.prepare_database(database, services=("records",))
    engine = infra.engine(database, pool_size=1)
    took = data.generate_records(engine, "p2", agencies(ctx.staff.organization_id, count),
                                 per_org, log=ctx.log)
    if took:
        ctx.log(f"bench: {shape} generated in {took:.0f} s")
    ctx.platform.scale("records", 1, ctx.vhost, {"CASEWORK_RECORDS_DATABASE_URL": url})
    lines = [("GET", f"/api/v1/staff/records?q={quote(q)}") for q in data.MISSPELT_QUERIES]
    file = ctx.requests_file(f"p2-{database}", lines)
    ctx.measure(f"p2-warmup-{count}", ctx.platform.url, file, seconds=3,
                connections=CONNECTIONS, token=ctx.staff.token)
    result = ctx.measure(f"p2-{count}", ctx.platform.url, file, seconds=ctx.args.seconds,
                         connections=CONNECTIONS, token=ctx.staff.token,
                         watch=ctx.pids("gateway", "records"))
    p95 = result.latency_ms["p95"]
    report.check(f"p95 at the gateway, {shape}", ms(p95), f"≤ {BAR_P95_MS:g} ms",
                 p95 <= BAR_P95_MS and result.failures() == 0)
    queries = [(q, *per_query(ctx, q)) for q in data.MISSPELT_QUERIES]
    plans = explain(ctx, database, url, list(EXPLAINED))
    with engine.connect() as conn:
        indexes = sorted(data.trigram_indexes(conn))
    used = sorted({i for i in indexes for plan in plans.values() if i in plan})
    uses_index = all(any(i in plan for i in indexes) for plan in plans.values())
    report.check(f"plan uses a trigram index, {shape}",
                 ", ".join(used) or "no", "a gin_trgm_ops index in every plan", uses_index)
    with engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM records.records")).scalar_one()
    engine.dispose()
    body = [
        f"{total:,} records in the database; {CONNECTIONS} concurrent clients, "
        f"{ctx.args.seconds:g} s after a 3 s warm-up, each request one of "
        f"{len(data.MISSPELT_QUERIES)} misspelt queries at random.", "",
        table(["req/s", "p50", "p95", "p99", "max", "failed"],
              [[f"{result.rps:,.0f}", ms(result.latency_ms["p50"]), ms(p95),
                ms(result.latency_ms["p99"]), ms(result.latency_ms["max"]),
                result.failures()]]),
        "", "Each query alone (median of 5 sequential requests at the gateway):", "",
        table(["q", "median", "results (page of 50)"],
              [[f"`{q}`", ms(t), n] for q, t, n in queries]),
    ]
    for q, plan in plans.items():
        body += ["", f"Plan of `q={q}` (auto_explain: EXPLAIN ANALYZE, BUFFERS of the "
                 "records service's own statement):", "", "```", plan, "```"]
    report.section(shape, "\n".join(body))


def run(ctx) -> Report:
    report = Report(ID, TITLE)
    try:
        for shape, (database, count, per_org) in SHAPES.items():
            measure_shape(ctx, report, shape, database, count, per_org)
    finally:  # the records service goes back to the main benchmark database
        ctx.platform.scale("records", 1, ctx.vhost)
    return report
