"""F4 for the notifications service: an instance killed (``kill -9``) mid-event -> the event is
redelivered and applied once; notification rows and e-mails are not doubled.

Two notifications instances consume ``records.record_status_changed``; each of ``EVENTS`` events
is about another record with its own navigator (copies seeded in the test's database), so each
makes one notification and one e-mail at once (the kind's default) to a real SMTP server in the
test process. A gate (``gates.py``) holds the fifth notification insert inside its transaction
(``before_commit``) or inside its ``COMMIT`` (``during_commit``: committed, not acknowledged);
the instance holding it is SIGKILLed and the supervisor starts a replacement.
"""

from __future__ import annotations

import uuid
from collections import Counter

import eventlet
import pytest

from tests.mail import SmtpServer

from . import gates
from .platform import EventSpy, process_holding, queue_state
from .servers import free_port_block, wait_until

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(300)]

EVENTS = 30
QUEUE = "evt-records-record_status_changed--notifications.on_record_status_changed"


def seed(env, organization_id: str) -> list[tuple[str, str]]:
    """The agency, EVENTS records and a navigator with an e-mail address for each."""
    env.execute("INSERT INTO notifications.organizations (id, name, changed_at)"
                " VALUES (:o, 'F4 agency', now())", o=organization_id)
    pairs = []
    for n in range(EVENTS):
        record_id, user_id = str(uuid.uuid4()), str(uuid.uuid4())
        values = {"u": user_id, "o": organization_id, "e": f"navigator-{n}@example.org",
                  "name": f"Nav {n}", "r": record_id, "c": f"F4-{n}"}
        env.execute("INSERT INTO notifications.staff_users (id, organization_id, email, name,"
                    " active, changed_at) VALUES (:u, :o, :e, :name, true, now())", **values)
        env.execute("INSERT INTO notifications.records (id, organization_id, kind, case_number,"
                    " status, changed_at) VALUES (:r, :o, 'client', :c, 'active', now())",
                    **values)
        env.execute("INSERT INTO notifications.navigators (organization_id, record_id, user_id,"
                    " changed_at) VALUES (:o, :r, :u, now())", **values)
        pairs.append((record_id, user_id))
    return pairs


@pytest.mark.parametrize("window", gates.WINDOWS)
def test_f4_notifications_instance_killed_mid_event_applies_once_no_doubled_rows_or_mail(
        platform, chaos_env, figures, window):
    smtp = SmtpServer(free_port_block(1)).start()
    try:
        platform.start("notifications", instances=2, CASEWORK_SMTP_HOST="127.0.0.1",
                       CASEWORK_SMTP_PORT=str(smtp.port), CASEWORK_MAIL_INTERVAL="0.2")
        wait_until(lambda: (queue_state(chaos_env.amqp_uri, QUEUE) or (0, 0))[1] >= 2, 60,
                   f"2 consumers on {QUEUE}", 0.2)
        organization_id = str(uuid.uuid4())
        pairs = seed(chaos_env, organization_id)
        gates.install(chaos_env, "notifications", "notifications.notifications", window, at=5)
        records = EventSpy(chaos_env.amqp_uri, "records")
        for record_id, _ in pairs:
            records.publish("record_status_changed", {
                "record_id": record_id, "kind": "client", "old": "active", "new": "inactive"},
                organization_id)

        (_, port), = wait_until(lambda: gates.held(chaos_env), 60, "the gate to hold an event")
        victim = process_holding(port, chaos_env.postgres.port,
                                 platform.instances("notifications"))
        assert victim is not None
        victim.kill()
        wait_until(lambda: chaos_env.scalar(
            "SELECT count(*) FROM notifications.inbox"
            " WHERE handler = 'on_record_status_changed'") >= EVENTS, 120,
            "every event applied")
        wait_until(lambda: len(smtp.received) >= EVENTS, 60, "every e-mail at the server")
        eventlet.sleep(3)  # room for late redeliveries and resends to arrive and be refused

        rows = chaos_env.rows("SELECT user_id::text, count(*) FROM notifications.notifications"
                              " WHERE organization_id = :o GROUP BY user_id", o=organization_id)
        emails = chaos_env.rows("SELECT to_address, count(*) FROM notifications.emails"
                                " WHERE organization_id = :o GROUP BY to_address",
                                o=organization_id)
        inbox = chaos_env.scalar("SELECT count(*) FROM notifications.inbox"
                                 " WHERE handler = 'on_record_status_changed'")
        dead = chaos_env.scalar("SELECT count(*) FROM notifications.dead_letters")
        received = Counter(tuple(m.rcpt_tos) for m in smtp.received)
        # the held event after the kill: applied by the other instance (before_commit), or
        # refused by the inbox as applied already (during_commit)
        refused = sum(1 for p in platform.processes if p.name == "notifications"
                      for r in p.log_records() if r.get("msg") == "event already handled")

        figures["killed"] = victim.name
        figures["events"] = EVENTS
        figures["inbox"] = inbox
        figures["redeliveries_refused_as_applied"] = refused
        figures["notification_rows"] = f"{sum(n for _, n in rows)} for {len(rows)} navigators"
        figures["email_rows"] = f"{sum(n for _, n in emails)} for {len(emails)} addresses"
        figures["smtp_received"] = f"{len(smtp.received)} for {len(received)} recipients"
        figures["dead_lettered"] = dead
        figures["service_crashes_restarted"] = platform.crashes
        figures.report()

        assert inbox == EVENTS
        if window == "during_commit":
            assert refused >= 1, "the killed instance's committed event was not redelivered"
        assert len(rows) == EVENTS and all(n == 1 for _, n in rows), "notification doubled"
        assert {u for _, u in pairs} == {u for u, _ in rows}
        assert len(emails) == EVENTS and all(n == 1 for _, n in emails), "e-mail doubled"
        assert len(smtp.received) == EVENTS and set(received.values()) == {1}, "mail doubled"
        assert dead == 0
        assert platform.crashes == []
    finally:
        smtp.stop()
