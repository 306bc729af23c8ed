"""The web front end's tests: the real platform (every service and the gateway, as the e2e
tests run it), the web process itself (``casework serve web``, a subprocess on a free port) and
Debian's Chromium driven by Playwright (``executable_path``: Playwright's own browser download
is never used), with axe-core (axe-playwright-python) on every page a test visits."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.fixtures import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CASEWORK_TEST_CHROMIUM") or shutil.which("chromium") \
    or "/usr/bin/chromium"


class Platform:
    """The whole platform as ``casework run`` starts it: each service, the gateway and the web
    front end as its own process (``python -m casework.cli serve NAME``), on this run's
    database and a RabbitMQ vhost of its own, each process as its own broker user, e-mail to a
    real SMTP server (tests/mail.py) in this process. One for the whole run: each test makes
    its own agency.

    Processes rather than the e2e tests' in-process services: Playwright's sync API blocks
    this process's thread while it waits for the browser, and the platform must go on
    answering meanwhile."""

    def __init__(self, database_url: str, amqp_uri: str, smtp_port: int, logs: Path):
        self.gateway_port, self.web_port = free_port(), free_port()
        self.gateway_url = f"http://127.0.0.1:{self.gateway_port}"
        self.web_url = f"http://127.0.0.1:{self.web_port}"
        self.env = {
            **os.environ, "CASEWORK_DATABASE_URL": database_url, "CASEWORK_AMQP_URI": amqp_uri,
            "CASEWORK_HTTP_HOST": "127.0.0.1", "CASEWORK_HTTP_PORT": str(self.gateway_port),
            "CASEWORK_WEB_HOST": "127.0.0.1", "CASEWORK_WEB_PORT": str(self.web_port),
            "CASEWORK_WEB_GATEWAY_URL": self.gateway_url, "CASEWORK_WEB_WORKERS": "1",
            "CASEWORK_WEB_THREADS": "8", "CASEWORK_PORTAL_URL": self.web_url,
            # as `casework run` sets it: the gateway counts logins per browser address
            "CASEWORK_TRUSTED_PROXIES": "127.0.0.1",
            "CASEWORK_SMTP_HOST": "127.0.0.1", "CASEWORK_SMTP_PORT": str(smtp_port),
            "CASEWORK_MAIL_INTERVAL": "0.1", "CASEWORK_MAIL_RETRY_SECONDS": "0.2",
            "CASEWORK_LOG_LEVEL": "WARNING", "CASEWORK_DB_POOL_SIZE": "3",
            "CASEWORK_RELAY_INTERVAL": "0.2"}
        self.logs = logs
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self) -> Platform:
        from casework.cli import SERVICE_CLASSES

        for name in (*SERVICE_CLASSES, "web"):
            log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "casework.cli", "serve", name], env=self.env, cwd=ROOT,
                stdout=log, stderr=subprocess.STDOUT)
        self.wait(f"{self.gateway_url}/ready", "the platform")
        self.wait(f"{self.web_url}/staff/login", "the web front end")
        return self

    def wait(self, url: str, what: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while True:
            for name, process in self.processes.items():
                assert process.poll() is None, f"{name} exited: {self.log_of(name)}"
            try:
                if requests.get(url, timeout=10).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or too busy to answer
                pass
            assert time.monotonic() < deadline, f"{what} did not become ready"
            time.sleep(0.25)

    def log_of(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


SMTP: list = []  # the run's SMTP server, once web_platform has started it


def real_thread_smtp_server():
    """tests/mail.py's SMTP server with its thread a real OS thread: Playwright's asyncio loop
    stays "running" on the main thread between its calls, and the test process is patched by
    eventlet, whose green threads share that OS thread; asyncio would refuse aiosmtpd's loop in
    one of them ("another loop is running")."""
    import aiosmtpd.controller
    import eventlet.patcher

    from tests.mail import SmtpServer

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(aiosmtpd.controller, "threading", eventlet.patcher.original("threading"))
        return SmtpServer(free_port()).start()


@pytest.fixture(scope="session")
def web_platform(database_url, tmp_path_factory):
    from casework import broker
    from tests.fixtures import provision_bus_users

    management = broker.Management.from_settings()
    vhost = f"casework_web_{uuid.uuid4().hex[:10]}"
    amqp_uri = f"pyamqp://guest:guest@127.0.0.1:5672/{vhost}"
    provision_bus_users(amqp_uri)  # makes the vhost, each process's user and permissions
    smtp = real_thread_smtp_server()
    SMTP[:] = [smtp]
    platform = Platform(database_url, amqp_uri, smtp.port, tmp_path_factory.mktemp("web-logs"))
    platform.smtp = smtp
    try:
        yield platform.start()
    finally:
        platform.stop()
        smtp.stop()
        requests.delete(f"{management.url}/api/vhosts/{vhost}", headers=management.headers,
                        timeout=10)


@pytest.fixture
def web_url(web_platform) -> str:
    return web_platform.web_url


@pytest.fixture
def gateway_url(web_platform) -> str:
    """This run's gateway (the web tests' platform, not the e2e tests' in-process one)."""
    return web_platform.gateway_url


@pytest.fixture
def mail_server(web_platform):
    """The web tests' SMTP server: ``.received``, each with ``.rcpt_tos``, ``.text``."""
    return web_platform.smtp


@pytest.fixture
def browser():
    """``browser("flow_name", **arguments)``: runs ``tests.web.flows.<flow_name>(pages,
    **arguments)`` in Chromium and answers what it returns (JSON).

    The steps run in a process of their own (``python -m tests.web.driver``): this test process
    is patched by eventlet, and Playwright's sync API, which waits on its own asyncio loop with
    greenlets, hangs there as soon as a page waits for a navigation."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: scripts/ensure-services.sh installs it")

    def run(flow: str, _timeout: float = 110, **arguments):
        import json

        answer = subprocess.run(
            [sys.executable, "-m", "tests.web.driver", flow], cwd=ROOT, capture_output=True,
            input=json.dumps(arguments), text=True, timeout=_timeout,
            env={**os.environ, "CASEWORK_TEST_CHROMIUM": CHROMIUM})
        assert answer.returncode == 0, f"{flow} failed:\n{answer.stderr[-6000:]}"
        return json.loads(answer.stdout.strip().splitlines()[-1])

    return run
