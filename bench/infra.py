"""The benchmark's own PostgreSQL databases and RabbitMQ vhost, so it never touches the data of
developers or tests on the shared servers."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

import casework  # noqa: F401  (cooperative psycopg wait function before psycopg loads)
from casework.migrations import SERVICES, ensure_database, migrate

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
MANAGEMENT = "http://127.0.0.1:15672/api"
AUTH = ("guest", "guest")


def database_url(name: str) -> str:
    return f"{SERVER}/{name}"


def prepare_database(name: str, services=SERVICES) -> str:
    """Create (if needed) and migrate one benchmark database; returns its URL."""
    url = database_url(name)
    ensure_database(url)
    migrate(services, url=url)
    return url


def drop_database(name: str) -> None:
    admin = create_engine(make_url(database_url("postgres")), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def engine(name: str, **kwargs) -> Engine:
    return create_engine(database_url(name), **kwargs)


def admin_engine() -> Engine:
    return create_engine(database_url("postgres"), isolation_level="AUTOCOMMIT")


class Vhost:
    """A RabbitMQ vhost of this run, created through the management API and deleted at the end."""

    def __init__(self, prefix: str = "casework_bench"):
        self.name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        self.amqp_uri = f"pyamqp://guest:guest@127.0.0.1:5672/{quote(self.name, safe='')}"

    def _url(self, *parts: str) -> str:
        return "/".join([MANAGEMENT, *(quote(p, safe="") for p in parts)])

    def create(self) -> Vhost:
        try:
            response = requests.put(self._url("vhosts", self.name), auth=AUTH, timeout=10)
        except requests.ConnectionError as exc:
            raise SystemExit("bench: the RabbitMQ management API does not answer on "
                             "127.0.0.1:15672 (run `make services`)") from exc
        response.raise_for_status()
        requests.put(self._url("permissions", self.name, "guest"), auth=AUTH, timeout=10,
                     json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
        # the services connect as their own users (casework.broker), as `casework run` has them
        from casework import broker

        broker.provision(broker.Management(MANAGEMENT.removesuffix("/api"), *AUTH), self.name,
                         broker.passwords())
        return self

    def delete(self) -> None:
        requests.delete(self._url("vhosts", self.name), auth=AUTH, timeout=10)

    def queues(self) -> list[dict]:
        response = requests.get(self._url("queues", self.name), auth=AUTH, timeout=10,
                                params={"columns": "name,messages,consumers,messages_unacknowledged"
                                        ",message_stats.publish,message_stats.ack"})
        response.raise_for_status()
        return response.json()

    def queue(self, name: str) -> dict | None:
        response = requests.get(self._url("queues", self.name, name), auth=AUTH, timeout=10)
        return response.json() if response.status_code == 200 else None

    def consumers(self, queue: str) -> int:
        info = self.queue(queue)
        return int(info.get("consumers", 0)) if info else 0
