"""The e-mail sender (NOT-3): a greenthread in every notifications process that delivers the
queued e-mail over SMTP (``smtplib``; plain, STARTTLS or TLS, with credentials if configured).

Each e-mail is claimed in its own transaction (``SELECT ... FOR UPDATE SKIP LOCKED``: another
instance skips it), handed to the SMTP server, and marked ``sent`` in that same transaction. So
several instances never send one e-mail twice; only a crash (or a lost database) between the
server's ``250`` and the commit sends it again later: at least once, with the same
``Message-ID`` each time, so a receiver can tell.

A failed attempt waits ``CASEWORK_MAIL_RETRY_SECONDS``, doubled after each failure up to
``CASEWORK_MAIL_RETRY_MAX_SECONDS``: a server that is down or unreachable, a 4xx answer, a
refused login or TLS handshake. A 5xx refusal of the recipient or of the message, or
``CASEWORK_MAIL_MAX_ATTEMPTS`` failed attempts, makes it ``dead`` with the reason: never
dropped, listed by ``casework mail list --dead`` and ``casework dead-letters list``, and queued
again by ``casework mail retry``. With no SMTP host configured the e-mail stays queued.

This module is I/O (SMTP and the sender's transactions); the rules it applies are in
``domain.py``. Logs name the e-mail's id and the error, never a password or a body.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

import nameko
from nameko.extensions import DependencyProvider

from casework.config import SmtpSettings, settings
from casework.db import Database

from .domain import after_failure, is_permanent, retry_delay
from .queries import emails

log = logging.getLogger(__name__)

DATABASE_BACKOFF_MAX = 30.0


def smtp_settings() -> SmtpSettings:
    """The SMTP settings in force: the environment's, or those a test (or an embedding) put in
    ``nameko.config["SMTP"]`` (a dict of ``SmtpSettings`` fields over the environment's)."""
    overrides = nameko.config.get("SMTP")
    return SmtpSettings.from_env(**overrides) if overrides else settings().smtp


class Refused(Exception):
    """The server refused this e-mail (not the connection): ``code`` is its answer."""

    def __init__(self, code: int | None, text: str):
        super().__init__(text)
        self.code = code


def connect(smtp: SmtpSettings) -> smtplib.SMTP:
    context = ssl.create_default_context(cafile=smtp.ca_file or None)
    if smtp.security == "tls":
        connection = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout,
                                      context=context)
    else:
        connection = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    try:
        if smtp.security == "starttls":
            connection.starttls(context=context)
        if smtp.username:
            connection.login(smtp.username, smtp.password)
    except BaseException:
        connection.close()
        raise
    return connection


def build_message(row, smtp: SmtpSettings) -> EmailMessage:
    message = EmailMessage()
    local, _, domain = smtp.mail_from.rpartition("@")
    message["From"] = Address(display_name=row["from_name"], username=local, domain=domain)
    message["To"] = row["to_address"]
    message["Subject"] = row["subject"]
    message["Date"] = format_datetime(row["created_at"])
    message["Message-ID"] = row["message_id"]
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row["body_text"])
    message.add_alternative(row["body_html"], subtype="html")
    return message


def deliver(connection: smtplib.SMTP, row, smtp: SmtpSettings) -> None:
    """Hand one e-mail to the server; ``Refused`` when it refuses the recipient or the
    message (the connection stays usable), any other error when the connection failed."""
    try:
        connection.send_message(build_message(row, smtp), from_addr=smtp.mail_from,
                                to_addrs=[row["to_address"]])
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()), (None, b""))
        raise Refused(code, f"recipient refused: {code} {_text(text)}") from exc
    except smtplib.SMTPDataError as exc:
        raise Refused(exc.smtp_code, f"message refused: {exc.smtp_code} "
                                     f"{_text(exc.smtp_error)}") from exc
    except smtplib.SMTPSenderRefused as exc:
        # the relay refuses our sender address: a setting to fix, not this e-mail's fault
        raise Refused(None, f"sender refused: {exc.smtp_code} {_text(exc.smtp_error)}") from exc


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def describe(exc: BaseException) -> str:
    """The reason kept with the e-mail: the server's answer or the connection error."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{type(exc).__name__}: {exc.smtp_code} {_text(exc.smtp_error)}"[:2000]
    return f"{type(exc).__name__}: {exc}"[:2000]


class MailSender(DependencyProvider):
    """``mail_sender = MailSender()``: runs the sender loop beside the service's workers; a
    worker's ``self.mail_sender.wake()`` starts a sweep now (e.g. after queueing)."""

    def setup(self):
        self._wake = threading.Event()
        self._running = False
        self._warned_no_host = False
        self.sent = 0

    def start(self):
        self.engine = next(d for d in self.container.dependencies
                           if isinstance(d, Database)).engine
        self._running = True
        self.container.spawn_managed_thread(self.run)

    def stop(self):
        self._running = False
        self._wake.set()

    kill = stop

    def get_dependency(self, worker_ctx):
        return self

    def wake(self) -> None:
        self._wake.set()

    def run(self) -> None:
        delay = 0.0
        while self._running:
            self._wake.wait(delay)
            self._wake.clear()
            if not self._running:
                break
            smtp = smtp_settings()
            delay = smtp.interval
            if not smtp.host:
                if not self._warned_no_host:
                    log.warning("no SMTP host (CASEWORK_SMTP_HOST): e-mail stays queued")
                    self._warned_no_host = True
                continue
            try:
                self.sweep(smtp)
            except Exception as exc:  # the database is down: the e-mail waits in its table
                log.warning("e-mail sender sweep failed: %r", exc)
                delay = min(max(delay * 2, smtp.interval), DATABASE_BACKOFF_MAX)

    def sweep(self, smtp: SmtpSettings) -> int:
        """Send what is due, one e-mail per transaction, over one connection; stop at the
        first connection failure (the next due e-mail would fail the same way). Returns how
        many were sent."""
        connection = None
        sent = 0
        try:
            while self._running:
                with self.engine.begin() as conn:
                    row = emails.claim_due(conn)
                    if row is None:
                        return sent
                    try:
                        if connection is None:
                            connection = connect(smtp)
                        deliver(connection, row, smtp)
                    except Refused as exc:
                        self._failed(conn, row, smtp, str(exc), is_permanent(exc.code))
                        continue
                    except Exception as exc:  # unreachable, 4xx, TLS, login: try again later
                        self._failed(conn, row, smtp, describe(exc), False)
                        connection = _close(connection)
                        return sent
                    emails.mark_sent(conn, row["id"])
                sent += 1
                self.sent += 1
        finally:
            _close(connection)
        return sent

    def _failed(self, conn, row, smtp: SmtpSettings, reason: str, permanent: bool) -> None:
        attempts = row["attempts"] + 1
        status = after_failure(attempts, smtp.max_attempts, permanent)
        delay = retry_delay(attempts, smtp.retry_seconds, smtp.retry_max_seconds)
        emails.mark_failed(conn, row["id"], status, attempts, reason, delay)
        if status == "dead":
            log.error("e-mail %s is dead after %s attempt(s): %s", row["id"], attempts, reason)
        else:
            log.warning("e-mail %s not sent (attempt %s), next in %.1f s: %s", row["id"],
                        attempts, delay, reason)


def _close(connection: smtplib.SMTP | None) -> None:
    if connection is not None:
        try:
            connection.quit()
        except Exception:  # already broken: nothing more to say to it
            connection.close()
    return None
