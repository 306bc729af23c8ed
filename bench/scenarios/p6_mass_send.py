"""P6: a message mass-sent to 10,000 clients through the gateway (POST /api/v1/staff/mass-sends,
NOT-7): every one must reach the SMTP server and the client's portal inbox, at least 500 per
second end to end (QUALITY P6).

The SMTP server is a real one (aiosmtpd) in the bench process that counts what it accepts and
notes when the last e-mail arrived; the notifications service is restarted pointing at it. The
10,000 clients are records generated set-based in a database of this scenario
(`casework_bench_p6`, records schema only; the records service is restarted on it), each made a
portal client with an e-mail address of its own. End to end is from the POST to the last e-mail
accepted by the server; the portal inboxes are the threads the send made (one per client,
unread), counted in the notifications database once the send is done.
"""

from __future__ import annotations

import os
import threading
import time

import requests
from aiosmtpd.controller import Controller
from sqlalchemy import text

from .. import data, infra, machine
from ..report import Report, table
from ..stack import free_port

ID = "p6"
TITLE = "a message mass-sent to 10,000 clients"
DATABASE = "casework_bench_p6"
RECIPIENTS = 10_000
BAR_PER_SECOND = 500.0
TIMEOUT = 600.0


class Counting:
    """An SMTP handler that keeps only what the figures need: each recipient, and when."""

    def __init__(self):
        self.lock = threading.Lock()
        self.recipients: set[str] = set()
        self.messages = 0
        self.first_at: float | None = None
        self.last_at: float | None = None

    async def handle_DATA(self, server, session, envelope):
        now = time.perf_counter()
        with self.lock:
            self.messages += 1
            self.recipients.update(envelope.rcpt_tos)
            self.first_at = self.first_at or now
            self.last_at = now
        return "250 OK"


def prepare_clients(ctx) -> tuple[str, list[str], dict[str, str]]:
    """10,000 live records of the bench agency in the scenario's database, each a portal client
    (active, portal status active) with its own address; returns the database URL, the ids and
    the address of each."""
    url = infra.prepare_database(DATABASE, services=("records",))
    engine = infra.engine(DATABASE, pool_size=1)
    try:
        org = ctx.staff.organization_id
        data.generate_records(engine, "p6", [org], RECIPIENTS * 11 // 10, log=ctx.log)
        ids = data.record_ids(engine, org, RECIPIENTS)
        with engine.begin() as conn:
            conn.execute(text(
                "UPDATE records.records SET kind = 'client', status = 'active', "
                "portal_status = 'active', global_record_id = coalesce(global_record_id, "
                "gen_random_uuid()), email = 'p6-' || id || '@example.org' "
                "WHERE id = ANY(CAST(:ids AS uuid[]))"), {"ids": ids})
    finally:
        engine.dispose()
    return url, ids, {i: f"p6-{i}@example.org" for i in ids}


def set_aside_earlier_work(ctx) -> None:
    """What an earlier, interrupted run left in the bench database stays out of this one."""
    with ctx.engine.begin() as conn:
        conn.execute(text("UPDATE notifications.emails SET status = 'dead', dead_at = now(), "
                          "last_error = 'set aside by a later p6 run' "
                          "WHERE status IN ('queued', 'failed')"))
        conn.execute(text("UPDATE notifications.mass_send_recipients SET outcome = 'failed', "
                          "code = 'set_aside' WHERE outcome = 'pending'"))
        conn.execute(text("UPDATE notifications.mass_sends SET status = 'done', "
                          "finished_at = now() WHERE status = 'running'"))


def run(ctx) -> Report:
    report = Report(ID, TITLE)
    document = requests.get(f"{ctx.platform.url}/api/v1/openapi.json", timeout=10).json()
    if "/api/v1/staff/mass-sends" not in document.get("paths", {}):
        report.check("10,000 messages end to end", "route not served", "≥ 500 per second", None)
        return report
    records_url, ids, addresses = prepare_clients(ctx)
    set_aside_earlier_work(ctx)
    handler = Counting()
    port = free_port()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    smtp_env = {"CASEWORK_SMTP_HOST": "127.0.0.1", "CASEWORK_SMTP_PORT": str(port),
                "CASEWORK_SMTP_SECURITY": "none"}
    try:
        ctx.platform.scale("records", 1, ctx.vhost,
                           {"CASEWORK_RECORDS_DATABASE_URL": records_url})
        ctx.platform.scale("notifications", 1, ctx.vhost, smtp_env)
        headers = ctx.staff.headers
        procs = {p.label: p.pid for p in ctx.platform.processes()}
        procs["bench (SMTP server)"] = os.getpid()
        cpu_before = {label: machine.cpu_seconds(pid) for label, pid in procs.items()}
        busy_before = machine.busy_ticks()
        started = time.perf_counter()
        answer = requests.post(f"{ctx.platform.url}/api/v1/staff/mass-sends", headers=headers,
                               json={"record_ids": ids, "message": {
                                   "body": "<b>The office is closed</b> on Friday."}},
                               timeout=120)
        accepted = time.perf_counter() - started
        if answer.status_code != 202:
            raise RuntimeError(f"bench: the mass send answered {answer.status_code}: "
                               f"{answer.text[:500]}")
        mass_send_id = answer.json()["id"]
        ctx.log(f"bench: mass send {mass_send_id} accepted in {accepted:.2f} s")

        done_at = None
        progress = []
        deadline = started + TIMEOUT
        while time.perf_counter() < deadline:
            with ctx.engine.connect() as conn:
                left = conn.execute(text(
                    "SELECT count(*) FILTER (WHERE outcome = 'pending'), "
                    "(SELECT status FROM notifications.mass_sends WHERE id = :m) "
                    "FROM notifications.mass_send_recipients WHERE mass_send_id = :m"),
                    {"m": mass_send_id}).one()
            now = time.perf_counter()
            progress.append((now - started, RECIPIENTS - left[0], handler.messages))
            if left[1] == "done" and done_at is None:
                done_at = now
            if done_at is not None and handler.messages >= RECIPIENTS:
                break
            time.sleep(0.25)
        cpu = {label: machine.cpu_seconds(pid) - cpu_before[label]
               for label, pid in procs.items()}
        busy_after = machine.busy_ticks()
        final = requests.get(f"{ctx.platform.url}/api/v1/staff/mass-sends/{mass_send_id}",
                             headers=headers, timeout=60).json()
        with ctx.engine.connect() as conn:
            inboxes = conn.execute(text(
                "SELECT count(*) FROM notifications.threads t JOIN notifications.messages m "
                "ON m.thread_id = t.id WHERE t.mass_send_id = :m AND t.client_unread = 1"),
                {"m": mass_send_id}).scalar()
            mail_sent = conn.execute(text(
                "SELECT count(*) FILTER (WHERE status = 'sent'), count(*) "
                "FROM notifications.emails WHERE key LIKE :k"),
                {"k": f"mass_send:{mass_send_id}:%"}).one()
    finally:
        server.stop()
        ctx.platform.scale("records", 1, ctx.vhost)
        ctx.platform.scale("notifications", 1, ctx.vhost)

    delivered = len(handler.recipients & set(addresses.values()))
    last = (handler.last_at - started) if handler.last_at else None
    rate = delivered / last if last else 0.0
    threads_seconds = (done_at - started) if done_at else None
    everyone = delivered == RECIPIENTS and inboxes == RECIPIENTS
    report.check("e-mails accepted by the SMTP server, distinct recipients",
                 f"{delivered:,} of {RECIPIENTS:,} ({handler.messages:,} messages)",
                 "all", delivered == RECIPIENTS and handler.messages == RECIPIENTS)
    report.check("portal inboxes holding the message (threads, unread)",
                 f"{inboxes:,} of {RECIPIENTS:,}", "all", inboxes == RECIPIENTS)
    report.check("end to end: POST to the last e-mail accepted",
                 f"{last:.1f} s, {rate:,.0f} per second" if last else "not finished",
                 f"≥ {BAR_PER_SECOND:g} per second", everyone and rate >= BAR_PER_SECOND)
    report.check("time to every portal inbox (POST to the send's status done)",
                 f"{threads_seconds:.1f} s" if threads_seconds else "not finished", "", None,
                 kind="info")
    report.check("POST answered (recipients looked up and stored)", f"{accepted:.2f} s", "",
                 None, kind="info")
    report.check("mass send results", f"total {final.get('total')}, done {final.get('done')}"
                 f", failed {final.get('failed')}; e-mails sent {mail_sent[0]:,} of "
                 f"{mail_sent[1]:,}", "", None, kind="info")
    busy = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1])
    report.check("machine CPU busy during the run (all users)", f"{busy:.0%}", "", None,
                 kind="info")
    report.section("CPU seconds of each process during the run",
                   table(["process", "CPU seconds"],
                         [[label, f"{seconds:.1f}"] for label, seconds in cpu.items()]))
    rows = [[f"{t:.1f}", f"{inbox:,}", f"{mail:,}"] for t, inbox, mail in progress[::8]]
    if progress:
        t, inbox, mail = progress[-1]
        rows.append([f"{t:.1f}", f"{inbox:,}", f"{mail:,}"])
    report.section("Progress (seconds after the POST: recipients done, e-mails at the server)",
                   table(["seconds", "recipients done", "e-mails received"], rows))
    return report
