"""The e-mail sender (NOT-3): a greenthread in every notifications process that delivers the
queued e-mail over SMTP (``smtplib``; plain, STARTTLS or TLS, with credentials if configured).

E-mails are claimed ``BATCH`` at a time in one transaction (``SELECT ... FOR UPDATE SKIP
LOCKED``: another instance skips them), handed to the SMTP server one after the other over one
connection, and the accepted ones marked ``sent`` in that same transaction. So several instances
never send one e-mail twice; only a crash (or a lost database) between the server's ``250`` and
the commit sends the batch's accepted e-mails again later: at least once, with the same
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

import base64
import logging
import smtplib
import ssl
import threading
from email.header import Header
from email.utils import format_datetime, formataddr

import eventlet
import nameko
from nameko.extensions import DependencyProvider

from casework.config import SmtpSettings, settings
from casework.db import Database

from .domain import after_failure, is_permanent, retry_delay
from .queries import emails

log = logging.getLogger(__name__)

DATABASE_BACKOFF_MAX = 30.0
# e-mails claimed per transaction: one claim and one "sent" statement per batch rather than per
# e-mail (QUALITY P6). A crash between the server's acceptance and the commit sends at most this
# many again, each with its own unchanged Message-ID.
BATCH = 100
# connections a sweep opens at most when much is due (after a first full batch)
CONNECTIONS = 4


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


def _header(value: str) -> str:
    """A header value on one line (a CR or LF never gets through), RFC 2047-encoded when it is
    not ASCII, folded at 76 characters."""
    value = " ".join(value.split())
    if value.isascii() and len(value) <= 68 and "=?" not in value:
        return value  # short and plain: as it is (the common case, without Header's work)
    charset = "us-ascii" if value.isascii() else "utf-8"
    return Header(value, charset, maxlinelen=76, header_name="Subject").encode(linesep="\r\n")


def _part(subtype: str, body: str) -> bytes:
    encoded = base64.encodebytes(body.encode("utf-8")).replace(b"\n", b"\r\n")
    return (f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n").encode() + encoded


def message_bytes(row, smtp: SmtpSettings) -> bytes:
    """The e-mail as sent: From (the agency's display name, ``CASEWORK_MAIL_FROM``), To,
    Subject, Date, Message-ID, Auto-Submitted, and its plain text and HTML as alternatives,
    written directly: ``email.message.EmailMessage`` with its default policy took more time
    per e-mail than the SMTP exchange itself (QUALITY P6). Bodies go base64 (no 8BITMIME
    needed, no line too long, no leading dot)."""
    name = " ".join(row["from_name"].split())
    if name.isascii():
        sender = formataddr((name, smtp.mail_from))
    else:
        sender = formataddr((name, smtp.mail_from), charset="utf-8")
    boundary = f"=={row['id'].hex}=="
    head = "\r\n".join((
        f"From: {sender}",
        f"To: {' '.join(row['to_address'].split())}",
        f"Subject: {_header(row['subject'])}",
        f"Date: {format_datetime(row['created_at'])}",
        f"Message-ID: {' '.join(row['message_id'].split())}",
        "Auto-Submitted: auto-generated",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
        "", ""))
    return b"".join((
        head.encode("ascii"),
        f"--{boundary}\r\n".encode(), _part("plain", row["body_text"]),
        f"\r\n--{boundary}\r\n".encode(), _part("html", row["body_html"]),
        f"\r\n--{boundary}--\r\n".encode()))


def deliver(connection: smtplib.SMTP, row, smtp: SmtpSettings) -> None:
    """Hand one e-mail to the server; ``Refused`` when it refuses the recipient or the
    message (the connection stays usable), any other error when the connection failed."""
    try:
        connection.sendmail(smtp.mail_from, [row["to_address"]], message_bytes(row, smtp))
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
        """Send what is due. One connection sends a first batch; when it was full (more is
        likely due: a mass send), ``CONNECTIONS`` connections share the rest, each claiming
        its own batches, so that the server's answers to one overlap the others' (each e-mail
        costs four round trips). While the server is down, the first e-mail fails and the
        sweep ends: one connection attempt per sweep. Returns how many were sent."""
        sent, more = self._sweep_connection(smtp, batches=1)
        if not more or not self._running:
            return sent
        pool = eventlet.GreenPool(CONNECTIONS)
        for count, _ in pool.imap(lambda _: self._sweep_connection(smtp), range(CONNECTIONS)):
            sent += count
        return sent

    def _sweep_connection(self, smtp: SmtpSettings, batches: int | None = None
                          ) -> tuple[int, bool]:
        """Over one connection, ``BATCH`` e-mails per transaction: claimed together, handed
        to the server one after the other, the accepted ones marked sent with one statement
        before the commit; until nothing is due (or ``batches`` were done). At the first
        connection failure it stops: what the batch had not tried yet stays queued. Returns
        how many were sent and whether more may be due."""
        connection = None
        sent = 0
        try:
            while self._running and (batches is None or batches > 0):
                stop = False
                with self.engine.begin() as conn:
                    rows = emails.claim_due_batch(conn, BATCH)
                    if not rows:
                        return sent, False
                    delivered = []
                    for row in rows:
                        try:
                            if connection is None:
                                connection = connect(smtp)
                            deliver(connection, row, smtp)
                        except Refused as exc:
                            self._failed(conn, row, smtp, str(exc), is_permanent(exc.code))
                            continue
                        except Exception as exc:  # unreachable, 4xx, TLS, login: later
                            self._failed(conn, row, smtp, describe(exc), False)
                            connection = _close(connection)
                            stop = True
                            break
                        delivered.append(row["id"])
                    emails.mark_sent_many(conn, delivered)
                sent += len(delivered)
                self.sent += len(delivered)
                if stop or len(rows) < BATCH:
                    return sent, False
                if batches is not None:
                    batches -= 1
        finally:
            _close(connection)
        return sent, self._running

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
