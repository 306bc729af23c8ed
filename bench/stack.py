"""The processes a benchmark starts: the platform's services and gateway (each `casework serve`
as its own process, as `casework run` does), the baselines, and their cleanup.

Every process the harness starts is registered here and stopped at the end, even on failure
(``ProcessGroup.stop_all`` runs from ``finally`` and from SIGTERM/SIGINT handlers).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from casework.migrations import SERVICES

from . import machine

PLATFORM = (*SERVICES, "gateway")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"bench: timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


@dataclass
class Proc:
    label: str  # e.g. records#2, gateway, baseline-a
    group: str  # e.g. records
    popen: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None


class ProcessGroup:
    def __init__(self, run_dir: Path):
        self.run_dir = run_dir
        self.procs: list[Proc] = []

    def start(self, group: str, argv: list[str], env: dict[str, str]) -> Proc:
        count = sum(1 for p in self.procs if p.group == group)
        label = group if count == 0 else f"{group}#{count + 1}"
        log = self.run_dir / f"{label.replace('#', '-')}.log"
        handle = open(log, "ab")  # noqa: SIM115 - owned by the child for its life
        popen = subprocess.Popen(argv, env=env, stdout=handle, stderr=subprocess.STDOUT,
                                 cwd=machine.ROOT, start_new_session=True)
        handle.close()
        proc = Proc(label, group, popen, log)
        self.procs.append(proc)
        return proc

    def of(self, group: str) -> list[Proc]:
        return [p for p in self.procs if p.group == group]

    def stop(self, procs: list[Proc], timeout: float = 15.0) -> None:
        for proc in procs:
            if proc.alive():
                proc.popen.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in procs:
            try:
                proc.popen.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.popen.kill()
                proc.popen.wait(5)
        self.procs = [p for p in self.procs if p not in procs]

    def stop_all(self) -> None:
        self.stop(list(self.procs))

    def check_alive(self) -> None:
        dead = [p for p in self.procs if not p.alive()]
        if dead:
            names = ", ".join(f"{p.label} (exit {p.popen.returncode}, log {p.log})" for p in dead)
            raise RuntimeError(f"bench: a process died: {names}")


class Platform:
    """The Casework services and gateway, on the benchmark's database, vhost and port."""

    def __init__(self, procs: ProcessGroup, database_url: str, amqp_uri: str,
                 log_level: str = "WARNING", extra_env: dict[str, str] | None = None):
        self.procs = procs
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.amqp_uri = amqp_uri
        self.log_level = log_level
        self.extra_env = dict(extra_env or {})

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CASEWORK_")}
        env.update({
            "CASEWORK_ENV": "local",
            "CASEWORK_DATABASE_URL": self.database_url,
            "CASEWORK_AMQP_URI": self.amqp_uri,
            "CASEWORK_HTTP_HOST": "127.0.0.1",
            "CASEWORK_HTTP_PORT": str(self.port),
            "CASEWORK_LOG_LEVEL": self.log_level,
            "PYTHONWARNINGS": "ignore::DeprecationWarning",
            **self.extra_env,
            **(extra or {}),
        })
        return env

    def start_service(self, name: str, extra_env: dict[str, str] | None = None) -> Proc:
        argv = [sys.executable, "-m", "casework.cli", "serve", name]
        return self.procs.start(name, argv, self.env(extra_env))

    def start(self, instances: dict[str, int] | None = None) -> Platform:
        for name in PLATFORM:
            for _ in range((instances or {}).get(name, 1)):
                self.start_service(name)
        self.wait_ready()
        return self

    def ready(self) -> bool:
        self.procs.check_alive()
        try:
            return requests.get(f"{self.url}/ready", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def wait_ready(self, timeout: float = 60.0) -> None:
        wait_until(self.ready, timeout, f"the platform on {self.url} to be ready")

    def scale(self, name: str, count: int, vhost, extra_env: dict[str, str] | None = None,
              ) -> list[Proc]:
        """Run exactly ``count`` instances of one service (restarting them all)."""
        self.procs.stop(self.procs.of(name))
        for _ in range(count):
            self.start_service(name, extra_env)
        wait_until(lambda: vhost.consumers(f"rpc-{name}") == count, 60,
                   f"{count} {name} instance(s) consuming rpc-{name}", interval=0.5)
        self.wait_ready()
        return self.procs.of(name)

    def processes(self) -> list[Proc]:
        return [p for p in self.procs.procs if p.group in PLATFORM]

    def rss(self) -> dict[str, float | None]:
        return {p.label: machine.rss_mib(p.pid) for p in self.processes()}
