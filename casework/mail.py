"""E-mail for the operator: the local mail catcher and the commands that read it, and the
views of the notifications service's outgoing queue (dead e-mails, retry).

The mail catcher is an SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message it is
handed as one ``.eml`` file, numbered, in ``CASEWORK_MAIL_CATCHER_DIR`` (by default
``casework/mail`` under the user's state directory). ``casework run`` starts it when no
``CASEWORK_SMTP_HOST`` is configured and points the services at it, so that a new user can read
an invitation (``casework mail list``, ``casework mail show ID``) and follow its link on one
machine. It delivers nothing anywhere.
"""

from __future__ import annotations

import re
import signal
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from casework.config import mail_catcher_dir

CATCHER_HOST = "127.0.0.1"
NAME = re.compile(r"^(\d{6})\.eml$")


# --- the mail catcher ------------------------------------------------------------------------

class Catcher:
    """aiosmtpd handler: keeps each message as ``<number>.eml`` in ``folder``, with the
    envelope's recipients in an ``X-Envelope-To`` header."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        header = "".join(f"X-Envelope-To: {to}\r\n" for to in envelope.rcpt_tos).encode()
        self.save(header + content)
        return "250 caught"

    def save(self, raw: bytes) -> str:
        with self._lock:
            number = max((int(m.group(1)) for p in self.folder.iterdir()
                          if (m := NAME.match(p.name))), default=0) + 1
            while True:
                path = self.folder / f"{number:06d}.eml"
                try:
                    with open(path, "xb") as file:
                        file.write(raw)
                    return str(number)
                except FileExistsError:
                    number += 1


def serve_catcher(port: int, folder: str | None = None, host: str = CATCHER_HOST) -> None:
    """Run the mail catcher in the foreground until SIGTERM or Ctrl-C: on 127.0.0.1 unless
    ``host`` says otherwise (the compose file's ``mail`` container listens on its network)."""
    from aiosmtpd.controller import Controller

    folder = folder or mail_catcher_dir()
    controller = Controller(Catcher(folder), hostname=host, port=port)
    try:
        controller.start()
    except OSError as exc:
        raise SystemExit(f"casework: the mail catcher cannot listen on {host}:{port} "
                         f"({exc.strerror or exc}); set CASEWORK_MAIL_CATCHER_PORT to a free port, "
                         "or CASEWORK_SMTP_HOST to a real SMTP server") from None
    print(f"casework: mail catcher on {host}:{port}, keeping mail in {folder}",
          flush=True)
    stopped = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopped.set())
    try:
        while not stopped.wait(0.5):
            pass
    finally:
        controller.stop()


def catcher_environment(environ: dict[str, str], port: int) -> dict[str, str]:
    """The environment of the services when they send to the local mail catcher."""
    env = {**environ, "CASEWORK_SMTP_HOST": CATCHER_HOST, "CASEWORK_SMTP_PORT": str(port),
           "CASEWORK_SMTP_SECURITY": "none"}
    for name in ("CASEWORK_SMTP_USERNAME", "CASEWORK_SMTP_PASSWORD", "CASEWORK_SMTP_CA_FILE"):
        env.pop(name, None)
    return env


def caught(folder: str | None = None) -> list[dict]:
    """What the catcher caught, oldest first: ``{id, date, from, to, subject}``."""
    folder = Path(folder or mail_catcher_dir())
    if not folder.is_dir():
        return []
    rows = []
    for path in sorted(folder.iterdir()):
        match = NAME.match(path.name)
        if match is None:
            continue
        message = read_message(path)
        rows.append({"id": str(int(match.group(1))), "date": message["Date"] or "",
                     "from": message["From"] or "", "to": message["To"] or "",
                     "subject": message["Subject"] or ""})
    return rows


def read_message(path: Path) -> EmailMessage:
    return message_from_bytes(path.read_bytes(), policy=policy.default)


def caught_message(message_id: str, folder: str | None = None) -> EmailMessage | None:
    if not message_id.isdigit():
        return None
    path = Path(folder or mail_catcher_dir()) / f"{int(message_id):06d}.eml"
    return read_message(path) if path.is_file() else None


def show(message: EmailMessage, html: bool = False) -> str:
    """A caught message as text: its headers, then its plain text (or its HTML)."""
    lines = [f"{name}: {message[name]}" for name in ("Date", "From", "To", "Subject",
                                                      "Message-ID") if message[name]]
    body = message.get_body(preferencelist=("html",) if html else ("plain", "html"))
    lines += ["", body.get_content() if body is not None else "(no body)"]
    return "\n".join(lines)


# --- the outgoing queue (notifications' ``emails`` table) -----------------------------------

def _engine():
    from casework.config import settings
    from casework.db import make_engine

    return make_engine(settings().database_url_for("notifications"), pool_size=1)


def outgoing(status: str | None = None) -> list[dict]:
    """The notifications service's e-mail, newest first (200 at most): all, or of a status."""
    from services.notifications.queries import emails

    engine = _engine()
    try:
        with engine.connect() as conn:
            return emails.list_emails(conn, status)
    finally:
        engine.dispose()


def retry(email_id: str | None) -> int:
    """Queue a dead e-mail again (or, with ``None``, every dead one): how many were."""
    import uuid

    from casework.errors import NotFound
    from services.notifications.queries import emails

    if email_id is not None:
        try:
            email_id = uuid.UUID(email_id)
        except ValueError:
            raise NotFound(f"no dead e-mail {email_id}") from None
    engine = _engine()
    try:
        with engine.begin() as conn:
            count = emails.retry_dead(conn, email_id)
    finally:
        engine.dispose()
    if email_id is not None and count == 0:
        raise NotFound(f"no dead e-mail {email_id}")
    return count
