"""Configuration from environment variables, with defaults for local runs.

This module is the one documented list (README.md, "Configuration"). Services read settings
through :func:`settings`, which is built once per process.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

PLACEHOLDER_SECRETS = {"", "change-me", "dev-operator-token", "dev-caller-signing-key",
                       "dev-web-secret-key"}

# name -> (default, description); README.md's configuration table is generated from this.
VARIABLES: dict[str, tuple[str, str]] = {
    "CASEWORK_ENV": (
        "local", "`local`, `test` or `production`; production refuses placeholder secrets"),
    "CASEWORK_AMQP_URI": (
        "pyamqp://guest:guest@127.0.0.1:5672/",
        "RabbitMQ broker and vhost; its user is the operator's (`casework broker users`, "
        "`casework dead-letters replay`): each process connects as its own user"),
    "CASEWORK_AMQP_<SERVICE>_PASSWORD": (
        "", "password of the RabbitMQ user `casework-<service>` of a service, the gateway "
        "(GATEWAY) or outside systems (EXTERNAL), e.g. CASEWORK_AMQP_RECORDS_PASSWORD; unset: "
        "`dev-amqp-<service>` in local runs, refused in production"),
    "CASEWORK_RABBITMQ_MANAGEMENT_URL": (
        "http://127.0.0.1:15672", "RabbitMQ's management API, where `casework broker users` "
        "creates the users and their permissions"),
    "CASEWORK_DATABASE_URL": (
        "postgresql+psycopg://postgres@127.0.0.1:5432/casework",
        "PostgreSQL database; each service uses its own schema in it",
    ),
    "CASEWORK_<SERVICE>_DATABASE_URL": (
        "", "a separate database for one service, e.g. CASEWORK_RECORDS_DATABASE_URL"),
    "CASEWORK_HTTP_HOST": ("0.0.0.0", "address the gateway listens on"),
    "CASEWORK_HTTP_PORT": (
        "8001", "port the gateway listens on (the web front end on `CASEWORK_WEB_PORT` forwards "
        "`/api/`, `/health`, `/ready` and `/metrics` to it)"),
    "CASEWORK_RPC_TIMEOUT": (
        "10", "seconds the gateway waits for a service before answering 503"),
    "CASEWORK_DB_POOL_SIZE": ("10", "PostgreSQL connections per service process"),
    "CASEWORK_MAX_WORKERS": ("10", "concurrent workers per service process"),
    "CASEWORK_OPERATOR_TOKEN": (
        "dev-operator-token", "bearer token of the operator routes; required in production"),
    "CASEWORK_CALLER_SIGNING_KEY": (
        "dev-caller-signing-key", "HMAC-SHA256 key with which the gateway signs the caller it "
        "passes to the services, and the services check it; the same in every process; required "
        "in production"),
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
    "CASEWORK_RESET_EMAILS_PER_HOUR": (
        "3", "password reset e-mails one account gets in an hour at most; further requests "
        "answer the same 202 and send nothing"),
    "CASEWORK_TRUSTED_PROXIES": (
        "", "comma-separated proxy addresses whose X-Forwarded-For names the client address"),
    "CASEWORK_LOG_LEVEL": ("INFO", "log level of every process (JSON lines on stderr)"),
    "CASEWORK_RELAY_INTERVAL": (
        "1.0", "seconds between outbox relay sweeps (commits also wake it at once)"),
    "CASEWORK_RPC_REPLY_RETENTION": (
        "900", "seconds a service keeps the reply of an RPC command, for a redelivered request "
        "(exactly-once commands)"),
    "CASEWORK_PORTAL_URL": (
        "http://localhost:8000", "where the client portal front end is: links in e-mails "
        "start with it (`<url>/invitations/{token}`, `<url>/join/{slug}`)"),
    "CASEWORK_STAFF_URL": (
        "http://localhost:8000", "where the staff console is: notification e-mails and staff "
        "welcomes link to it"),
    "CASEWORK_DIGEST_HOUR": (
        "7", "hour of the agency's day (its time zone, 0-23) from which each staff member's daily "
        "notification digest goes out"),
    "CASEWORK_NOTIFICATION_RETENTION_DAYS": (
        "180", "days a staff member's in-app notification is kept (read or not, delivered or "
        "waiting for a navigator); older ones, and digest claims, are deleted every hour"),
    "CASEWORK_NOTIFICATION_PRUNE_INTERVAL": (
        "3600", "seconds between the notifications service's deletions of old notifications"),
    "CASEWORK_DIGEST_INTERVAL": (
        "60", "seconds between the notifications service's checks for digests due"),
    "CASEWORK_WEB_HOST": (
        "0.0.0.0", "address the web front end (staff console, portal) listens on"),
    "CASEWORK_WEB_PORT": (
        "8000", "port of the web front end: the staff console at `/`, the portal at `/portal/`, "
        "and the gateway's API forwarded"),
    "CASEWORK_WEB_GATEWAY_URL": (
        "", "where the web front end reaches the gateway; unset, "
        "the gateway on 127.0.0.1 at `CASEWORK_HTTP_PORT`"),
    "CASEWORK_WEB_WORKERS": ("2", "processes of the web front end"),
    "CASEWORK_WEB_THREADS": ("16", "threads per web front end process (each serves one request)"),
    "CASEWORK_WEB_SECRET_KEY": (
        "dev-web-secret-key", "key that signs the web front end's CSRF tokens; the same in every "
        "web process; required in production"),
    "CASEWORK_WEB_SESSION_SECONDS": (
        "28800", "a web session ends after this many seconds without a request (it never outlives "
        "its API token)"),
    "CASEWORK_WEB_SECURE_COOKIES": (
        "", "`true`: the web front end's cookies are sent over HTTPS only; unset: true in "
        "production"),
    "CASEWORK_HANDLER_RETRIES": (
        "3", "attempts of a failing event handler before the event is dead-lettered"),
    "CASEWORK_SMTP_HOST": (
        "", "SMTP server e-mail goes out through; unset, `casework run` starts the local mail "
        "catcher and sends to it"),
    "CASEWORK_SMTP_PORT": (
        "", "its port; unset, 25 (`none`), 587 (`starttls`) or 465 (`tls`)"),
    "CASEWORK_SMTP_USERNAME": ("", "SMTP login name, if the server wants one"),
    "CASEWORK_SMTP_PASSWORD": ("", "SMTP password (never logged nor stored)"),
    "CASEWORK_SMTP_SECURITY": (
        "none", "`none`, `starttls` (upgrade a plain connection) or `tls` (TLS from the start)"),
    "CASEWORK_SMTP_CA_FILE": (
        "", "PEM file of the authority that signed the SMTP server's certificate, when it is not "
        "one the system trusts"),
    "CASEWORK_SMTP_TIMEOUT": ("10", "seconds an SMTP connection or answer may take"),
    "CASEWORK_MAIL_FROM": (
        "casework@localhost", "sender address of every e-mail (the agency's sender name is its "
        "display name)"),
    "CASEWORK_MAIL_INTERVAL": ("1.0", "seconds between sweeps of the e-mail sender"),
    "CASEWORK_MAIL_RETRY_SECONDS": (
        "30", "wait before an e-mail's second attempt; doubles with each failed attempt"),
    "CASEWORK_MAIL_RETRY_MAX_SECONDS": ("3600", "longest wait between two attempts"),
    "CASEWORK_MAIL_MAX_ATTEMPTS": (
        "12", "attempts before an e-mail the server keeps refusing or never takes is dead"),
    "CASEWORK_MAIL_CATCHER_PORT": (
        "1025", "port of the local mail catcher `casework run` starts (127.0.0.1)"),
    "CASEWORK_MAIL_CATCHER_DIR": (
        "", "where the mail catcher keeps what it caught; unset, `casework/mail` under "
        "`$XDG_STATE_HOME` (`~/.local/state`)"),
}

SMTP_PORTS = {"none": 25, "starttls": 587, "tls": 465}


def env(name: str) -> str:
    return os.environ.get(name, VARIABLES[name][0])


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how e-mail goes out (NOT-3); ``host`` empty: nowhere yet (e-mail stays
    queued). ``repr`` never shows the password."""

    host: str = ""
    port: int = 25
    username: str = ""
    password: str = field(default="", repr=False)
    security: str = "none"
    ca_file: str = ""
    timeout: float = 10.0
    mail_from: str = "casework@localhost"
    interval: float = 1.0
    retry_seconds: float = 30.0
    retry_max_seconds: float = 3600.0
    max_attempts: int = 12

    def __post_init__(self):
        if self.security not in SMTP_PORTS:
            raise RuntimeError("CASEWORK_SMTP_SECURITY must be none, starttls or tls")

    @classmethod
    def from_env(cls, **overrides) -> SmtpSettings:
        security = env("CASEWORK_SMTP_SECURITY").strip().lower() or "none"
        values = dict(
            host=env("CASEWORK_SMTP_HOST").strip(),
            port=int(env("CASEWORK_SMTP_PORT") or SMTP_PORTS.get(security, 25)),
            username=env("CASEWORK_SMTP_USERNAME"),
            password=env("CASEWORK_SMTP_PASSWORD"),
            security=security,
            ca_file=env("CASEWORK_SMTP_CA_FILE"),
            timeout=float(env("CASEWORK_SMTP_TIMEOUT")),
            mail_from=env("CASEWORK_MAIL_FROM"),
            interval=float(env("CASEWORK_MAIL_INTERVAL")),
            retry_seconds=float(env("CASEWORK_MAIL_RETRY_SECONDS")),
            retry_max_seconds=float(env("CASEWORK_MAIL_RETRY_MAX_SECONDS")),
            max_attempts=int(env("CASEWORK_MAIL_MAX_ATTEMPTS")),
        )
        values.update(overrides)
        return cls(**values)


@dataclass(frozen=True)
class WebSettings:
    """The web front end (``web/``): where it listens, where it finds the gateway, its sessions.
    ``repr`` never shows the secret key."""

    host: str = "0.0.0.0"
    port: int = 8000
    gateway_url: str = "http://127.0.0.1:8001"
    workers: int = 2
    threads: int = 16
    secret_key: str = field(default="dev-web-secret-key", repr=False)
    session_seconds: int = 28800
    secure_cookies: bool = False

    def check(self, environment: str) -> None:
        """The web process refuses to start in production with the placeholder key (only it
        reads the key: the services do not need it)."""
        if environment == "production" and self.secret_key in PLACEHOLDER_SECRETS:
            raise RuntimeError("CASEWORK_WEB_SECRET_KEY must be set to a real secret in production")

    @classmethod
    def from_env(cls) -> WebSettings:
        secure = env("CASEWORK_WEB_SECURE_COOKIES").strip().lower()
        return cls(
            host=env("CASEWORK_WEB_HOST"),
            port=int(env("CASEWORK_WEB_PORT")),
            gateway_url=(env("CASEWORK_WEB_GATEWAY_URL").strip()
                         or f"http://127.0.0.1:{int(env('CASEWORK_HTTP_PORT'))}").rstrip("/"),
            workers=max(1, int(env("CASEWORK_WEB_WORKERS"))),
            threads=max(1, int(env("CASEWORK_WEB_THREADS"))),
            secret_key=env("CASEWORK_WEB_SECRET_KEY"),
            session_seconds=max(60, int(env("CASEWORK_WEB_SESSION_SECONDS"))),
            secure_cookies=(secure in ("1", "true", "yes") if secure
                            else env("CASEWORK_ENV") == "production"),
        )


def mail_catcher_dir() -> str:
    """Where the local mail catcher keeps what it caught."""
    configured = env("CASEWORK_MAIL_CATCHER_DIR")
    if configured:
        return configured
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "state")
    return os.path.join(state, "casework", "mail")


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
    rabbitmq_management_url: str = field(
        default_factory=lambda: env("CASEWORK_RABBITMQ_MANAGEMENT_URL"))
    caller_signing_key: str = field(
        default_factory=lambda: env("CASEWORK_CALLER_SIGNING_KEY"), repr=False)
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
    reset_emails_per_hour: int = field(
        default_factory=lambda: int(env("CASEWORK_RESET_EMAILS_PER_HOUR")))
    trusted_proxies: frozenset[str] = field(default_factory=lambda: frozenset(
        a.strip() for a in env("CASEWORK_TRUSTED_PROXIES").split(",") if a.strip()))
    log_level: str = field(default_factory=lambda: env("CASEWORK_LOG_LEVEL"))
    relay_interval: float = field(default_factory=lambda: float(env("CASEWORK_RELAY_INTERVAL")))
    handler_retries: int = field(default_factory=lambda: int(env("CASEWORK_HANDLER_RETRIES")))
    portal_url: str = field(default_factory=lambda: env("CASEWORK_PORTAL_URL").rstrip("/"))
    rpc_reply_retention: float = field(
        default_factory=lambda: float(env("CASEWORK_RPC_REPLY_RETENTION")))
    smtp: SmtpSettings = field(default_factory=lambda: SmtpSettings.from_env())
    web: WebSettings = field(default_factory=lambda: WebSettings.from_env())

    def __post_init__(self):
        if self.environment == "production" and self.operator_token in PLACEHOLDER_SECRETS:
            raise RuntimeError("CASEWORK_OPERATOR_TOKEN must be set to a real secret in production")
        if self.environment == "production" and self.caller_signing_key in PLACEHOLDER_SECRETS:
            raise RuntimeError(
                "CASEWORK_CALLER_SIGNING_KEY must be set to a real secret in production")

    def amqp_password(self, process: str) -> str:
        """The password of ``process``'s RabbitMQ user (``casework.broker``)."""
        name = "CASEWORK_AMQP_<SERVICE>_PASSWORD".replace("<SERVICE>", process.upper())
        password = os.environ.get(name) or f"dev-amqp-{process}"
        if self.environment == "production" and (
                password in PLACEHOLDER_SECRETS or password == f"dev-amqp-{process}"):
            raise RuntimeError(f"{name} must be set to a real secret in production")
        return password

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
