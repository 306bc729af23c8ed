"""E-mail that really goes out (NOT-3, NOT-4): the notifications service in this process sends
to a real SMTP server in this process (aiosmtpd on a free port, ``tests/mail.py``), never a mock
of the sender. E-mail is queued through the service's RPC as other services queue it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nameko
import pytest
from nameko.standalone.rpc import ClusterRpcClient
from sqlalchemy import text

from casework.errors import ValidationFailed
from services.notifications.service import NotificationsService
from tests.fixtures import free_port, signed, wait_for
from tests.mail import SmtpServer, park_queued, self_signed_certificate, smtp_config

ROOT = Path(__file__).resolve().parents[2]
OPERATOR = {"kind": "operator"}


def invitation(to=None, key=None, organization_id=None, **context) -> dict:
    return {"key": key or f"invitation:{uuid.uuid4()}", "to": to or "cleo@example.org",
            "template": "invitation", "organization_id": organization_id,
            "context": {"organization_name": "Hope Street", "expires_at": "2026-12-03 10:00 UTC",
                        "link": "http://127.0.0.1:8000/portal/invitations/tok3n-abc", **context}}


def send(message: dict) -> dict:
    with ClusterRpcClient() as rpc:
        return rpc.notifications.send_email(message)


def email_row(engine, email_id) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT * FROM notifications.emails WHERE id = :i"),
                                 {"i": str(email_id)}).mappings().one())


def casework(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "casework.cli", *args], cwd=ROOT,
                          env=dict(os.environ), capture_output=True, text=True, timeout=60)


@pytest.fixture(autouse=True)
def quiet_queue(engine):
    park_queued(engine)


@pytest.fixture
def notifications(start_services, mail_server):
    return start_services("notifications")


def test_queued_email_arrives_in_the_agencys_name_with_subject_text_and_escaped_html(
        start_services, mail_server, engine):
    start_services("identity", "notifications")
    slug = f"tom-{uuid.uuid4().hex[:8]}"
    with ClusterRpcClient() as rpc:
        agency = rpc.identity.create_organization(signed(OPERATOR), {
            "name": "Tom & Jerry <Care>", "slug": slug, "timezone": "UTC",
            "admin": {"email": f"ada@{slug}.org", "first_name": "Ada", "last_name": "Admin",
                      "password": "a long passphrase"}})
        admin = signed({"kind": "staff", "organization_id": agency["id"],
                        "user_id": agency["admin_user_id"], "permissions": ["agency_admin"]})
        rpc.identity.update_settings(admin, {"sender_name": "Hope Street Team"})

    def copied():
        with engine.connect() as conn:
            return conn.execute(text("SELECT sender_name FROM notifications.organizations "
                                     "WHERE id = :i"), {"i": agency["id"]}).scalar()
    assert wait_for(copied) == "Hope Street Team"

    queued = send(invitation(organization_id=agency["id"], organization_name="Tom & Jerry <Care>"))
    assert queued["status"] == "queued"
    # (the new administrator's staff welcome, NOT-4, goes out too)
    [mail] = wait_for(lambda: [m for m in mail_server.received
                               if m.rcpt_tos == ["cleo@example.org"]])
    message = mail.message
    assert mail.rcpt_tos == ["cleo@example.org"] and mail.mail_from == "casework@localhost"
    assert message["From"].addresses[0].display_name == "Hope Street Team"
    assert message["From"].addresses[0].addr_spec == "casework@localhost"
    assert message["Subject"] == "Tom & Jerry <Care> invites you to your client portal"
    assert "http://127.0.0.1:8000/portal/invitations/tok3n-abc" in mail.text
    assert "Tom & Jerry <Care> invites you" in mail.text
    assert "Tom &amp; Jerry &lt;Care&gt; invites you" in mail.html
    assert "<Care>" not in mail.html
    assert '<a href="http://127.0.0.1:8000/portal/invitations/tok3n-abc">' in mail.html
    row = wait_for(lambda: (r := email_row(engine, queued["email_id"]))["status"] == "sent" and r)
    assert row["attempts"] == 1 and row["sent_at"] is not None
    # the link's token lives in the e-mail only: the stored body goes once it is sent
    assert (row["body_text"], row["body_html"]) == ("", "")
    assert "tok3n-abc" not in str(row) and row["subject"] == message["Subject"]
    assert message["Message-ID"] == row["message_id"]


def test_the_same_key_queues_one_email_and_answers_the_first(notifications, mail_server, engine):
    key = f"invitation:{uuid.uuid4()}:1"
    first = send(invitation(key=key, to="first@example.org"))
    again = send(invitation(key=key, to="second@example.org"))
    assert again["email_id"] == first["email_id"]
    mail_server.wait_for(1)
    wait_for(lambda: email_row(engine, first["email_id"])["status"] == "sent")
    assert send(invitation(key=key))["status"] == "sent"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM notifications.emails WHERE key = :k"),
                            {"k": key}).scalar() == 1
    assert [m.rcpt_tos for m in mail_server.received] == [["first@example.org"]]


def test_a_context_that_does_not_fit_its_template_is_refused(notifications):
    with pytest.raises(ValidationFailed):
        send({**invitation(), "context": {"link": "http://x/invitations/t"}})
    with pytest.raises(ValidationFailed):  # nothing more than the e-mail shows: no password
        send(invitation(password="hunter2hunter2"))


def test_while_the_server_is_down_the_email_is_retried_with_backoff_then_delivered(
        start_services, platform_config, engine):
    port = free_port()  # nothing listens there yet
    with nameko.config.patch({"SMTP": smtp_config(port, retry_seconds=0.2,
                                                   retry_max_seconds=0.8, max_attempts=50)}):
        start_services("notifications")
        queued = send(invitation())
        row = wait_for(lambda: (r := email_row(engine, queued["email_id"]))["attempts"] >= 3
                       and r, timeout=5)
        assert row["status"] == "failed" and "ConnectionRefusedError" in row["last_error"]
        # doubling: the third wait (0.8 s) is longer than the first two together
        delay = (row["next_attempt_at"] - row["created_at"]).total_seconds()
        assert delay >= 0.2 + 0.4 + 0.8 - 0.1, delay
        server = SmtpServer(port).start()
        try:
            [mail] = server.wait_for(1, timeout=5)
            assert mail.rcpt_tos == ["cleo@example.org"]
            row = wait_for(lambda: (r := email_row(engine, queued["email_id"]))["status"]
                           == "sent" and r)
            assert row["status"] == "sent" and row["attempts"] >= 4
        finally:
            server.stop()


def test_a_4xx_answer_is_retried_and_a_5xx_refusal_is_dead_with_its_reason(
        notifications, mail_server, engine):
    mail_server.inbox.refuse["later@example.org"] = "450 mailbox busy, try later"
    mail_server.inbox.refuse["nobody@example.org"] = "550 no such user here"
    later = send(invitation(to="later@example.org"))
    nobody = send(invitation(to="nobody@example.org"))
    dead = wait_for(lambda: (r := email_row(engine, nobody["email_id"]))["status"] == "dead"
                    and r)
    assert dead["attempts"] == 1 and "550 no such user here" in dead["last_error"]
    busy = wait_for(lambda: (r := email_row(engine, later["email_id"]))["attempts"] >= 2 and r)
    assert busy["status"] in ("failed", "dead") and "450" in busy["last_error"]
    del mail_server.inbox.refuse["later@example.org"]
    # the 4xx one goes through once the server takes it (or was dead after max_attempts)
    final = wait_for(lambda: (r := email_row(engine, later["email_id"]))["status"]
                     in ("sent", "dead") and r)
    assert final["status"] == "sent" or final["attempts"] == 5

    listed = casework("mail", "list", "--dead")
    assert listed.returncode == 0, listed.stderr
    line = next(x for x in listed.stdout.splitlines() if str(nobody["email_id"]) in x)
    assert "nobody@example.org" in line and "550 no such user here" in line
    letters = casework("dead-letters", "list")
    assert letters.returncode == 0, letters.stderr
    assert f"email {nobody['email_id']}" in letters.stdout and "550" in letters.stdout

    # the operator fixes what was wrong and retries it: it goes out
    del mail_server.inbox.refuse["nobody@example.org"]
    retried = casework("mail", "retry", str(nobody["email_id"]))
    assert retried.returncode == 0, retried.stderr
    row = wait_for(lambda: (r := email_row(engine, nobody["email_id"]))["status"] == "sent"
                   and r)
    assert row["status"] == "sent"
    assert "nobody@example.org" in [m.rcpt_tos[0] for m in mail_server.received]
    unknown = casework("mail", "retry", str(uuid.uuid4()))
    assert unknown.returncode == 1 and "no dead e-mail" in unknown.stderr


def test_too_many_failed_attempts_make_an_email_dead_never_dropped(
        start_services, platform_config, engine):
    with nameko.config.patch({"SMTP": smtp_config(free_port(), max_attempts=2)}):
        start_services("notifications")
        queued = send(invitation())
        row = wait_for(lambda: (r := email_row(engine, queued["email_id"]))["status"] == "dead"
                       and r, timeout=5)
    assert row["attempts"] == 2 and "ConnectionRefusedError" in row["last_error"]
    assert row["body_text"]  # kept, for a retry


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_starttls_and_tls_with_credentials(security, start_services, platform_config, engine,
                                           tmp_path):
    cert = self_signed_certificate(tmp_path)
    password = "s3cret-" + uuid.uuid4().hex
    server = SmtpServer(free_port(), security=security, cert=cert,
                        credentials=("mailer", password)).start()
    try:
        with nameko.config.patch({"SMTP": smtp_config(
                server.port, security=security, username="mailer", password=password,
                ca_file=str(cert[0]))}):
            start_services("notifications")
            queued = send(invitation())
            [mail] = server.wait_for(1)
        assert mail.authenticated and mail.tls
        assert server.logins == [("mailer", password)]
        row = email_row(engine, queued["email_id"])
        assert password not in str(row)
    finally:
        server.stop()


def test_a_refused_login_is_retried_and_its_password_is_kept_nowhere(
        start_services, platform_config, engine, tmp_path, caplog):
    cert = self_signed_certificate(tmp_path)
    server = SmtpServer(free_port(), security="starttls", cert=cert,
                        credentials=("mailer", "the-right-one")).start()
    wrong = "wrong-" + uuid.uuid4().hex
    try:
        with nameko.config.patch({"SMTP": smtp_config(
                server.port, security="starttls", username="mailer", password=wrong,
                ca_file=str(cert[0]), max_attempts=50)}):
            start_services("notifications")
            queued = send(invitation())
            row = wait_for(lambda: (r := email_row(engine, queued["email_id"]))["attempts"] >= 2
                           and r)
        assert row["status"] == "failed" and "SMTPAuthenticationError: 535" in row["last_error"]
        assert wrong not in str(row) and wrong not in caplog.text
        assert server.received == []
    finally:
        server.stop()


def test_an_untrusted_certificate_is_not_sent_to(start_services, platform_config, engine,
                                                 tmp_path):
    server = SmtpServer(free_port(), security="tls", cert=self_signed_certificate(tmp_path))
    server.start()
    try:
        with nameko.config.patch({"SMTP": smtp_config(server.port, security="tls")}):
            start_services("notifications")
            queued = send(invitation())
            row = wait_for(lambda: (r := email_row(engine, queued["email_id"]))["attempts"] >= 1
                           and r)
        assert row["status"] == "failed" and "CERTIFICATE_VERIFY_FAILED" in row["last_error"]
        assert server.received == []
    finally:
        server.stop()


def test_two_instances_send_each_email_once(container_factory, platform_config, mail_server,
                                            engine):
    mail_server.inbox.delay = 0.01
    containers = [container_factory(NotificationsService) for _ in range(2)]
    for container in containers:
        container.start()
    queued = [send(invitation(to=f"c{n}@example.org")) for n in range(40)]
    mail_server.wait_for(40, timeout=10)
    wait_for(lambda: all(email_row(engine, q["email_id"])["status"] == "sent" for q in queued))
    received = [m.message["Message-ID"] for m in mail_server.received]
    assert len(received) == len(set(received)) == 40
    senders = [next(d for d in c.extensions if type(d).__name__ == "MailSender")
               for c in containers]
    assert sorted(s.sent > 0 for s in senders) == [True, True], [s.sent for s in senders]
    assert sum(s.sent for s in senders) == 40


def test_an_active_portal_account_is_welcomed_without_its_password(
        start_services, mail_server, engine):
    start_services("identity", "notifications")
    email, password = f"Wanda-{uuid.uuid4().hex[:8]}@Example.org", "a long passphrase!"
    with ClusterRpcClient() as rpc:
        account = rpc.identity.create_portal_account({
            "email": email, "password": password, "first_name": "Wanda",
            "last_name": "Welcome"})
    [mail] = mail_server.wait_for(1)
    assert mail.rcpt_tos == [email.lower()] == [account["username"]]
    assert mail.message["Subject"] == "Welcome to your client portal"
    assert "Hello Wanda," in mail.text and "Hello Wanda," in mail.html
    raw = mail.message.as_string()
    assert password not in raw
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM notifications.emails WHERE key = :k"),
                            {"k": f"portal_welcome:{account['account_id']}"}).scalar() == 1


def test_casework_run_starts_a_mail_catcher_and_casework_mail_shows_what_it_caught(
        start_services, platform_config, engine, tmp_path):
    """``casework run``'s own step (``start_mail_catcher``), with no SMTP host: the catcher
    runs, the services are pointed at it, and a new user reads the invitation and its link."""
    from casework.cli import start_mail_catcher

    assert start_mail_catcher({"CASEWORK_SMTP_HOST": "smtp.example.org"}) == (
        None, {"CASEWORK_SMTP_HOST": "smtp.example.org"})
    port = free_port()
    environ = {**os.environ, "CASEWORK_MAIL_CATCHER_PORT": str(port),
               "CASEWORK_MAIL_CATCHER_DIR": str(tmp_path / "caught"),
               "CASEWORK_SMTP_PASSWORD": "not-for-the-catcher"}
    environ.pop("CASEWORK_SMTP_HOST", None)
    process, env = start_mail_catcher(environ)
    try:
        assert (env["CASEWORK_SMTP_HOST"], env["CASEWORK_SMTP_PORT"]) == ("127.0.0.1", str(port))
        assert "CASEWORK_SMTP_PASSWORD" not in env
        with nameko.config.patch({"SMTP": smtp_config(
                int(env["CASEWORK_SMTP_PORT"]), host=env["CASEWORK_SMTP_HOST"],
                security=env["CASEWORK_SMTP_SECURITY"])}):
            start_services("notifications")
            queued = send(invitation(to="newcomer@example.org"))
            wait_for(lambda: email_row(engine, queued["email_id"])["status"] == "sent",
                     timeout=10)

        def mail(*args):
            return subprocess.run([sys.executable, "-m", "casework.cli", "mail", *args],
                                  cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

        listed = mail("list")
        assert listed.returncode == 0, listed.stderr
        [line] = listed.stdout.splitlines()
        assert line.startswith("1\t") and "newcomer@example.org" in line
        assert "Hope Street invites you to your client portal" in line
        shown = mail("show", "1")
        assert shown.returncode == 0, shown.stderr
        assert "http://127.0.0.1:8000/portal/invitations/tok3n-abc" in shown.stdout
        assert "Subject: Hope Street invites you to your client portal" in shown.stdout
        assert '<a href="http://127.0.0.1:8000/portal/invitations/tok3n-abc">' in mail(
            "show", "1", "--html").stdout
        missing = mail("show", "2")
        assert missing.returncode == 1 and "no caught e-mail 2" in missing.stderr
    finally:
        process.terminate()
        process.wait(10)


def publish(amqp_uri: str, name: str, data: dict, organization_id=None, occurred_at=None):
    from kombu import Connection
    from nameko.standalone.events import get_event_exchange

    from casework.events import envelope

    event = envelope("identity", name, data, organization_id=organization_id)
    if occurred_at:
        event["occurred_at"] = occurred_at
    exchange = get_event_exchange("identity")
    with Connection(amqp_uri) as conn:
        conn.Producer().publish(event, exchange=exchange, routing_key=name, serializer="json",
                                declare=[exchange])
    return event


def test_the_welcome_of_an_account_made_through_an_agency_is_in_its_words_and_name(
        notifications, mail_server, platform_config, engine):
    """An agency's own welcome text and sender name; the newest settings win even when an older
    event arrives last; an inactive account gets no welcome (NOT-4)."""
    amqp, agency = platform_config["AMQP_URI"], str(uuid.uuid4())
    publish(amqp, "organization_created", {"organization_id": agency, "name": "Hope & Co",
                                           "slug": "hope-co"}, agency,
            "2026-11-30T08:00:00Z")
    settings = {"organization_id": agency, "name": "Hope & Co"}
    publish(amqp, "organization_mail_settings_updated", {
        **settings, "sender_name": "Hope Welcome Desk",
        "welcome_template": "Dear {{first_name}},\n\nwelcome to {{ organization_name }}!"},
        agency, "2026-11-30T09:00:00Z")
    publish(amqp, "organization_mail_settings_updated", {  # older: it must not win
        **settings, "sender_name": "Old Name", "welcome_template": None},
        agency, "2026-11-30T08:30:00Z")

    def settled():
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT sender_name, changed_at FROM notifications.organizations WHERE id = :i"),
                {"i": agency}).first()
    wait_for(lambda: (row := settled()) and row.changed_at.hour == 9)
    time.sleep(0.3)  # the older event has had its chance to arrive too
    assert settled().sender_name == "Hope Welcome Desk"

    inactive, active = uuid.uuid4(), uuid.uuid4()
    for account, email, is_active in ((inactive, "idle@example.org", False),
                                      (active, "wanda@example.org", True)):
        publish(amqp, "portal_account_created", {
            "account_id": str(account), "global_record_id": str(uuid.uuid4()),
            "username": email, "first_name": "<Wanda>", "active": is_active}, agency)
    [mail] = mail_server.wait_for(1)
    assert mail.rcpt_tos == ["wanda@example.org"]
    assert mail.message["From"].addresses[0].display_name == "Hope Welcome Desk"
    assert mail.text.strip() == "Dear <Wanda>,\n\nwelcome to Hope & Co!"
    assert "<p>Dear &lt;Wanda&gt;,</p>" in mail.html and "Hope &amp; Co!" in mail.html
    with engine.connect() as conn:
        keys = set(conn.execute(text("SELECT key FROM notifications.emails WHERE key IN "
                                     "(:a, :b)"), {"a": f"portal_welcome:{inactive}",
                                                   "b": f"portal_welcome:{active}"}).scalars())
    assert keys == {f"portal_welcome:{active}"}
