"""Mass sending (NOT-7) end to end: through the gateway, the bus, the database and a real SMTP
server; background batches with a result per recipient, and a batch that dies mid-way redone
once, never twice."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from tests.e2e.test_messages import PORTAL, mail_to, portal_client
from tests.e2e.test_portal_invitations import STAFF, agency, record
from tests.fixtures import add_staff_member, wait_for

MASS = f"{STAFF}/mass-sends"


def finished(url, admin, mass_send_id, timeout=30):
    def done():
        answer = admin.get(f"{url}{MASS}/{mass_send_id}")
        assert answer.status_code == 200, answer.text
        return answer.json() if answer.json()["status"] == "done" else None

    result = wait_for(done, timeout=timeout, interval=0.2)
    assert result, f"mass send {mass_send_id} did not finish"
    return result


def sql(engine, statement, **params):
    with engine.begin() as conn:
        result = conn.execute(text(statement), params)
        return result.all() if result.returns_rows else None


def test_not7_a_message_to_a_list_reaches_each_client_with_a_result_per_recipient(
        gateway_url, mail_server, engine):
    url = gateway_url
    admin = agency(url)
    clients = [portal_client(url, admin, mail_server) for _ in range(3)]
    no_account = record(url, admin)
    inactive, _ = portal_client(url, admin, mail_server)
    assert admin.put(f"{url}{STAFF}/records/{inactive['id']}/status",
                     json={"status": "inactive"}).status_code in (200, 204)
    unknown = str(uuid.uuid4())
    ids = [c["id"] for c, _ in clients] + [no_account["id"], inactive["id"], unknown]

    made = admin.post(f"{url}{MASS}", json={
        "record_ids": ids, "message": {"body": "<b>Closed</b> on Friday<script>x</script>"}})
    assert made.status_code == 202, made.text
    result = finished(url, admin, made.json()["id"])
    assert (result["kind"], result["total"], result["done"], result["failed"]) == (
        "message", 6, 5, 1)
    outcomes = [(r["record_id"], r["outcome"], r["code"]) for r in result["results"]]
    assert outcomes == [*[(c["id"], "sent", None) for c, _ in clients],
                        (no_account["id"], "skipped", "no_portal_account"),
                        (inactive["id"], "skipped", "client_inactive"),
                        (unknown, "failed", "not_found")]
    # each named by its case number as notifications knows it; the unknown record by none
    assert [r["case_number"] for r in result["results"]] == [
        *[c["case_number"] for c, _ in clients], no_account["case_number"],
        inactive["case_number"], None]

    # each client: one thread in the portal, unread, and one e-mail telling of it
    for (made_record, client), row in zip(clients, result["results"][:3], strict=True):
        [item] = client.get(f"{url}{PORTAL}/records/{made_record['id']}/threads").json()["items"]
        assert item["thread_id"] == row["thread_id"] and item["unread"] == 1
        thread = client.get(f"{url}{PORTAL}/threads/{row['thread_id']}").json()
        assert thread["messages"][0]["body"] == "<b>Closed</b> on Friday"
        [mail] = wait_for(lambda address=made_record["email"]: mail_to(
            mail_server, address, "new message"), timeout=20)
        assert f"/threads/{row['thread_id']}" in mail.text and "Friday" not in mail.text
    assert mail_to(mail_server, inactive["email"], "new message") == []
    # one message_posted per message sent
    events = sql(engine, "SELECT count(*) FROM notifications.outbox WHERE routing_key ="
                 " 'message_posted' AND payload->>'correlation_id' = :c",
                 c=f"mass-send-{made.json()['id']}")
    assert events[0][0] == 3
    # the sender's inbox holds the threads too (it wrote them)
    inbox = admin.get(f"{url}{STAFF}/inbox").json()["items"]
    assert {i["thread_id"] for i in inbox} >= {r["thread_id"] for r in result["results"][:3]}


def test_not7_a_group_and_the_refusals(gateway_url, mail_server):
    url = gateway_url
    admin = agency(url)
    (first, _), (second, _) = (portal_client(url, admin, mail_server) for _ in range(2))
    group = admin.post(f"{url}{STAFF}/groups", json={"name": "Friday group"})
    assert group.status_code == 201, group.text
    added = admin.post(f"{url}{STAFF}/groups/{group.json()['id']}/members/bulk",
                       json={"add": [first["id"], second["id"]]})
    assert added.status_code == 200, added.text
    made = admin.post(f"{url}{MASS}", json={"group_id": group.json()["id"],
                                           "message": {"body": "Hello group"}})
    assert made.status_code == 202, made.text
    result = finished(url, admin, made.json()["id"])
    assert sorted(r["record_id"] for r in result["results"]) == sorted([first["id"],
                                                                        second["id"]])
    assert {r["outcome"] for r in result["results"]} == {"sent"}

    # refusals: permission, shape, sizes, unknown group, empty body, unknown send
    member = add_staff_member(url, admin, ["manage_groups"])
    answer = member.post(f"{url}{MASS}", json={"record_ids": [first["id"]],
                                               "message": {"body": "x"}})
    assert (answer.status_code, answer.json()["code"]) == (403, "permission_denied")
    answer = member.get(f"{url}{MASS}/{made.json()['id']}")
    assert (answer.status_code, answer.json()["code"]) == (403, "permission_denied")
    for body in ({"record_ids": [first["id"]]},
                 {"message": {"body": "x"}},
                 {"record_ids": [first["id"]], "group_id": group.json()["id"],
                  "message": {"body": "x"}},
                 {"record_ids": [first["id"]], "message": {"body": "x"}, "request": {}},
                 {"record_ids": [], "message": {"body": "x"}},
                 {"record_ids": [first["id"], first["id"]], "message": {"body": "x"}},
                 {"record_ids": [str(uuid.uuid4()) for _ in range(10_001)],
                  "message": {"body": "x"}},
                 {"record_ids": [first["id"]], "message": {"body": "<script>x</script>"}}):
        answer = admin.post(f"{url}{MASS}", json=body)
        assert (answer.status_code, answer.json()["code"]) == (422, "validation_error"), (
            str(body)[:100])
    answer = admin.post(f"{url}{MASS}", json={"group_id": str(uuid.uuid4()),
                                              "message": {"body": "x"}})
    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    answer = admin.get(f"{url}{MASS}/{uuid.uuid4()}")
    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    other = agency(url)
    answer = other.get(f"{url}{MASS}/{made.json()['id']}")
    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")


def test_not7_a_batch_that_dies_mid_way_is_redone_once(gateway_url, mail_server, engine,
                                                       monkeypatch):
    """The second batch's statement fails once, as a worker killed before its commit would
    leave it: nothing of that batch stays, the next tick does it again, and every recipient
    ends with exactly one thread, one message, one e-mail and one event."""
    from services.notifications.entrypoints import mass_sends

    monkeypatch.setattr(mass_sends, "BATCH", 2)
    url = gateway_url
    admin = agency(url)
    clients = [portal_client(url, admin, mail_server) for _ in range(5)]
    sql(engine, """
        CREATE SEQUENCE IF NOT EXISTS public.messages_crash_once;
        CREATE OR REPLACE FUNCTION public.messages_crash_second() RETURNS trigger AS $$
        BEGIN
            IF nextval('public.messages_crash_once') = 2 THEN
                RAISE EXCEPTION 'worker killed mid-batch';
            END IF;
            RETURN NULL;
        END $$ LANGUAGE plpgsql;
        CREATE TRIGGER messages_crash_second AFTER INSERT ON notifications.messages
            FOR EACH STATEMENT EXECUTE FUNCTION public.messages_crash_second();""")
    try:
        made = admin.post(f"{url}{MASS}", json={"record_ids": [c["id"] for c, _ in clients],
                                                "message": {"body": "Once only"}})
        assert made.status_code == 202, made.text
        result = finished(url, admin, made.json()["id"])
        # three batches of messages went in, and one more that died
        assert sql(engine, "SELECT last_value FROM public.messages_crash_once")[0][0] == 4
    finally:
        sql(engine, "DROP TRIGGER IF EXISTS messages_crash_second ON notifications.messages;"
                    " DROP FUNCTION IF EXISTS public.messages_crash_second();"
                    " DROP SEQUENCE IF EXISTS public.messages_crash_once")
    assert [r["outcome"] for r in result["results"]] == ["sent"] * 5
    mass_send_id = made.json()["id"]
    counts = sql(engine, """
        SELECT (SELECT count(*) FROM notifications.threads WHERE mass_send_id = :m),
               (SELECT count(*) FROM notifications.messages m JOIN notifications.threads t
                  ON t.id = m.thread_id WHERE t.mass_send_id = :m),
               (SELECT count(*) FROM notifications.emails WHERE key LIKE :k),
               (SELECT count(*) FROM notifications.outbox WHERE routing_key = 'message_posted'
                  AND payload->>'correlation_id' = :c)""",
                 m=mass_send_id, k=f"mass_send:{mass_send_id}:%", c=f"mass-send-{mass_send_id}")
    assert tuple(counts[0]) == (5, 5, 5, 5)
    for made_record, _ in clients:
        assert wait_for(lambda address=made_record["email"]: len(mail_to(
            mail_server, address, "new message")) == 1, timeout=20)


def test_not7_an_smtp_refusal_of_a_recipient_ends_where_an_operator_sees_it(
        gateway_url, mail_server, engine):
    """The server refuses one client's address for good (550): their message still waits in
    the portal, the send's result says the e-mail is dead, and the operator's dead-mail list
    names it with the server's answer."""
    import os
    import subprocess
    import sys

    url = gateway_url
    admin = agency(url)
    (kept, _), (refused, refused_client) = (portal_client(url, admin, mail_server)
                                            for _ in range(2))
    mail_server.inbox.refuse[refused["email"]] = "550 no such mailbox here"
    made = admin.post(f"{url}{MASS}", json={"record_ids": [kept["id"], refused["id"]],
                                           "message": {"body": "Hello both"}})
    assert made.status_code == 202, made.text
    finished(url, admin, made.json()["id"])

    def states():
        results = admin.get(f"{url}{MASS}/{made.json()['id']}").json()["results"]
        found = {r["record_id"]: r["email_status"] for r in results}
        return found if found[kept["id"]] == "sent" and found[refused["id"]] == "dead" else None

    assert wait_for(states, timeout=20), admin.get(f"{url}{MASS}/{made.json()['id']}").text
    [item] = refused_client.get(f"{url}{PORTAL}/records/{refused['id']}/threads").json()["items"]
    assert item["unread"] == 1
    listed = subprocess.run([sys.executable, "-m", "casework.cli", "mail", "list", "--dead"],
                            env=dict(os.environ), capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    [line] = [x for x in listed.stdout.splitlines() if refused["email"] in x]
    assert "550 no such mailbox here" in line


def test_not7_a_request_to_a_list_goes_through_records_create_requests(gateway_url,
                                                                       mail_server):
    """A mass-sent request (REQ-1 through records' bulk ``create_requests``, keyed by the
    send): each client has it on their record and in the portal; what records refuses is
    skipped with its code."""
    url = gateway_url
    admin = agency(url)
    (first, first_client), (second, _) = (portal_client(url, admin, mail_server)
                                          for _ in range(2))
    no_account = record(url, admin)
    made = admin.post(f"{url}{MASS}", json={
        "record_ids": [first["id"], second["id"], no_account["id"]],
        "request": {"type": "location"}})
    assert made.status_code == 202, made.text
    result = finished(url, admin, made.json()["id"])
    assert result["kind"] == "request"
    outcomes = [(r["outcome"], r["code"]) for r in result["results"]]
    assert outcomes == [("sent", None), ("sent", None), ("skipped", "no_portal_account")]
    request_id = result["results"][0]["request_id"]
    listed = admin.get(f"{url}{STAFF}/records/{first['id']}/requests").json()["items"]
    assert [r["id"] for r in listed] == [request_id]
    portal = first_client.get(f"{url}{PORTAL}/records/{first['id']}/requests").json()["items"]
    assert [r["id"] for r in portal] == [request_id]

    # the request is checked as POST /staff/records/{id}/requests checks it, before anything
    answer = admin.post(f"{url}{MASS}", json={"record_ids": [first["id"]],
                                              "request": {"type": "no_such_type"}})
    assert (answer.status_code, answer.json()["code"]) == (422, "validation_error")
    assert "request" in answer.json()["errors"]
    # what records refuses as a whole (an assessment the agency does not have) fails each
    # recipient with the reason
    refused = admin.post(f"{url}{MASS}", json={"record_ids": [first["id"]], "request": {
        "type": "assessment", "assessment_id": str(uuid.uuid4())}})
    assert refused.status_code == 202, refused.text
    result = finished(url, admin, refused.json()["id"])
    assert [(r["outcome"], r["code"]) for r in result["results"]] == [
        ("failed", "request_refused")]
