"""P4: slot suggestions over 4 weeks for 1 client and 50 practitioners with 200 sessions each,
GET /api/v1/staff/scheduling/slots (API.md "Staff: scheduling"), timed at the client: median and
p95 (bar: p95 <= 100 ms), and how it grows with 100 and 200 practitioners.

The dataset is written straight into scheduling's tables of the benchmark database (what
scheduling would have learnt from the bus and booked): practitioners as active staff users of
the benchmark agency (Europe/London), each available Monday to Friday 08:00-12:00 and
13:00-18:00 local, the client Monday to Friday 08:00-18:00 local, and 200 sessions of 45 minutes
per practitioner at random quarter-hours between 08:00 and 18:00 UTC of the 4 weeks (so the
local 08:00-09:00 of each weekday, 07:00-08:00 UTC in summer, stays free). Everything is
removed afterwards. Requests run one after another on one keep-alive connection after a warm-up.
"""

from __future__ import annotations

import statistics
import time
import uuid

import requests
from sqlalchemy import text

from .. import machine
from ..report import Report, table

ID = "p4"
TITLE = "slot suggestions, 4 weeks, 1 client x 50 practitioners with 200 sessions each"
SLOTS_PATH = "/api/v1/staff/scheduling/slots"
SIZES = (50, 100, 200)
SESSIONS_EACH = 200
FIRST, LAST = "2031-06-02", "2031-06-29"  # Monday to Sunday, 4 weeks
WARMUP, MEASURED = 20, 200
BAR_MS = 100.0
TIMEZONE = "Europe/London"  # the benchmark agency's (bench/tokens.py)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


def contract_missing(ctx) -> bool:
    document = requests.get(f"{ctx.platform.url}/api/v1/openapi.json", timeout=10).json()
    return SLOTS_PATH not in document.get("paths", {})


def seed(engine, organization_id: str, client_id: str, practitioner_ids: list[str],
         marker: str) -> None:
    client_week = {day: [[8 * 60, 18 * 60]] for day in WEEKDAYS}
    practitioner_week = {day: [[8 * 60, 12 * 60], [13 * 60, 18 * 60]] for day in WEEKDAYS}
    with engine.begin() as conn:
        # the agency's zone, as identity's organization_created told scheduling (kept if known)
        conn.execute(text(
            "INSERT INTO scheduling.organizations (organization_id, timezone, changed_at)"
            " VALUES (:o, :z, now()) ON CONFLICT (organization_id) DO NOTHING"),
            {"o": organization_id, "z": TIMEZONE})
        conn.execute(text(
            "INSERT INTO scheduling.clients (record_id, organization_id, kind, status)"
            " VALUES (:c, :o, 'client', 'active')"), {"c": client_id, "o": organization_id})
        conn.execute(text(
            "INSERT INTO scheduling.staff_users (user_id, organization_id, name, active,"
            " changed_at) SELECT u, :o, 'Bench practitioner', true, now()"
            " FROM unnest(CAST(:ids AS uuid[])) AS u"),
            {"o": organization_id, "ids": practitioner_ids})
        conn.execute(text(
            "INSERT INTO scheduling.availability (owner_kind, owner_id, organization_id, weekly)"
            " VALUES ('client', :c, :o, CAST(:w AS jsonb))"),
            {"c": client_id, "o": organization_id, "w": _json(client_week)})
        conn.execute(text(
            "INSERT INTO scheduling.availability (owner_kind, owner_id, organization_id, weekly)"
            " SELECT 'practitioner', u, :o, CAST(:w AS jsonb)"
            " FROM unnest(CAST(:ids AS uuid[])) AS u"),
            {"o": organization_id, "ids": practitioner_ids, "w": _json(practitioner_week)})
        conn.execute(text(
            "WITH booked AS MATERIALIZED ("
            "  SELECT gen_random_uuid() AS id, u AS user_id,"
            "         CAST(:first AS timestamptz) + make_interval(days => (random() * 27)::int)"
            "         + make_interval(mins => 480 + 15 * (random() * 37)::int) AS starts_at"
            "  FROM unnest(CAST(:ids AS uuid[])) AS u, generate_series(1, :each)),"
            " made AS (INSERT INTO scheduling.sessions (id, organization_id, starts_at, ends_at,"
            "          title) SELECT id, :o, starts_at, starts_at + interval '45 minutes', :m"
            "          FROM booked RETURNING id)"
            " INSERT INTO scheduling.session_practitioners (session_id, user_id,"
            " organization_id, starts_at, ends_at)"
            " SELECT id, user_id, :o, starts_at, starts_at + interval '45 minutes'"
            " FROM booked"),
            {"first": f"{FIRST}T00:00:00Z", "ids": practitioner_ids, "each": SESSIONS_EACH,
             "o": organization_id, "m": marker})
        conn.execute(text("ANALYZE scheduling.sessions"))
        conn.execute(text("ANALYZE scheduling.session_practitioners"))


def clean(engine, organization_id: str, client_id: str, practitioner_ids: list[str],
          marker: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM scheduling.sessions WHERE organization_id = :o"
                          " AND title = :m"), {"o": organization_id, "m": marker})
        conn.execute(text("DELETE FROM scheduling.availability WHERE organization_id = :o"
                          " AND owner_id = ANY(CAST(:ids AS uuid[]))"),
                     {"o": organization_id, "ids": [client_id, *practitioner_ids]})
        conn.execute(text("DELETE FROM scheduling.staff_users WHERE user_id ="
                          " ANY(CAST(:ids AS uuid[]))"), {"ids": practitioner_ids})
        conn.execute(text("DELETE FROM scheduling.clients WHERE record_id = :c"),
                     {"c": client_id})


def _json(value) -> str:
    import json

    return json.dumps(value)


def cpu_now(ctx) -> dict[str, float]:
    """CPU seconds used so far by the gateway, the scheduling service and the database's
    backends: what a request costs, whatever else the machine is doing."""
    pids = ctx.pids("gateway", "scheduling")
    return {"gateway": machine.cpu_seconds([p for k, p in pids.items() if "gateway" in k]),
            "scheduling": machine.cpu_seconds([p for k, p in pids.items()
                                               if "scheduling" in k]),
            "postgres": machine.cpu_seconds(ctx.database_backends())}


def measure(ctx, client_id: str, practitioner_ids: list[str]) -> tuple[list[float], dict]:
    session = requests.Session()
    session.headers.update(ctx.staff.headers)
    params = {"client_id": client_id, "practitioner_id": ",".join(practitioner_ids),
              "from": FIRST, "to": LAST, "duration_minutes": 30}
    url = f"{ctx.platform.url}{SLOTS_PATH}"
    body = {}
    timings = []
    cpu_before: dict[str, float] = {}
    for n in range(WARMUP + MEASURED):
        if n == WARMUP:
            cpu_before = cpu_now(ctx)
        started = time.perf_counter()
        answer = session.get(url, params=params, timeout=30)
        elapsed = (time.perf_counter() - started) * 1000
        if answer.status_code != 200:
            raise RuntimeError(f"bench: slots answered {answer.status_code}: "
                               f"{answer.text[:500]}")
        if n >= WARMUP:
            timings.append(elapsed)
        body = answer.json()
    cpu_after = cpu_now(ctx)
    session.close()
    body["cpu_ms"] = {k: 1000 * (cpu_after[k] - cpu_before[k]) / MEASURED for k in cpu_after}
    body["load"] = machine.load_average()
    return timings, body


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run(ctx) -> Report:
    report = Report(ID, TITLE)
    if contract_missing(ctx):
        report.check("slot suggestions, 50 practitioners", "route not in the OpenAPI document",
                     f"p95 ≤ {BAR_MS:g} ms", None)
        return report
    engine, org = ctx.engine, ctx.staff.organization_id
    results = {}
    for size in SIZES:
        client_id = str(uuid.uuid4())
        practitioner_ids = [str(uuid.uuid4()) for _ in range(size)]
        marker = f"bench p4 {ctx.run_id} {size}"
        ctx.log(f"  p4: {size} practitioners x {SESSIONS_EACH} sessions")
        try:
            seed(engine, org, client_id, practitioner_ids, marker)
            timings, body = measure(ctx, client_id, practitioner_ids)
        finally:
            clean(engine, org, client_id, practitioner_ids, marker)
        results[size] = (timings, body)
        ctx.log(f"  p4: {size}: median {statistics.median(timings):.1f} ms, "
                f"p95 {percentile(timings, 0.95):.1f} ms, {len(body['items'])} windows")
    base = results[SIZES[0]][0]
    p95 = percentile(base, 0.95)
    report.check(f"slots, 4 weeks, 1 client x {SIZES[0]} practitioners x {SESSIONS_EACH} "
                 f"sessions: p95 of {MEASURED}", f"{p95:.1f} ms (median "
                 f"{statistics.median(base):.1f} ms)", f"p95 ≤ {BAR_MS:g} ms", p95 <= BAR_MS)
    rows = []
    for size, (timings, body) in results.items():
        cpu = body["cpu_ms"]
        rows.append([size, f"{size * SESSIONS_EACH:,}", f"{statistics.median(timings):.1f}",
                     f"{percentile(timings, 0.95):.1f}", f"{max(timings):.1f}",
                     f"{statistics.median(timings) / statistics.median(base):.2f}x",
                     len(body["items"]), f"{cpu['gateway']:.1f} / {cpu['scheduling']:.1f} / "
                     f"{cpu['postgres']:.1f}", body["load"]])
        if size != SIZES[0]:
            report.check(f"growth: {size} practitioners", f"median "
                         f"{statistics.median(timings):.1f} ms, p95 "
                         f"{percentile(timings, 0.95):.1f} ms", "reported", None, kind="info")
    report.section("Runs (sequential requests on one connection, after a warm-up of "
                   f"{WARMUP})", table(["practitioners", "sessions", "median ms", "p95 ms",
                                        "max ms", "median vs 50", "free windows",
                                        "CPU ms per request: gateway / scheduling / postgres",
                                        "load average after"], rows))
    report.notes.append("The service reads the client's and the practitioners' availability "
                        "and the sessions in the range in three statements, then intersects "
                        "and subtracts sorted interval lists (services/scheduling/domain.py): "
                        "work grows with the number of sessions, not with minutes.")
    report.notes.append("The CPU per request (all of it on this machine's cores) says what a "
                        "suggestion costs whatever else runs; the latencies include waiting for "
                        "a core when the load average is above the 2 cores.")
    return report
