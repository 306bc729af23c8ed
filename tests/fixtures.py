"""Fixtures for integration and end-to-end tests: a migrated database, the real services on a
throwaway vhost, and the gateway on a free port."""

from __future__ import annotations

import socket
import time
import uuid

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from casework.config import settings
from casework.migrations import SERVICES, migrate

ALL_SERVICES = SERVICES + ("gateway",)


@pytest.fixture(scope="session")
def database_url():
    url = settings().database_url
    migrate(url=url)
    yield url
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": target.database})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}"'))
    admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url):
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def platform_config(rabbit_config, rabbit_uri, database_url):
    """nameko config of this test: its own vhost, the gateway on a free port."""
    import nameko

    config = {"AMQP_URI": rabbit_uri, "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
              "max_workers": 20, "serializer": "json"}
    with nameko.config.patch(config):
        yield config


@pytest.fixture
def start_services(runner_factory, platform_config):
    """``start_services("records", "scheduling")`` runs those services in this process."""
    from casework.cli import load_service_class

    def start(*names):
        runner = runner_factory(*[load_service_class(n) for n in names or ALL_SERVICES])
        runner.start()
        return runner

    return start


@pytest.fixture
def gateway_url(start_services, platform_config):
    start_services(*ALL_SERVICES)
    url = f"http://{platform_config['WEB_SERVER_ADDRESS']}"
    deadline = time.monotonic() + 10
    while requests.get(f"{url}/ready", timeout=5).status_code != 200:
        assert time.monotonic() < deadline, "the platform did not become ready"
        time.sleep(0.1)
    return url


def staff_token(organization_id=None, user_id=None, permissions=()) -> str:
    """PLACEHOLDER auth of the walking skeleton (replaced by identity tokens)."""
    return "dev-staff:{}:{}:{}".format(organization_id or uuid.uuid4(), user_id or uuid.uuid4(),
                                       ",".join(permissions))


@pytest.fixture
def staff():
    """A requests session acting as a staff member of a new agency."""
    def make(permissions=("agency_admin",), organization_id=None):
        session = requests.Session()
        session.organization_id = str(organization_id or uuid.uuid4())
        session.headers["Authorization"] = "Bearer " + staff_token(
            session.organization_id, None, permissions)
        return session

    return make


def wait_for(predicate, timeout=10.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            return value
        time.sleep(interval)
