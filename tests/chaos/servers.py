"""The fault suite's own PostgreSQL cluster and RabbitMQ node, which it may stop and start.

Other developers' tests use the machine's shared servers (5432, 5672) at the same time, so the
suite never touches those: each session makes a temporary PostgreSQL cluster (``initdb``) and a
second RabbitMQ node (its own node name, ports, Mnesia and log directories, Erlang cookie and no
plugins, so no management listener competes for 15672) on ports below the kernel's ephemeral
range (a restarted listener must not find its port taken by some client's outgoing connection).
"""

from __future__ import annotations

import glob
import os
import pwd
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from kombu import Connection


def pg_bin() -> Path:
    """PostgreSQL's server programs (the newest installed), looked up only when a fault test
    runs: ``make test`` collects this module on machines that may have no local PostgreSQL."""
    if os.environ.get("CASEWORK_CHAOS_PG_BIN"):
        return Path(os.environ["CASEWORK_CHAOS_PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if not found:
        raise RuntimeError("the fault suite needs PostgreSQL's initdb and pg_ctl: install the "
                           "server package or set CASEWORK_CHAOS_PG_BIN")
    return Path(found[-1])


RABBIT_SBIN = Path(os.environ.get("CASEWORK_CHAOS_RABBITMQ_SBIN", "/usr/lib/rabbitmq/bin"))
# RabbitMQ's own CLI tools take distribution ports 35672-35682 by default: stay clear of them
RESERVED = set(range(25672, 25683)) | set(range(35672, 35683))


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_block(size: int) -> int:
    """``size`` consecutive free ports below the ephemeral range, none reserved."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for _ in range(200):
        base = random.randrange(20000, low - size)
        ports = range(base, base + size)
        if not RESERVED.intersection(ports) and all(port_free(p) for p in ports):
            return base
    raise RuntimeError("no free block of ports for the private servers")


def wait_until(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)
    return value


def tcp_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class PrivatePostgres:
    """A throwaway PostgreSQL cluster: ``start()``, ``stop(mode)``, ``database_url(name)``."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="casework-chaos-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.port = free_port_block(1)
        self._as_user = []
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self._as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self._as_user, *args], capture_output=True, text=True,
                              check=check, timeout=120)

    def init(self) -> None:
        self._run(str(pg_bin() / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "-E", "UTF8", "--no-sync")
        # fsync off: nothing here survives an OS crash anyway; a killed postgres still recovers
        # every acknowledged commit from its WAL, which is what F6 checks.
        settings = {"port": self.port, "listen_addresses": "'127.0.0.1'",
                    "unix_socket_directories": f"'{self.dir}'", "fsync": "off",
                    "max_connections": 300, "log_min_messages": "warning"}
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.writelines(f"{k} = {v}\n" for k, v in settings.items())

    def start(self) -> None:
        self._run(str(pg_bin() / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                  "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """``fast`` (clean shutdown) or ``immediate`` (a crash: recovery from WAL at start)."""
        self._run(str(pg_bin() / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60",
                  "stop")

    def running(self) -> bool:
        return self._run(str(pg_bin() / "pg_ctl"), "-D", str(self.data), "status",
                         check=False).returncode == 0

    def database_url(self, name: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def destroy(self) -> None:
        if self.running():
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRabbit:
    """A second RabbitMQ node on this machine: ``start()``, ``stop()``, ``amqp_uri(vhost)``."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="casework-chaos-rabbit-"))
        self.node = f"casework-chaos-{uuid.uuid4().hex[:8]}@localhost"
        base = free_port_block(13)
        self.port, self.dist_port = base, base + 1
        for sub in ("mnesia", "log"):
            (self.dir / sub).mkdir()
        (self.dir / "enabled_plugins").write_text("[].\n")
        (self.dir / "rabbitmq.conf").write_text("disk_free_limit.absolute = 50MB\n")
        (self.dir / "rabbitmq-env.conf").write_text("")
        self.pid_file = self.dir / "rabbit.pid"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("RABBITMQ_")},
            "HOME": str(self.dir),  # its own Erlang cookie, shared with its CLI calls only
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CTL_DIST_PORT_MIN": str(base + 2),
            "RABBITMQ_CTL_DIST_PORT_MAX": str(base + 12),
            "RABBITMQ_MNESIA_BASE": str(self.dir / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.dir / "log"),
            "RABBITMQ_PID_FILE": str(self.pid_file),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.dir / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(self.dir / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(self.dir / "advanced.config"),
            "RABBITMQ_CONF_ENV_FILE": str(self.dir / "rabbitmq-env.conf"),
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }

    def ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """``rabbitmqctl`` aimed at this node only (never at the shared one)."""
        return subprocess.run([str(RABBIT_SBIN / "rabbitmqctl"), "-n", self.node, "-q", *args],
                              env=self.env, capture_output=True, text=True, check=check,
                              timeout=120)

    def start(self) -> None:
        subprocess.run([str(RABBIT_SBIN / "rabbitmq-server"), "-detached"], env=self.env,
                       check=True, timeout=60, cwd=self.dir)
        wait_until(lambda: self._connects("/"), 90, f"RabbitMQ node {self.node}", 0.2)

    def _connects(self, vhost: str) -> bool:
        if not tcp_open(self.port):
            return False
        try:
            with Connection(self.amqp_uri(vhost), connect_timeout=2) as conn:
                conn.ensure_connection(max_retries=1)
            return True
        except Exception:  # still booting
            return False

    def stop(self) -> None:
        result = self.ctl("stop", str(self.pid_file), check=False)
        if result.returncode != 0 or tcp_open(self.port):
            self.kill()
        wait_until(lambda: not tcp_open(self.port), 30, "the private broker to close its port")

    def kill(self) -> None:
        """SIGKILL this node's Erlang VM (by its own pid file, never by name)."""
        try:
            os.kill(self._pid(), signal.SIGKILL)
        except (FileNotFoundError, ValueError, ProcessLookupError):
            return

    def freeze(self) -> None:
        """SIGSTOP the node: its sockets stay open but nothing answers (a hung broker)."""
        os.kill(self._pid(), signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self._pid(), signal.SIGCONT)

    def _pid(self) -> int:
        return int(self.pid_file.read_text().strip())

    def running(self) -> bool:
        return tcp_open(self.port)

    def add_vhost(self, vhost: str) -> None:
        self.ctl("add_vhost", vhost)
        self.ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        self.add_bus_users(vhost)

    def add_bus_users(self, vhost: str) -> None:
        """The platform's users and permissions on ``vhost`` (``casework.broker``): the
        services run as their own users here too. One ``import_definitions`` (this node runs no
        management API)."""
        import json

        from casework import broker

        path = self.dir / f"definitions-{uuid.uuid4().hex}.json"
        path.write_text(json.dumps(broker.definitions(vhost, broker.passwords())))
        try:
            self.ctl("import_definitions", str(path))
        finally:
            path.unlink(missing_ok=True)

    def bus_uri(self, vhost: str, process: str) -> str:
        from casework import broker

        return broker.amqp_uri_for(process, self.amqp_uri(vhost))

    def delete_vhost(self, vhost: str) -> None:
        self.ctl("delete_vhost", vhost, check=False)

    def amqp_uri(self, vhost: str) -> str:
        from urllib.parse import quote

        return f"pyamqp://guest:guest@127.0.0.1:{self.port}/{quote(vhost, safe='')}"

    def destroy(self) -> None:
        if self.running():
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
