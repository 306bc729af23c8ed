"""The platform as real OS processes on the private servers, and what the fault tests measure.

Every service runs as ``python -m casework.cli serve <name>`` (the fault suite's probe and writer
as ``python -m tests.chaos.serve``) with ``CASEWORK_AMQP_URI`` and ``CASEWORK_DATABASE_URL``
aimed at the private broker and a database of the test's own, so a test may SIGKILL any of them.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import eventlet
import requests
from kombu import Connection, Queue
from sqlalchemy import create_engine, text

from casework.config import settings
from casework.events import envelope, event_exchange

from .servers import PrivatePostgres, PrivateRabbit, free_port_block, wait_until

ROOT = Path(__file__).resolve().parents[2]
RPC_TIMEOUT = 3.0  # the gateway's CASEWORK_RPC_TIMEOUT in the fault suite
QUEUES = {
    "scheduling": "evt-records-record_created--scheduling.on_record_created",
    "chaos_probe": "evt-records-record_created--chaos_probe.on_record_created",
    "records": "evt-invitations-invitation_accepted--records.on_invitation_accepted",
}


@dataclass
class ChaosEnv:
    """One test's slice of the private servers: its own database and vhost."""

    postgres: PrivatePostgres
    rabbit: PrivateRabbit
    name: str
    workdir: Path
    engine: object = field(init=False)

    def __post_init__(self):
        self.engine = create_engine(self.database_url, pool_size=2, pool_pre_ping=True)

    @property
    def database_url(self) -> str:
        return self.postgres.database_url(self.name)

    @property
    def amqp_uri(self) -> str:
        return self.rabbit.amqp_uri(self.name)

    def process_env(self, **extra: str) -> dict:
        env = {k: v for k, v in os.environ.items()
               if not (k.startswith("CASEWORK_") and k.endswith("_DATABASE_URL"))}
        env.update({
            "CASEWORK_ENV": "test", "CASEWORK_DATABASE_URL": self.database_url,
            "CASEWORK_AMQP_URI": self.amqp_uri, "CASEWORK_HTTP_HOST": "127.0.0.1",
            "CASEWORK_RPC_TIMEOUT": str(RPC_TIMEOUT), "CASEWORK_RELAY_INTERVAL": "0.2",
            "CASEWORK_LOG_LEVEL": "INFO", "PYTHONPATH": str(ROOT),
            "PYTHONWARNINGS": "ignore::DeprecationWarning", **extra,
        })
        return env

    def scalar(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar_one()

    def rows(self, sql: str, **params) -> list:
        with self.engine.connect() as conn:
            return list(conn.execute(text(sql), params))

    def execute(self, sql: str, **params) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(sql), params)


class ServiceProcess:
    def __init__(self, name: str, command: list[str], env: dict, log_path: Path):
        self.name, self.command, self.env, self.log_path = name, command, env, log_path
        self.process: subprocess.Popen | None = None
        self.stopping = False  # a stop the test asked for: no restart
        self.killed_by_test = False

    def start(self) -> ServiceProcess:
        self.killed_by_test = False
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command, env=self.env, cwd=ROOT, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        return self

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL, as an out-of-memory killer or a pulled plug would."""
        if self.alive:
            self.killed_by_test = True
            os.kill(self.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        self.stopping = True
        if self.alive:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_records(self) -> list[dict]:
        """The JSON log lines this process wrote (other output is skipped)."""
        lines = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    lines.append(json.loads(line))
                except ValueError:
                    continue
        return lines


class Platform:
    """Start services (any number of instances each) and the gateway, wait for them, and
    supervise them as docker-compose's ``restart: unless-stopped`` does: a process that exits
    is started again, and an exit the test did not cause is recorded in ``crashes``."""

    def __init__(self, env: ChaosEnv):
        self.env = env
        self.processes: list[ServiceProcess] = []
        self.gateway_url: str | None = None
        self.crashes: list[str] = []
        self.restarts = 0
        self._supervisor = eventlet.spawn(self._supervise)

    def _supervise(self) -> None:
        while True:
            eventlet.sleep(0.2)
            for process in list(self.processes):
                if process.stopping or process.alive:
                    continue
                if not process.killed_by_test:
                    self.crashes.append(f"{process.name} exited {process.process.returncode}")
                self.restarts += 1
                process.start()

    def start(self, name: str, instances: int = 1, **extra_env: str) -> list[ServiceProcess]:
        if name in ("probe", "writer"):
            command = [sys.executable, "-m", "tests.chaos.serve", name]
        else:
            command = [sys.executable, "-m", "casework.cli", "serve", name]
        if name == "gateway":
            port = free_port_block(1)
            extra_env["CASEWORK_HTTP_PORT"] = str(port)
            self.gateway_url = f"http://127.0.0.1:{port}"
        started = []
        for _ in range(instances):
            index = len(self.processes)
            log_path = self.env.workdir / f"{index:02d}-{name}.log"
            started.append(ServiceProcess(name, command, self.env.process_env(**extra_env),
                                          log_path).start())
            self.processes.append(started[-1])
        return started

    def instances(self, name: str) -> list[ServiceProcess]:
        return [p for p in self.processes if p.name == name and p.alive]

    def wait_gateway(self, timeout: float = 60) -> str:
        wait_until(lambda: _answers(f"{self.gateway_url}/health"), timeout, "the gateway")
        return self.gateway_url

    def wait_ready(self, timeout: float = 90) -> None:
        wait_until(lambda: _answers(f"{self.gateway_url}/ready"), timeout,
                   "the platform to be ready (/ready 200)", 0.3)

    def wait_consumers(self, service: str, count: int, timeout: float = 60) -> None:
        queue = QUEUES[service]
        wait_until(lambda: (queue_state(self.env.amqp_uri, queue) or (0, 0))[1] >= count,
                   timeout, f"{count} consumer(s) on {queue}", 0.2)

    def wait_rpc_consumers(self, service: str, count: int, timeout: float = 60) -> None:
        wait_until(lambda: (queue_state(self.env.amqp_uri, f"rpc-{service}") or (0, 0))[1]
                   >= count, timeout, f"{count} consumer(s) on rpc-{service}", 0.2)

    def stop_all(self) -> None:
        self._supervisor.kill()
        for process in self.processes:
            process.stop()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def queue_state(amqp_uri: str, queue: str) -> tuple[int, int] | None:
    """(ready messages, consumers) of a queue, or None when it does not exist or no broker."""
    try:
        with Connection(amqp_uri, connect_timeout=2) as conn:
            ok = conn.channel().queue_declare(queue=queue, passive=True)
            return ok.message_count, ok.consumer_count
    except Exception:  # no such queue, or the broker is down
        return None


class EventSpy:
    """A durable queue bound to every routing key of ``<source>.events``: the events that were
    really published (persistent messages in a durable queue survive a broker restart)."""

    def __init__(self, amqp_uri: str, source: str = "records"):
        self.source = source
        self.amqp_uri = amqp_uri
        self.queue = Queue(f"chaos-spy-{uuid.uuid4().hex[:8]}", event_exchange(source),
                           routing_key="#", durable=True, auto_delete=False)
        with Connection(amqp_uri) as conn:
            self.queue(conn.default_channel).declare()

    def publish(self, name: str, data: dict, organization_id: str) -> dict:
        """Publish an event of ``source`` as that service (or another system) would."""
        event = envelope(self.source, name, data, organization_id=organization_id)
        exchange = event_exchange(self.source)
        with Connection(self.amqp_uri, transport_options={"confirm_publish": True}) as conn:
            conn.Producer().publish(event, exchange=exchange, routing_key=name,
                                    serializer="json", delivery_mode=2, declare=[exchange])
        return event

    def drain(self) -> list[dict]:
        events = []
        with Connection(self.amqp_uri) as conn:
            queue = self.queue(conn.default_channel)
            while (message := queue.get(no_ack=True)) is not None:
                events.append(json.loads(message.body))
        return events


def operator_headers() -> dict:
    """The operator token: /ready's details and /metrics are for operators only."""
    return {"Authorization": f"Bearer {settings().operator_token}"}


def staff_headers(gateway_url: str) -> tuple[dict, str]:
    """Headers of a new agency's administrator on the private platform, and the agency's id, by
    API.md's contract: the operator creates the agency, its administrator logs in (the identity
    service must run)."""
    slug = f"chaos-{uuid.uuid4().hex[:12]}"
    email, password = f"admin@{slug}.example.org", secrets.token_urlsafe(16)
    created = requests.post(
        f"{gateway_url}/api/v1/operator/organizations", timeout=30,
        headers={"Authorization": f"Bearer {settings().operator_token}"},
        json={"name": f"Agency {slug}", "slug": slug, "timezone": "UTC",
              "admin": {"email": email, "first_name": "Ada", "last_name": "Admin",
                        "password": password}})
    assert created.status_code == 201, created.text
    login = requests.post(f"{gateway_url}/api/v1/auth/staff/login", timeout=30,
                          json={"organization": slug, "email": email, "password": password})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}, created.json()["id"]


class Figures:
    """A fault test's numbers: printed at once and in the suite's closing summary."""

    collected: list[str] = []

    def __init__(self, fault: str):
        self.fault = fault
        self.values: dict[str, object] = {}

    def __setitem__(self, key: str, value) -> None:
        self.values[key] = value

    def __getitem__(self, key: str):
        return self.values[key]

    def report(self) -> str:
        line = f"{self.fault}: " + ", ".join(f"{k}={v}" for k, v in self.values.items())
        print(line)
        Figures.collected.append(line)
        return line


def elapsed_since(started: float) -> float:
    return round(time.monotonic() - started, 3)


def process_holding(connection_port: int, server_port: int,
                    candidates: list[ServiceProcess]) -> ServiceProcess | None:
    """Which of ``candidates`` owns the TCP connection from ``connection_port`` to
    ``server_port`` (PostgreSQL's ``client_port`` of a backend), found through /proc."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote = fields[1].rsplit(":", 1)[1], fields[2].rsplit(":", 1)[1]
            if int(local, 16) == connection_port and int(remote, 16) == server_port:
                inodes.add(f"socket:[{fields[9]}]")
    for process in candidates:
        try:
            links = {os.readlink(fd) for fd in Path(f"/proc/{process.pid}/fd").iterdir()}
        except OSError:  # gone meanwhile
            continue
        if links & inodes:
            return process
    return None
