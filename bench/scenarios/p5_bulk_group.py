"""P5: bulk add of 10,000 records to a group, POST /api/v1/staff/groups/{id}/members/bulk (API.md),
timed at the client, with the number of SQL statements it took.

Counting statements: pg_stat_statements needs a server restart to load, so PostgreSQL's own
statement log is used instead, confined to a database of this scenario: the records service is
restarted on `casework_bench_p5` (records schema only) after `ALTER DATABASE casework_bench_p5 SET
log_statement = 'all'`; the log lines of that database written during the request are counted
(log_line_prefix carries the database name) and the setting is reset afterwards. Nothing else
uses that database, and the relay's outbox sweeps in the window are counted apart.
"""

from __future__ import annotations

import re
import statistics
import time

import requests

from .. import data, infra, pglog
from ..report import Report, table

ID = "p5"
TITLE = "bulk add of 10,000 records to a group"
DATABASE = "casework_bench_p5"
SIZES = (1_000, 10_000)
BAR_SECONDS = 2.0
BULK_PATH = "/api/v1/staff/groups/{id}/members/bulk"
STATEMENT = re.compile(r" LOG:\s+(?:statement|execute [^:]*):\s*(.*)", re.DOTALL)
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def classify(statements: list[str]) -> dict[str, int]:
    kinds = {"work": 0, "transaction control": 0, "relay sweep": 0, "health": 0}
    for statement in statements:
        upper = statement.strip().upper()
        if upper.startswith(CONTROL):
            kinds["transaction control"] += 1
        elif "OUTBOX" in upper and not upper.startswith("INSERT"):
            kinds["relay sweep"] += 1
        elif upper in ("SELECT 1", "SELECT 1;"):
            kinds["health"] += 1
        else:
            kinds["work"] += 1
    return kinds


def statements_since(log, offset: int) -> list[str] | None:
    entries = pglog.entries_since(log, offset, DATABASE)
    if entries is None:
        return None
    return [m.group(1) for m in map(STATEMENT.search, entries) if m]


def contract_missing(ctx) -> bool:
    document = requests.get(f"{ctx.platform.url}/api/v1/openapi.json", timeout=10).json()
    return BULK_PATH.replace("{id}", "{group_id}") not in document.get("paths", {}) and \
        BULK_PATH not in document.get("paths", {})


def bulk_add(ctx, ids: list[str], log) -> tuple[float, dict, list[str] | None]:
    headers = ctx.staff.headers
    group = requests.post(f"{ctx.platform.url}/api/v1/staff/groups", headers=headers,
                          json={"name": f"bench {ctx.run_id} {len(ids)} {time.time_ns()}"},
                          timeout=30)
    group.raise_for_status()
    offset = pglog.size(log)
    started = time.perf_counter()
    answer = requests.post(f"{ctx.platform.url}{BULK_PATH.format(id=group.json()['id'])}",
                           headers=headers, json={"add": ids, "remove": []}, timeout=120)
    seconds = time.perf_counter() - started
    if answer.status_code != 200:
        raise RuntimeError(f"bench: bulk add answered {answer.status_code}: {answer.text[:500]}")
    return seconds, answer.json(), statements_since(log, offset)


def run(ctx) -> Report:
    report = Report(ID, TITLE)
    if contract_missing(ctx):
        report.check("bulk add of 10,000 records", "route not in the OpenAPI document",
                     f"≤ {BAR_SECONDS:g} s", None)
        report.notes.append(f"POST {BULK_PATH} (API.md) is not served yet: this scenario is "
                            "written against the contract and runs once the route exists.")
        return report
    url = infra.prepare_database(DATABASE, services=("records",))
    engine = infra.engine(DATABASE, pool_size=1)
    # ~1 % of generated records are soft-deleted: generate more than the live ones needed
    data.generate_records(engine, "p5", [ctx.staff.organization_id], max(SIZES) * 11 // 10,
                          log=ctx.log)
    ids = data.record_ids(engine, ctx.staff.organization_id, max(SIZES))
    log = pglog.server_log()
    try:
        with pglog.database_settings(DATABASE, {"log_statement": "all"}):
            ctx.platform.scale("records", 1, ctx.vhost, {"CASEWORK_RECORDS_DATABASE_URL": url})
            runs = {size: [bulk_add(ctx, ids[:size], log) for _ in range(3)] for size in SIZES}
    finally:
        ctx.platform.scale("records", 1, ctx.vhost)
        engine.dispose()

    big = runs[max(SIZES)]
    seconds = statistics.median(r[0] for r in big)
    added_ok = all(r[1].get("added") == max(SIZES) for r in big)
    report.check("bulk add of 10,000 records (median of 3, at the client)", f"{seconds:.2f} s",
                 f"≤ {BAR_SECONDS:g} s", seconds <= BAR_SECONDS and added_ok)
    counts = {size: [classify(r[2]) if r[2] is not None else None for r in rs]
              for size, rs in runs.items()}
    work = {size: [c["work"] for c in cs if c] for size, cs in counts.items()}
    if all(work.values()):
        per_batch = max(work[max(SIZES)])
        report.check("SQL statements of one bulk add of 10,000", f"{per_batch} "
                     f"(1,000 records: {max(work[min(SIZES)])})",
                     "no statement per record (< 100)", per_batch < 100)
    else:
        report.check("SQL statements of one bulk add of 10,000", "not measured (server log "
                     "not readable here)", "no statement per record", None)
    rows = []
    for size, rs in runs.items():
        for (secs, body, _), kinds in zip(rs, counts[size], strict=True):
            rows.append([f"{size:,}", f"{secs:.3f}", body.get("added"), body.get("removed"),
                         len(body.get("results", [])),
                         ", ".join(f"{k} {v}" for k, v in kinds.items()) if kinds else "n/a"])
    report.section("Runs", table(["records", "seconds", "added", "removed", "results",
                                  "statements logged in the request's window"], rows))
    sample = next((r[2] for r in big if r[2]), None) or []
    work = [s for s in sample if classify([s])["work"]]
    report.section("Statements of one 10,000-record bulk add (first 300 characters each)",
                   "```\n" + "\n".join(s[:300] for s in work) + "\n```")
    return report
