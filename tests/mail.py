"""A real SMTP server in the test process (aiosmtpd), for the e-mail tests: it keeps what it
receives, and can refuse recipients, want STARTTLS or TLS (a self-signed certificate made with
``openssl`` for the test) and a login.

``mail_server`` (tests/fixtures.py) starts one on a free port and points the notifications
services of the test at it (``nameko.config["SMTP"]``, read by ``sender.smtp_settings``) with
fast retries."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    authenticated: bool
    tls: bool

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content().replace("\r\n", "\n")

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content().replace("\r\n", "\n")


@dataclass
class Inbox:
    """The server's handler: ``refuse[address] = "550 ..."`` refuses that recipient;
    ``delay`` seconds of work per message."""

    received: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        self.received.append(Received(
            envelope.mail_from, list(envelope.rcpt_tos),
            message_from_bytes(envelope.original_content or envelope.content,
                               policy=policy.default),
            bool(session.authenticated),
            session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None))
        return "250 OK"


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost and its key, made with the openssl CLI."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


class SmtpServer:
    """``SmtpServer(port, security="none"|"starttls"|"tls", cert=..., credentials=(u, p))``."""

    def __init__(self, port: int, *, security: str = "none", cert: tuple[Path, Path] | None = None,
                 credentials: tuple[str, str] | None = None):
        import ssl

        self.port = port
        self.security = security
        self.inbox = Inbox()
        self.credentials = credentials
        self.logins: list[tuple[str, str]] = []
        kwargs = {}
        if security != "none":
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*map(str, cert))
            if security == "tls":
                # aiosmtpd only knows of TLS it started itself (STARTTLS): this connection is
                # TLS from its first byte, so AUTH is safe on it
                kwargs.update(ssl_context=context, auth_require_tls=False)
            else:
                kwargs.update(tls_context=context, require_starttls=True)
        if credentials:
            kwargs.update(authenticator=self._authenticate, auth_required=True)
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=port, **kwargs)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = (auth_data.login.decode(), auth_data.password.decode())
        self.logins.append(login)
        return AuthResult(success=login == self.credentials, handled=False)

    @property
    def received(self) -> list[Received]:
        return self.inbox.received

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received


FAST_RETRIES = {"interval": 0.05, "retry_seconds": 0.1, "retry_max_seconds": 0.4,
                "max_attempts": 5, "timeout": 3.0}


def park_queued(engine) -> None:
    """Set aside what earlier tests of this run left queued (their services had no SMTP server,
    or it refused), so that this test's server receives only this test's e-mail."""
    from sqlalchemy import text

    with engine.begin() as conn:
        conn.execute(text("UPDATE notifications.emails SET status = 'dead', dead_at = now(),"
                          " last_error = 'set aside by a later test' "
                          "WHERE status IN ('queued', 'failed')"))


def smtp_config(port: int, **overrides) -> dict:
    """``nameko.config["SMTP"]`` for a server on 127.0.0.1:``port``."""
    return {"host": "127.0.0.1", "port": port, "security": "none", **FAST_RETRIES, **overrides}
