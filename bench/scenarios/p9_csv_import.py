"""P9: `casework import records` of a CSV file of 100,000 client rows (issue 18), run as the
operator runs it (its own process, through the records service's RPC in batches of 1,000, one
set-based insert each), timed from start to exit; then the same file again, which must create
nothing (every row a duplicate of what the first run made).

The records service runs on its own database (`casework_bench_p9`, records schema only), emptied
before the run; identity and the gateway stay on the main benchmark database. The file is
generated with a fixed seed: names, e-mail, a phone, a date of birth for most rows, a case number
for half of them, and a few rows that must be refused or flagged.
"""

from __future__ import annotations

import csv
import random
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from .. import data, infra, tokens
from ..context import DATABASE as BENCH_DATABASE
from ..report import Report, table

ID = "p9"
TITLE = "CSV import of 100,000 client records"
DATABASE = f"{BENCH_DATABASE}_p9"
ROWS = 100_000
REFUSED = 100  # rows without a last name
DUPLICATES = 100  # rows 101 to 200 repeat the case number of one of rows 1 to 100
ROOT = Path(__file__).resolve().parents[2]


def write_file(path: Path) -> None:
    rng = random.Random(42)
    columns = ("case_number", "first_name", "last_name", "email", "phones", "date_of_birth",
               "status", "custom_fields")
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for n in range(1, ROWS + 1):
            first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
            case = f"IMP-{n:06d}" if n % 2 else ""
            if DUPLICATES < n <= 2 * DUPLICATES:  # an earlier row's case number again
                earlier = n - DUPLICATES if (n - DUPLICATES) % 2 else n - DUPLICATES - 1
                case = f"IMP-{earlier:06d}"
            birth = (f"{rng.randint(1930, 2015)}-{rng.randint(1, 12):02d}-"
                     f"{rng.randint(1, 28):02d}" if n % 10 else "")
            writer.writerow([
                case, first, "" if ROWS - n < REFUSED else f"{last}{n}",
                f"{first}.{last}{n}@example.org".lower(),
                f"mobile:07{rng.randint(100000000, 999999999)}", birth,
                rng.choice(("active", "active", "prospect", "inactive")),
                '{"source": "bench"}' if n % 3 == 0 else ""])


def empty(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("TRUNCATE records.records, records.audit_entries, records.outbox,"
                          " records.case_number_counters, records.name_words CASCADE"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE records.records"))


def run_import(ctx, path: Path) -> tuple[float, subprocess.CompletedProcess]:
    env = ctx.platform.env()
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "casework.cli", "import", "records", str(path),
                           "--organization", tokens.SLUG], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=1800)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"bench: casework import records exited {done.returncode}: "
                           f"{done.stderr[-1000:]}")
    return seconds, done


def summary(done: subprocess.CompletedProcess) -> str:
    return done.stderr.strip().splitlines()[-1]


def run(ctx) -> Report:
    report = Report(ID, TITLE)
    url = infra.prepare_database(DATABASE, services=("records",))
    engine = infra.engine(DATABASE, pool_size=1)
    empty(engine)
    path = ctx.run_dir / "p9-clients.csv"
    write_file(path)
    try:
        ctx.platform.scale("records", 1, ctx.vhost, {"CASEWORK_RECORDS_DATABASE_URL": url})
        first, first_run = run_import(ctx, path)
        with engine.connect() as conn:
            created = conn.execute(text("SELECT count(*) FROM records.records")).scalar_one()
        again, second_run = run_import(ctx, path)
        with engine.connect() as conn:
            after = conn.execute(text("SELECT count(*) FROM records.records")).scalar_one()
            audited = conn.execute(text("SELECT count(*) FROM records.audit_entries WHERE"
                                        " action = 'record_created'")).scalar_one()
            events = conn.execute(text("SELECT count(*) FROM records.outbox WHERE"
                                       " routing_key = 'record_created'")).scalar_one()
    finally:
        ctx.platform.scale("records", 1, ctx.vhost)
        engine.dispose()
    expected = ROWS - REFUSED - DUPLICATES
    report.check(f"import of {ROWS:,} rows (whole command, to exit)", f"{first:.1f} s "
                 f"({ROWS / first:,.0f} rows/s)", "a figure (no bar in QUALITY.md)", None,
                 kind="info")
    report.check("records created by the first run", f"{created:,}", f"{expected:,}",
                 created == expected)
    report.check("records created by the same file imported again", f"{after - created:,} "
                 f"({again:.1f} s)", "0", after == created)
    report.check("record_created audit rows and events", f"{audited:,} / {events:,}",
                 f"{expected:,} each", audited == events == expected)
    report.section("Runs", table(["run", "seconds", "summary (stderr)"], [
        ["first", f"{first:.1f}", summary(first_run)],
        ["again", f"{again:.1f}", summary(second_run)]]))
    return report
