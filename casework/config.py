"""Configuration from environment variables, with defaults for local runs.

This module is the one documented list (README.md, "Configuration"). Services read settings
through :func:`settings`, which is built once per process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

PLACEHOLDER_SECRETS = {"", "change-me", "dev-operator-token"}

# name -> (default, description); README.md's configuration table is generated from this.
VARIABLES: dict[str, tuple[str, str]] = {
    "CASEWORK_ENV": (
        "local", "`local`, `test` or `production`; production refuses placeholder secrets"),
    "CASEWORK_AMQP_URI": ("pyamqp://guest:guest@127.0.0.1:5672/", "RabbitMQ connection URI"),
    "CASEWORK_DATABASE_URL": (
        "postgresql+psycopg://postgres@127.0.0.1:5432/casework",
        "PostgreSQL database; each service uses its own schema in it",
    ),
    "CASEWORK_<SERVICE>_DATABASE_URL": (
        "", "a separate database for one service, e.g. CASEWORK_RECORDS_DATABASE_URL"),
    "CASEWORK_HTTP_HOST": ("0.0.0.0", "address the gateway listens on"),
    "CASEWORK_HTTP_PORT": ("8000", "port the gateway listens on"),
    "CASEWORK_RPC_TIMEOUT": (
        "10", "seconds the gateway waits for a service before answering 503"),
    "CASEWORK_DB_POOL_SIZE": ("10", "PostgreSQL connections per service process"),
    "CASEWORK_MAX_WORKERS": ("10", "concurrent workers per service process"),
    "CASEWORK_OPERATOR_TOKEN": (
        "dev-operator-token", "bearer token of the operator routes; required in production"),
    "CASEWORK_TOKEN_TTL_SECONDS": ("28800", "lifetime of a login token"),
    "CASEWORK_TOKEN_CACHE_SECONDS": (
        "2", "how long the gateway trusts a checked token (revocation delay)"),
    "CASEWORK_TOKEN_CACHE_ENTRIES": (
        "10000", "most tokens the gateway keeps checked in memory (least recently used go)"),
    "CASEWORK_LOGIN_MAX_FAILURES_PER_ACCOUNT": (
        "5", "failed logins of one account from one address before that address waits (429); "
        "also the account's soft limit over addresses it never logged in from"),
    "CASEWORK_LOGIN_MAX_FAILURES_PER_ADDRESS": (
        "20", "failed logins from one client address (a success takes its own off) before it "
        "waits for every account (429)"),
    "CASEWORK_LOGIN_LOCKOUT_SECONDS": (
        "60", "first lock after too many failures; doubles with each further failure, at most "
        "15 minutes"),
    "CASEWORK_TRUSTED_PROXIES": (
        "", "comma-separated proxy addresses whose X-Forwarded-For names the client address"),
    "CASEWORK_LOG_LEVEL": ("INFO", "log level of every process (JSON lines on stderr)"),
    "CASEWORK_RELAY_INTERVAL": (
        "1.0", "seconds between outbox relay sweeps (commits also wake it at once)"),
    "CASEWORK_RPC_REPLY_RETENTION": (
        "900", "seconds a service keeps the reply of an RPC command, for a redelivered request "
        "(exactly-once commands)"),
    "CASEWORK_HANDLER_RETRIES": (
        "3", "attempts of a failing event handler before the event is dead-lettered"),
}


def env(name: str) -> str:
    return os.environ.get(name, VARIABLES[name][0])


@dataclass(frozen=True)
class Settings:
    environment: str = field(default_factory=lambda: env("CASEWORK_ENV"))
    amqp_uri: str = field(default_factory=lambda: env("CASEWORK_AMQP_URI"))
    database_url: str = field(default_factory=lambda: env("CASEWORK_DATABASE_URL"))
    http_host: str = field(default_factory=lambda: env("CASEWORK_HTTP_HOST"))
    http_port: int = field(default_factory=lambda: int(env("CASEWORK_HTTP_PORT")))
    rpc_timeout: float = field(default_factory=lambda: float(env("CASEWORK_RPC_TIMEOUT")))
    db_pool_size: int = field(default_factory=lambda: int(env("CASEWORK_DB_POOL_SIZE")))
    max_workers: int = field(default_factory=lambda: int(env("CASEWORK_MAX_WORKERS")))
    operator_token: str = field(default_factory=lambda: env("CASEWORK_OPERATOR_TOKEN"))
    token_ttl_seconds: int = field(default_factory=lambda: int(env("CASEWORK_TOKEN_TTL_SECONDS")))
    token_cache_seconds: float = field(
        default_factory=lambda: float(env("CASEWORK_TOKEN_CACHE_SECONDS"))
    )
    token_cache_entries: int = field(
        default_factory=lambda: int(env("CASEWORK_TOKEN_CACHE_ENTRIES")))
    login_max_failures_per_account: int = field(
        default_factory=lambda: int(env("CASEWORK_LOGIN_MAX_FAILURES_PER_ACCOUNT")))
    login_max_failures_per_address: int = field(
        default_factory=lambda: int(env("CASEWORK_LOGIN_MAX_FAILURES_PER_ADDRESS")))
    login_lockout_seconds: int = field(
        default_factory=lambda: int(env("CASEWORK_LOGIN_LOCKOUT_SECONDS")))
    trusted_proxies: frozenset[str] = field(default_factory=lambda: frozenset(
        a.strip() for a in env("CASEWORK_TRUSTED_PROXIES").split(",") if a.strip()))
    log_level: str = field(default_factory=lambda: env("CASEWORK_LOG_LEVEL"))
    relay_interval: float = field(default_factory=lambda: float(env("CASEWORK_RELAY_INTERVAL")))
    handler_retries: int = field(default_factory=lambda: int(env("CASEWORK_HANDLER_RETRIES")))
    rpc_reply_retention: float = field(
        default_factory=lambda: float(env("CASEWORK_RPC_REPLY_RETENTION")))

    def __post_init__(self):
        if self.environment == "production" and self.operator_token in PLACEHOLDER_SECRETS:
            raise RuntimeError("CASEWORK_OPERATOR_TOKEN must be set to a real secret in production")

    def database_url_for(self, service: str) -> str:
        return os.environ.get(f"CASEWORK_{service.upper()}_DATABASE_URL") or self.database_url


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings()


def nameko_config(s: Settings | None = None) -> dict:
    """The nameko config dictionary derived from the environment."""
    s = s or settings()
    return {
        "AMQP_URI": s.amqp_uri,
        "WEB_SERVER_ADDRESS": f"{s.http_host}:{s.http_port}",
        "max_workers": s.max_workers,
        "parent_calls_tracked": 10,
        "serializer": "json",
    }
