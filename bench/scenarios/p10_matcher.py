"""P10: the duplicate matcher (issue 15, INV-6): `GET /api/v1/staff/records/duplicates` for a
person as staff type them before creating a record, at the gateway, over an agency of 1,000,000
records (P2's dataset, kept in the same database: generated once, shared by both scenarios).

The people asked for are drawn from the agency's own records and altered as intake staff would
type them (the whole person; a misspelt surname with the date of birth; the name and date of
birth alone; the e-mail alone; the phone alone) plus people nobody has. Besides the time, the
scenario checks that the matcher finds the record each altered person came from (a fast matcher
that misses the duplicate in a large agency would be no matcher), and logs the plan of the
candidate query with auto_explain (EXPLAIN ANALYZE, BUFFERS of the records service's own
statement).
"""

from __future__ import annotations

import statistics
import time
from urllib.parse import urlencode

import requests
from sqlalchemy import text

from .. import data, infra, pglog
from ..report import Report, ms, table
from .p2_search import AUTO_EXPLAIN, SHAPES, agencies

ID = "p10"
TITLE = "duplicate matcher: candidates for a person, 1,000,000 records in one agency"
CONNECTIONS = 4
BAR_P95_MS = 50.0
SAMPLED = 40  # records the people asked for are drawn from
PATH = "/api/v1/staff/records/duplicates"


def misspelt(word: str) -> str:
    """One letter dropped from the middle, as typed in a hurry ("Thompson" -> "Thomson")."""
    if len(word) < 5:
        return word
    middle = len(word) // 2
    return word[:middle] + word[middle + 1:]


def people(engine, organization_id: str) -> list[tuple[str, dict, str | None]]:
    """(kind, query, the record it should find or None) for SAMPLED records of the agency,
    spread over it, plus people nobody has."""
    with engine.connect() as conn:
        total = conn.execute(text(
            "SELECT count(*) FROM records.records WHERE organization_id = :o "
            "AND deleted_at IS NULL AND date_of_birth IS NOT NULL"),
            {"o": organization_id}).scalar_one()
        step = max(1, total // SAMPLED)
        rows = conn.execute(text(
            "SELECT id, first_name, last_name, email, phones->0->>'number' AS phone, "
            "date_of_birth FROM (SELECT *, row_number() OVER (ORDER BY case_number) AS n "
            "FROM records.records WHERE organization_id = :o AND deleted_at IS NULL "
            "AND date_of_birth IS NOT NULL) AS r WHERE n % :step = 0 ORDER BY n LIMIT :l"),
            {"o": organization_id, "step": step, "l": SAMPLED}).mappings().all()
    asked = []
    for n, row in enumerate(rows):
        record_id, dob = str(row["id"]), row["date_of_birth"].isoformat()
        kind = ("whole person", "misspelt surname + date of birth", "name + date of birth",
                "e-mail alone", "phone alone")[n % 5]
        query = {
            "whole person": {"first_name": row["first_name"], "last_name": row["last_name"],
                             "date_of_birth": dob, "email": row["email"],
                             "phone": row["phone"]},
            "misspelt surname + date of birth": {
                "first_name": row["first_name"], "last_name": misspelt(row["last_name"]),
                "date_of_birth": dob},
            "name + date of birth": {"first_name": row["first_name"],
                                     "last_name": row["last_name"], "date_of_birth": dob},
            "e-mail alone": {"email": row["email"].upper()},
            "phone alone": {"phone": row["phone"][:5] + " " + row["phone"][5:]},
        }[kind]
        asked.append((kind, query, record_id))
    for first, last, dob in (("Zebedee", "Quixwold", "1961-02-03"),
                             ("Ottoline", "Vranckx", "1999-12-31"),
                             ("Mary", "Smith", "2024-06-30")):
        asked.append(("somebody new", {"first_name": first, "last_name": last,
                                       "date_of_birth": dob}, None))
    return asked


def url_of(query: dict) -> str:
    return f"{PATH}?{urlencode(query)}"


def ask(ctx, query: dict) -> tuple[float, list[dict]]:
    started = time.perf_counter()
    answer = requests.get(ctx.platform.url + url_of(query), headers=ctx.staff.headers,
                          timeout=30)
    took = (time.perf_counter() - started) * 1000
    answer.raise_for_status()
    return took, answer.json()["items"]


def explain(ctx, database: str, url: str, queries: dict[str, dict]) -> dict[str, str]:
    """The plans of the candidate query the records service really runs, from auto_explain."""
    log = pglog.server_log()
    if log is None:
        return {kind: "(the server log is not readable here)" for kind in queries}
    plans = {}
    with pglog.database_settings(database, AUTO_EXPLAIN):
        ctx.platform.scale("records", 1, ctx.vhost, {"CASEWORK_RECORDS_DATABASE_URL": url})
        for kind, query in queries.items():
            offset = pglog.size(log)
            ask(ctx, query)
            entries = pglog.entries_since(log, offset, database) or []
            found = [e for e in entries if "plan:" in e and "records.records" in e]
            plans[kind] = (found[-1].split("plan:", 1)[1].strip("\n") if found
                           else "(no plan logged)")
    return plans


def run(ctx) -> Report:
    report = Report(ID, TITLE)
    shape = "1 agency × 1,000,000"
    database, count, per_org = SHAPES[shape]
    url = infra.prepare_database(database, services=("records",))
    engine = infra.engine(database, pool_size=1)
    try:
        took = data.generate_records(engine, "p2", agencies(ctx.staff.organization_id, count),
                                     per_org, log=ctx.log)
        if took:
            ctx.log(f"bench: {shape} generated in {took:.0f} s")
        ctx.platform.scale("records", 1, ctx.vhost, {"CASEWORK_RECORDS_DATABASE_URL": url})
        asked = people(engine, ctx.staff.organization_id)
        file = ctx.requests_file("p10", [("GET", url_of(q)) for _, q, _ in asked])
        ctx.measure("p10-warmup", ctx.platform.url, file, seconds=3, connections=CONNECTIONS,
                    token=ctx.staff.token)
        with engine.connect() as conn:  # the records service's pool, warm after the warm-up
            backends = [r[0] for r in conn.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"))]
        result = ctx.measure("p10", ctx.platform.url, file, seconds=ctx.args.seconds,
                             connections=CONNECTIONS, token=ctx.staff.token,
                             watch={**ctx.pids("gateway", "records"),
                                    "postgres (records db)": backends})
        p95 = result.latency_ms["p95"]
        report.check(f"p95 at the gateway, {shape}", ms(p95), f"≤ {BAR_P95_MS:g} ms",
                     p95 <= BAR_P95_MS and result.failures() == 0)

        # each person alone, sequentially: the time, and whether the record they came from
        # is found, and how sure the matcher is
        by_kind: dict[str, list] = {}
        for kind, query, expected in asked:
            times, items = [], []
            for _ in range(3):
                took_ms, items = ask(ctx, query)
                times.append(took_ms)
            hit = next((i for i in items if i["record_id"] == expected), None)
            by_kind.setdefault(kind, []).append((statistics.median(times), expected, hit,
                                                 len(items)))
        found_all = all(hit is not None for rows in by_kind.values()
                        for _, expected, hit, _ in rows if expected is not None)
        missed = sum(1 for rows in by_kind.values() for _, expected, hit, _ in rows
                     if expected is not None and hit is None)
        report.check("the record each altered person came from is found",
                     f"{missed} missed of {sum(1 for _, _, e in asked if e)}", "none missed",
                     found_all)
        lines = []
        for kind, rows in by_kind.items():
            grades: dict[str, int] = {}
            for _, expected, hit, _ in rows:
                if expected is not None:
                    key = hit["grade"] if hit else "missed"
                    grades[key] = grades.get(key, 0) + 1
            lines.append([kind, len(rows), ms(statistics.median(r[0] for r in rows)),
                          ms(max(r[0] for r in rows)),
                          ", ".join(f"{g} {n}" for g, n in sorted(grades.items())) or "-",
                          round(statistics.mean(r[3] for r in rows), 1)])
        examples = {kind: next(q for k, q, _ in asked if k == kind) for kind in by_kind}
        plans = explain(ctx, database, url, examples)
        with engine.connect() as conn:
            total = conn.execute(text("SELECT count(*) FROM records.records")).scalar_one()
        body = [
            f"{total:,} records in the database, all in the benchmark's agency; "
            f"{CONNECTIONS} concurrent clients, {ctx.args.seconds:g} s after a 3 s warm-up, "
            f"each request one of {len(asked)} people at random ({SAMPLED} drawn from the "
            "agency's records and altered as below, 3 nobody has).", "",
            table(["req/s", "p50", "p95", "p99", "max", "failed", "machine busy",
                   "CPU ms per request, by process"],
                  [[f"{result.rps:,.0f}", ms(result.latency_ms["p50"]), ms(p95),
                    ms(result.latency_ms["p99"]), ms(result.latency_ms["max"]),
                    result.failures(), f"{100 * result.machine_busy:.0f} %",
                    ", ".join(f"{k} {v:.2f}"
                              for k, v in result.cpu_ms_per_request().items())]]),
            "", "Each person alone (median of 3 sequential requests at the gateway), by how "
            "they were typed; the grade the matcher gave the record they came from:", "",
            table(["typed as", "people", "median", "slowest", "the record's grade",
                   "candidates answered (mean)"], lines),
        ]
        for kind, plan in plans.items():
            body += ["", f"Plan of the candidate query, {kind} (auto_explain: EXPLAIN ANALYZE, "
                     "BUFFERS of the records service's own statement):", "", "```", plan, "```"]
        report.section(shape, "\n".join(body))
    finally:  # the records service goes back to the main benchmark database
        engine.dispose()
        ctx.platform.scale("records", 1, ctx.vhost)
    return report
