"""P1: GET /api/v1/staff/records/{id} through the gateway (real token, tenant scope, audit row,
one indexed read), 32 concurrent clients, measured in the same run against (a) a minimal
single-process HTTP app and (b) the barest nameko path (bench/baselines/).

The three targets are measured in interleaved rounds (ours, a, b, ours, a, b, ...) so that the
noise of a shared machine falls on all of them; ratios use the median of the rounds.
"""

from __future__ import annotations

import statistics

from sqlalchemy import text

from ..machine import find_pid, rss_mib
from ..report import Report, ms, table

ID = "p1"
TITLE = "record read through the gateway vs. baselines, 32 concurrent clients"
CONNECTIONS = 32
WARMUP_SECONDS = 3

TARGETS = {
    "ours": "Casework gateway → records (auth, tenant scope, audit row)",
    "a": "(a) minimal HTTP app: Starlette + uvicorn + psycopg pool, one process",
    "b": "(b) barest nameko: @http gateway + one RPC, no auth, no audit",
}


def median_of(measurements, figure):
    return statistics.median(figure(m) for m in measurements)


def audit_check(ctx, run_prefix: str) -> tuple[int, int]:
    """Audit rows written by this run's requests, and how many distinct request ids they have."""
    with ctx.engine.connect() as conn:
        rows, distinct = conn.execute(text(
            "SELECT count(*), count(DISTINCT request_id) FROM records.audit_entries "
            "WHERE organization_id = :o AND action = 'record_read' AND request_id LIKE :p"),
            {"o": ctx.staff.organization_id, "p": run_prefix + "%"}).one()
    return rows, distinct


def table_rows(ctx) -> int:
    with ctx.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM records.records")).scalar_one()


def run(ctx) -> Report:
    report = Report(ID, TITLE)
    ids = ctx.read_ids
    urls = {"ours": ctx.platform.url, **ctx.baselines()}
    files = {
        "ours": ctx.requests_file("p1-ours", [("GET", f"/api/v1/staff/records/{i}")
                                              for i in ids]),
        "a": ctx.requests_file("p1-base", [("GET", f"/records/{i}") for i in ids]),
    }
    files["b"] = files["a"]
    watch = {"ours": ctx.pids("gateway", "records", "identity"), "a": ctx.pids("baseline-a"),
             "b": ctx.pids("baseline-b-gateway", "baseline-b-records")}
    broker = find_pid("beam.smp")  # the shared RabbitMQ: its CPU per request is telling too
    if broker:
        watch["ours"]["rabbitmq (shared)"] = watch["b"]["rabbitmq (shared)"] = broker
    tokens = {"ours": ctx.staff.token, "a": "", "b": ""}

    for name in TARGETS:  # warm-up: connections, pools, caches
        ctx.measure(f"p1-warmup-{name}", urls[name], files[name], seconds=WARMUP_SECONDS,
                    connections=CONNECTIONS, token=tokens[name])
    results = {name: [] for name in TARGETS}
    for round_no in range(1, ctx.args.rounds + 1):
        for name in TARGETS:
            # the benchmark database serves only this target while it is measured
            watch[name]["postgres (benchmark db)"] = ctx.database_backends()
            results[name].append(ctx.measure(
                f"p1-{name}-r{round_no}", urls[name], files[name], seconds=ctx.args.seconds,
                connections=CONNECTIONS, token=tokens[name], watch=watch[name]))

    rps = {n: median_of(ms_, lambda m: m.rps) for n, ms_ in results.items()}
    p50 = {n: median_of(ms_, lambda m: m.latency_ms["p50"]) for n, ms_ in results.items()}
    p99 = {n: median_of(ms_, lambda m: m.latency_ms["p99"]) for n, ms_ in results.items()}
    tail = p99["ours"] / p50["ours"]
    failures = sum(m.failures() for ms_ in results.values() for m in ms_)

    report.check("throughput ours / (b)", f"{rps['ours'] / rps['b']:.2f}× "
                 f"({rps['ours']:,.0f} vs {rps['b']:,.0f} req/s)", "≥ 1.0", rps["ours"] >= rps["b"])
    report.check("p99 / p50 (ours)", f"{tail:.2f} ({ms(p99['ours'])} / {ms(p50['ours'])})",
                 "≤ 4", tail <= 4)
    report.check("throughput ours / (a)", f"{rps['ours'] / rps['a']:.2f}× "
                 f"({rps['ours']:,.0f} vs {rps['a']:,.0f} req/s)", "≥ 0.5 (goal)",
                 rps["ours"] >= 0.5 * rps["a"], kind="goal")
    report.check("failed requests (all targets)", str(failures), "0", failures == 0)

    # every successful read wrote exactly one audit row (REC-15), and none twice
    ours = results["ours"]
    ok = sum(m.ok for m in ours)
    audit_rows, distinct = audit_check(ctx, f"{ctx.run_id}-p1-ours-r")
    in_flight = CONNECTIONS * len(ours)  # requests sent when wrk stopped, answered afterwards
    report.check("audit rows of the measured reads", f"{audit_rows:,} rows, {distinct:,} "
                 f"request ids, {ok:,} reads answered 200",
                 f"one per request id; {ok:,} ≤ rows ≤ {ok:,} + {in_flight}",
                 audit_rows == distinct and ok <= audit_rows <= ok + in_flight)

    rows = []
    for name, label in TARGETS.items():
        for m in results[name]:
            cpu = ", ".join(f"{k} {v:.2f}" for k, v in m.cpu_ms_per_request().items())
            rows.append([label if m is results[name][0] else "", m.label.rsplit("-", 1)[1],
                         f"{m.rps:,.0f}", ms(m.latency_ms["p50"]), ms(m.latency_ms["p95"]),
                         ms(m.latency_ms["p99"]), f"{m.tail_ratio:.2f}", ms(m.latency_ms["max"]),
                         m.failures(), f"{100 * m.machine_busy:.0f} %", cpu])
    report.section("Measurements", table(
        ["target", "round", "req/s", "p50", "p95", "p99", "p99/p50", "max", "failed",
         "machine busy", "CPU ms per request, by process"], rows))
    report.section("Medians and ratios", table(
        ["target", "req/s", "p50", "p99", "p99/p50", "ours ÷ target"],
        [[TARGETS[n], f"{rps[n]:,.0f}", ms(p50[n]), ms(p99[n]), f"{p99[n] / p50[n]:.2f}",
          f"{rps['ours'] / rps[n]:.2f}"] for n in TARGETS]))
    rss = ctx.platform.rss()
    rss.update({label: rss_mib(pid) for label, pid in ctx.pids(
        "baseline-a", "baseline-b-gateway", "baseline-b-records").items()})
    report.section("Memory (RSS) of every process after the run",
                   table(["process", "RSS MiB"], [[k, f"{v:.1f}" if v else "gone"]
                                                  for k, v in rss.items()]))
    report.section("Set-up", "\n".join([
        f"- {CONNECTIONS} connections, {ctx.args.seconds:g} s per measurement, "
        f"{ctx.args.rounds} interleaved rounds, {WARMUP_SECONDS} s warm-up per target first",
        f"- each request reads a random one of {len(ids):,} records of one agency "
        f"(the records table holds {table_rows(ctx):,} rows)",
        "- ours: gateway (64 workers) → records (10 workers, 10 connections) over RabbitMQ; "
        "(b): the same worker and pool sizes, nameko defaults otherwise (publisher confirms on); "
        "(a): one uvicorn process, uvloop + httptools, psycopg async pool of 10",
        "- CPU ms per request: CPU time each process used during the measurement divided by the "
        "requests answered; postgres: the backends connected to the benchmark database; "
        "rabbitmq: the shared broker, whose other users' work is included; machine busy: all "
        "cores, whoever used them (wrk, other developers' tests)",
    ]))
    return report
