"""Fixtures of the fault suite (``make chaos``).

The session starts a private PostgreSQL cluster and a private RabbitMQ node (``servers.py``) and
destroys them at the end whatever happens (fixture finaliser, plus an ``atexit`` backstop). Each
test gets its own migrated database and vhost on them (``chaos_env``) and the services as OS
processes (``platform``). A test that stops a server restarts it in ``finally``; the
``chaos_env`` finaliser restarts anything still down, so one failure cannot cascade.
"""

from __future__ import annotations

import atexit
import os
import platform as host
import shutil
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from casework.migrations import migrate

from . import probe
from .platform import ROOT, ChaosEnv, Figures, Platform
from .servers import PrivatePostgres, PrivateRabbit


@pytest.fixture(scope="session")
def private_servers():
    postgres, rabbit = PrivatePostgres(), PrivateRabbit()
    atexit.register(rabbit.destroy)
    atexit.register(postgres.destroy)
    try:
        postgres.init()
        postgres.start()
        rabbit.start()
        yield postgres, rabbit
    finally:
        rabbit.destroy()
        postgres.destroy()


def restore(postgres: PrivatePostgres, rabbit: PrivateRabbit) -> None:
    if not postgres.running():
        postgres.start()
    if not rabbit.running():
        rabbit.start()


@pytest.fixture
def chaos_env(private_servers, request):
    postgres, rabbit = private_servers
    restore(postgres, rabbit)
    name = f"chaos_{request.node.name[:20].lower()}_{uuid.uuid4().hex[:6]}"
    name = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name)
    workdir = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    migrate(url=postgres.database_url(name))
    env = ChaosEnv(postgres, rabbit, name, workdir)
    with env.engine.begin() as conn:  # the probe's test-only schema (not a service's)
        conn.execute(text("CREATE SCHEMA chaos_probe"))
    probe.metadata.create_all(env.engine)
    rabbit.add_vhost(name)
    try:
        yield env
    finally:
        restore(postgres, rabbit)
        env.engine.dispose()
        rabbit.delete_vhost(name)
        _drop_database(postgres, name)
        if not request.node.rep_call_failed and not os.environ.get("CASEWORK_CHAOS_KEEP_LOGS"):
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"service logs kept in {workdir}")


def _drop_database(postgres: PrivatePostgres, name: str) -> None:
    admin = create_engine(postgres.database_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                          " WHERE datname = :n"), {"n": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture
def platform(chaos_env):
    running = Platform(chaos_env)
    try:
        yield running
    finally:
        running.stop_all()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call_failed = report.failed
    elif not hasattr(item, "rep_call_failed"):
        item.rep_call_failed = report.failed
    return report


def pytest_terminal_summary(terminalreporter):
    if not Figures.collected:
        return
    terminalreporter.section("fault suite figures")
    for line in Figures.collected:
        terminalreporter.write_line(line)
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = results / f"chaos-{stamp}.txt"
    memory = _memory_gib()
    path.write_text(
        f"command: make chaos\ndate: {datetime.now(UTC).isoformat(timespec='seconds')}\n"
        f"machine: {host.node()}, {_cores()} cores, {memory} GiB memory, {host.platform()}\n\n"
        + "\n".join(Figures.collected) + "\n")
    terminalreporter.write_line(f"figures written to {path.relative_to(ROOT)}")


def _cores() -> int:
    import os

    return os.cpu_count() or 0


def _memory_gib() -> str:
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        return f"{kib / 1024 / 1024:.1f}"
    except (OSError, ValueError, IndexError):
        return "?"


@pytest.fixture
def figures(request):
    return Figures(request.node.name)
