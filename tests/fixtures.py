"""Fixtures for integration and end-to-end tests: a migrated database, the real services on a
throwaway vhost, and the gateway on a free port."""

from __future__ import annotations

import secrets
import socket
import time
import uuid

import pytest
import requests
from requests.adapters import HTTPAdapter
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from casework import broker
from casework.callers import sign
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


_USERS_MADE: list[bool] = []  # users are made once per run, their permissions per vhost


def provision_bus_users(amqp_uri: str) -> dict[str, str]:
    """The platform's RabbitMQ users with their permissions on ``amqp_uri``'s vhost
    (``casework.broker.provision``); answers each user's URI on that vhost."""
    passwords = broker.passwords()
    broker.provision(broker.Management.from_settings(), broker.vhost_of(amqp_uri), passwords,
                     create_users=not _USERS_MADE)
    _USERS_MADE.append(True)
    return {process: broker.with_credentials(amqp_uri, broker.user_name(process), password)
            for process, password in passwords.items()}


@pytest.fixture
def bus_users(platform_config):
    """Every service of this test (and the gateway) connects as its own RabbitMQ user, with the
    permissions of ``casework.broker`` on this test's vhost: ``{process: uri}``, ``external``
    (outside systems) included."""
    import nameko

    uris = provision_bus_users(platform_config["AMQP_URI"])
    with nameko.config.patch({broker.AMQP_URIS: {
            process: uri for process, uri in uris.items() if process != broker.EXTERNAL}}):
        yield uris


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
def gateway_url(bus_users, start_services, platform_config):
    """The whole platform, each service and the gateway as its own RabbitMQ user."""
    start_services(*ALL_SERVICES)
    url = f"http://{platform_config['WEB_SERVER_ADDRESS']}"
    deadline = time.monotonic() + 10
    while requests.get(f"{url}/ready", timeout=5).status_code != 200:
        assert time.monotonic() < deadline, "the platform did not become ready"
        time.sleep(0.1)
    return url


def signed(caller: dict) -> dict:
    """A caller as the gateway passes it to a service: signed (``casework.callers.sign``). Every
    test that calls a service's RPC itself makes its caller with this."""
    return sign(caller)


class Operator:
    """The platform operator over HTTP (API.md "Operator")."""

    def __init__(self, url: str):
        self.url = url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {settings().operator_token}"

    def create_agency(self, *, name=None, slug=None, timezone="UTC", admin_email=None,
                      admin_password=None) -> dict:
        """A new agency; answers its id, slug, admin_user_id, admin_email and admin_password."""
        slug = slug or f"agency-{uuid.uuid4().hex[:12]}"
        admin = {"email": admin_email or f"admin@{slug}.example.org", "first_name": "Ada",
                 "last_name": "Admin", "password": admin_password or secrets.token_urlsafe(16)}
        answer = self.session.post(f"{self.url}/api/v1/operator/organizations", json={
            "name": name or f"Agency {slug}", "slug": slug, "timezone": timezone, "admin": admin})
        assert answer.status_code == 201, answer.text
        return {**answer.json(), "admin_email": admin["email"],
                "admin_password": admin["password"]}


@pytest.fixture
def operator(gateway_url) -> Operator:
    return Operator(gateway_url)


def login_staff(url: str, slug: str, email: str, password: str,
                session: requests.Session | None = None) -> requests.Session:
    """A requests session carrying the staff token of a real login, with ``token``,
    ``user_id``, ``organization_id`` and ``slug`` attributes."""
    session = session or requests.Session()
    answer = session.post(f"{url}/api/v1/auth/staff/login",
                          json={"organization": slug, "email": email, "password": password})
    assert answer.status_code == 200, answer.text
    session.token = answer.json()["access_token"]
    session.headers["Authorization"] = f"Bearer {session.token}"
    session.user_id = answer.json()["user"]["id"]
    session.organization_id = answer.json()["user"]["organization_id"]
    session.slug = slug
    return session


@pytest.fixture
def staff(gateway_url, operator):
    """``staff(permissions=("agency_admin",), organization_id=None)``: a requests session of a
    logged-in staff member (attributes ``organization_id``, ``user_id``, ``token``, ``slug``).

    Without ``organization_id`` each call makes a new agency through the operator route; with
    the id of an agency made earlier in the test, the member joins that one. Agency
    administrators are the agency's first administrator; anyone else gets a new role with
    exactly ``permissions`` and a new user with that role, made through the admin routes."""
    administrators: dict[str, requests.Session] = {}

    def make(permissions=("agency_admin",), organization_id=None):
        if organization_id is None:
            agency = operator.create_agency()
            admin = login_staff(gateway_url, agency["slug"], agency["admin_email"],
                                agency["admin_password"])
            administrators[agency["id"]] = admin
            if tuple(permissions) == ("agency_admin",):
                return admin
        else:
            assert str(organization_id) in administrators, "an agency made by staff() first"
            admin = administrators[str(organization_id)]
        return add_staff_member(gateway_url, admin, permissions)

    return make


def add_staff_member(url: str, admin: requests.Session, permissions) -> requests.Session:
    """A new user of ``admin``'s agency, with a new role of exactly ``permissions``, logged in."""
    suffix = uuid.uuid4().hex[:10]
    role = admin.post(f"{url}/api/v1/staff/roles",
                      json={"name": f"Role {suffix}", "permissions": list(permissions)})
    assert role.status_code == 201, role.text
    email, password = f"staff-{suffix}@example.org", secrets.token_urlsafe(16)
    user = admin.post(f"{url}/api/v1/staff/users", json={
        "email": email, "first_name": "Sam", "last_name": f"Staff {suffix}",
        "role_id": role.json()["id"], "password": password})
    assert user.status_code == 201, user.text
    member = login_staff(url, admin.slug, email, password)
    member.role_id = role.json()["id"]
    return member


@pytest.fixture
def portal_client(gateway_url, platform_config):
    """``portal_client()``: a portal account made through identity's ``create_portal_account``
    RPC (as the invitations service will), logged in: a requests session with ``token``,
    ``account_id``, ``global_record_id``, ``username`` and ``password``."""
    from nameko.standalone.rpc import ClusterRpcClient

    def make(email=None, password=None):
        email = email or f"client-{uuid.uuid4().hex[:10]}@example.org"
        password = password or secrets.token_urlsafe(16)
        with ClusterRpcClient() as client:
            account = client.identity.create_portal_account({
                "email": email, "password": password, "first_name": "Cleo",
                "last_name": "Client"})
        session = requests.Session()
        answer = session.post(f"{gateway_url}/api/v1/auth/portal/login",
                              json={"username": email, "password": password})
        assert answer.status_code == 200, answer.text
        session.token = answer.json()["access_token"]
        session.headers["Authorization"] = f"Bearer {session.token}"
        session.account_id = account["account_id"]
        session.global_record_id = account["global_record_id"]
        session.username, session.password = account["username"], password
        return session

    return make


class SourceAddressAdapter(HTTPAdapter):
    def __init__(self, address: str, **kwargs):
        self.address = address
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def session_from(address: str | None = None) -> requests.Session:
    """A requests session whose connections come from another loopback address (127.x.y.z), so
    that per-address login throttling in one test never locks out the rest of the suite."""
    address = address or "127.{}.{}.{}".format(*secrets.token_bytes(3))
    session = requests.Session()
    session.mount("http://", SourceAddressAdapter(address))
    session.address = address
    return session


def wait_for(predicate, timeout=10.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            return value
        time.sleep(interval)


@pytest.fixture
def mail_server(platform_config, engine):
    """A real SMTP server (aiosmtpd) on a free port that the notifications services of this test
    send to, with fast retries: ``mail_server.received`` holds what arrived, each with
    ``.message`` (an EmailMessage), ``.text`` and ``.html``; ``mail_server.wait_for(n)``.
    E-mail that earlier tests left queued is set aside first (``tests.mail.park_queued``)."""
    import nameko

    from tests.mail import SmtpServer, park_queued, smtp_config

    park_queued(engine)
    server = SmtpServer(free_port()).start()
    with nameko.config.patch({"SMTP": smtp_config(server.port)}):
        yield server
    server.stop()
