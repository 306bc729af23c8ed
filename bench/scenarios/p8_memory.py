"""P8: idle memory of every service process (RSS), fresh after start and idle after load.

The fresh figure is read when the harness started the platform; the loaded one after 10 s of
P1's read load and 5 s of rest. The soak (`python -m bench soak`) checks growth over time.
"""

from __future__ import annotations

import time

from ..report import Report, table

ID = "p8"
TITLE = "idle memory (RSS) of every service process"
BAR_MIB = 120.0


def run(ctx) -> Report:
    report = Report(ID, TITLE)
    reads = ctx.requests_file("p8-read", [("GET", f"/api/v1/staff/records/{i}")
                                          for i in ctx.read_ids])
    ctx.measure("p8-load", ctx.platform.url, reads, seconds=10, connections=32,
                token=ctx.staff.token)
    time.sleep(5)
    after = ctx.platform.rss()
    rows = []
    for label, rss in after.items():
        fresh = ctx.fresh_rss.get(label)
        worst = max(v for v in (fresh, rss) if v is not None)
        report.check(f"{label} idle RSS", f"{worst:.1f} MiB", f"≤ {BAR_MIB:g} MiB",
                     worst <= BAR_MIB)
        rows.append([label, f"{fresh:.1f}" if fresh else "(started later)", f"{rss:.1f}"])
    report.section("RSS per process (MiB)", table(
        ["process", "fresh after start", "idle after 10 s of P1 load"], rows))
    report.notes.append("measured: the larger of the two readings per process; the records "
                        "process may have been restarted by P2/P5/P7 before the load above")
    return report
