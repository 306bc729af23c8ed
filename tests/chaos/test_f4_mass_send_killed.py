"""F4 for mass sending (NOT-7): a notifications instance killed (``kill -9``) in the middle of a
batch of a mass-sent message -> the batch is done once, by the other instance or the restarted
one, and nothing is doubled: one thread, one message, one e-mail and one ``message_posted``
event per recipient.

Two notifications instances share the send (``FOR UPDATE SKIP LOCKED``). A gate (``gates.py``)
holds the 1,500th thread insert (in the second batch of 1,000) before its commit, or inside its
``COMMIT``; the instance holding it is SIGKILLed and the supervisor restarts it, as compose
would."""

from __future__ import annotations

import eventlet
import pytest
import requests

from . import gates
from .platform import process_holding, staff_headers
from .servers import wait_until
from .writers import RecordsUnitOfWork

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(300)]

RECIPIENTS = 3_000
AT = 1_500


@pytest.mark.parametrize("window", gates.WINDOWS)
def test_f4_notifications_killed_mid_mass_send_resumes_and_sends_nothing_twice(
        platform, chaos_env, figures, window):
    platform.start("identity")
    platform.start("records")
    platform.start("notifications", instances=2)
    platform.start("gateway")
    url = platform.wait_gateway()
    for name, count in (("identity", 1), ("records", 1), ("notifications", 2)):
        platform.wait_rpc_consumers(name, count)
    headers, organization_id = staff_headers(url)
    uow = RecordsUnitOfWork(chaos_env.database_url)
    ids = uow.create_many(organization_id, RECIPIENTS, "F4M")
    uow.close()
    chaos_env.execute(
        "UPDATE records.records SET portal_status = 'active', status = 'active', "
        "email = 'f4-' || id || '@example.org' WHERE organization_id = :o", o=organization_id)
    gates.install(chaos_env, "mass_send", "notifications.threads", window, at=AT)

    made = requests.post(f"{url}/api/v1/staff/mass-sends", headers=headers, timeout=60,
                         json={"record_ids": ids, "message": {"body": "<b>F4</b> once"}})
    assert made.status_code == 202, made.text
    mass_send_id = made.json()["id"]
    (_, port), = wait_until(lambda: gates.held(chaos_env), 60, "a batch to be held")
    victim = process_holding(port, chaos_env.postgres.port, platform.instances("notifications"))
    assert victim is not None
    victim.kill()

    def done():
        answer = requests.get(f"{url}/api/v1/staff/mass-sends/{mass_send_id}",
                              headers=headers, timeout=30)
        return answer.json() if answer.status_code == 200 and \
            answer.json()["status"] == "done" else None

    result = wait_until(done, 120, "the mass send to finish")
    eventlet.sleep(gates.SLEEP_SECONDS + 1)  # the killed instance's transaction has ended
    counts = chaos_env.rows("""
        SELECT (SELECT count(*) FROM notifications.threads WHERE mass_send_id = :m),
               (SELECT count(DISTINCT record_id) FROM notifications.threads
                 WHERE mass_send_id = :m),
               (SELECT count(*) FROM notifications.messages m JOIN notifications.threads t
                  ON t.id = m.thread_id WHERE t.mass_send_id = :m),
               (SELECT count(*) FROM notifications.emails WHERE key LIKE :k),
               (SELECT count(*) FROM notifications.outbox WHERE routing_key = 'message_posted'
                  AND payload->>'correlation_id' = :c)""",
                            m=mass_send_id, k=f"mass_send:{mass_send_id}:%",
                            c=f"mass-send-{mass_send_id}")[0]
    threads, recipients, messages, emails, events = counts

    figures["window"] = window
    figures["killed"] = victim.name
    figures["recipients"] = RECIPIENTS
    figures["results"] = {k: result[k] for k in ("total", "done", "failed")}
    figures["threads"] = f"{threads} for {recipients} recipients"
    figures["messages"] = messages
    figures["emails_queued"] = emails
    figures["message_posted_events"] = events
    figures["service_crashes_restarted"] = platform.crashes
    figures.report()

    assert (result["total"], result["done"], result["failed"]) == (RECIPIENTS, RECIPIENTS, 0)
    assert {r["outcome"] for r in result["results"]} == {"sent"}
    assert threads == recipients == messages == emails == events == RECIPIENTS, counts
    assert platform.crashes == []
