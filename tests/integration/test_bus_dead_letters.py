"""Nothing that arrives on the bus is lost (issue 14, point 5).

Another system publishes with a plain AMQP client: a body that is not JSON, not UTF-8, or not an
event envelope, on an exchange a service consumes, is dead-lettered in that service with its raw
bytes, content type and the reason; an event type that no service consumes on
``external.events`` goes to the alternate exchange ``external.unrouted`` and is dead-lettered by
records. ``casework dead-letters list`` (run as the operator runs it) shows each of them;
``replay`` refuses what is not an event and republishes what is.
"""

from __future__ import annotations

import json
import uuid

from kombu import Connection
from sqlalchemy import text

from casework.events import envelope, event_exchange
from tests.fixtures import wait_for
from tests.test_dead_letters_cli import casework


def publish_raw(amqp_uri: str, source: str, routing_key: str, body: bytes,
                content_type: str | None = "application/json") -> None:
    """Publish bytes as they are, as a plain AMQP client would (no declaration, no serializer;
    kombu says application/data when no content type is given)."""
    options = {"content_type": content_type, "content_encoding": "utf-8"} if content_type \
        else {"content_encoding": "binary"}
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        conn.Producer().publish(body, exchange=event_exchange(source), routing_key=routing_key,
                                declare=[], delivery_mode=2, **options)


def dead_letter(engine, service: str, raw: bytes) -> dict:
    def find():
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT * FROM {service}.dead_letters WHERE raw_body = :r"),
                                {"r": raw}).mappings().first()
    row = wait_for(find, timeout=20)
    assert row, f"{raw!r} was not dead-lettered in {service}"
    return dict(row)


def test_what_is_not_an_event_is_dead_lettered_with_its_bytes_and_the_reason(
        start_services, platform_config, database_url, engine):
    start_services("records", "scheduling")
    amqp = platform_config["AMQP_URI"]
    marker = uuid.uuid4().hex[:8]
    not_json = f"{{not json {marker}".encode()
    not_utf8 = b"\xff\xfe{\"event_id\": \"" + marker.encode() + b"\x80\"}"
    array = json.dumps([marker, 1, 2]).encode()
    no_envelope = json.dumps({"hello": marker}).encode()
    plain_text = f"record created {marker}, in words".encode()
    publish_raw(amqp, "external", "client_enrolled", not_json)
    publish_raw(amqp, "external", "client_enrolled", not_utf8)
    publish_raw(amqp, "external", "client_enrolled", array)
    publish_raw(amqp, "external", "client_enrolled", no_envelope)
    publish_raw(amqp, "records", "record_created", plain_text, content_type=None)

    expected = [
        ("records", not_json, "application/json", "on_client_enrolled", "body is not JSON: "),
        ("records", not_utf8, "application/json", "on_client_enrolled", "body is not UTF-8: "),
        ("records", array, "application/json", "on_client_enrolled",
         "body is an array, not an event envelope"),
        ("records", no_envelope, "application/json", "on_client_enrolled",
         "malformed envelope: "),
        ("scheduling", plain_text, "application/data", "on_record_created", "body is not JSON: "),
    ]
    rows = []
    for service, raw, content_type, handler, reason in expected:
        row = dead_letter(engine, service, raw)
        assert bytes(row["raw_body"]) == raw
        assert row["content_type"] == content_type
        assert row["handler"] == handler and row["attempts"] == 0
        assert row["reason"].startswith(reason), row["reason"]
        assert row["replayed_at"] is None
        rows.append((service, row))
    source = "external.events/client_enrolled"
    assert [r["exchange"] + "/" + r["routing_key"] for _, r in rows] == [source] * 4 + [
        "records.events/record_created"]
    assert rows[3][1]["payload"] == {"hello": marker}
    assert "event_id" in rows[3][1]["reason"]

    listed = casework(platform_config, database_url, "list")
    assert listed.returncode == 0, listed.stderr
    for service, row in rows:
        line = next(r for r in listed.stdout.splitlines()
                    if r.startswith(f"{service}\t{row['id']}\t"))
        assert f"\t{row['handler']}\tpending\t{row['reason'][:40]}" in line
        assert "\traw b" in line and marker in line
    shown = casework(platform_config, database_url, "show", "records", str(rows[1][1]["id"]))
    assert shown.returncode == 0, shown.stderr
    assert f"raw_body: {not_utf8!r}" in shown.stdout.splitlines()

    refused = casework(platform_config, database_url, "replay", "records", str(rows[0][1]["id"]))
    assert refused.returncode == 1
    assert "is not an event envelope" in refused.stderr and "cannot be republished" in \
        refused.stderr and "Traceback" not in refused.stderr


def test_an_external_event_no_service_consumes_is_kept_and_can_be_replayed(
        start_services, platform_config, database_url, engine):
    start_services("records")
    amqp = platform_config["AMQP_URI"]
    event = envelope("external", "client_graduated", {"record_id": str(uuid.uuid4())},
                     organization_id=str(uuid.uuid4()))
    raw = json.dumps(event).encode()
    publish_raw(amqp, "external", "client_graduated", raw)

    row = dead_letter(engine, "records", raw)
    assert row["reason"] == "no service consumes external.events client_graduated"
    assert (row["exchange"], row["routing_key"]) == ("external.events", "client_graduated")
    assert row["handler"] == "on_unrouted_external_event"
    assert row["payload"] == event and row["event_id"] == event["event_id"]

    listed = casework(platform_config, database_url, "list")
    assert listed.returncode == 0, listed.stderr
    line = next(r for r in listed.stdout.splitlines() if r.startswith(f"records\t{row['id']}\t"))
    assert "\texternal.events/client_graduated\ton_unrouted_external_event\tpending\t" \
           "no service consumes external.events client_graduated" in line

    # replayed while still no service consumes it, it is put aside again, not lost
    replayed = casework(platform_config, database_url, "replay", "records", str(row["id"]))
    assert replayed.returncode == 0, replayed.stderr
    count = "SELECT count(*) FROM records.dead_letters WHERE event_id = :e"

    def twice():
        with engine.connect() as conn:
            return conn.execute(text(count), {"e": event["event_id"]}).scalar_one() == 2
    assert wait_for(twice, timeout=20)


def test_an_envelope_under_another_content_type_is_applied(start_services, platform_config,
                                                           engine):
    """The body is judged, not the header: a JSON envelope sent as text/plain (which kombu
    refuses to decode) or with no content type at all is an event like any other."""
    start_services("scheduling")
    amqp = platform_config["AMQP_URI"]
    record_ids = [str(uuid.uuid4()), str(uuid.uuid4())]
    for record_id, content_type in zip(record_ids, ("text/plain", None), strict=True):
        event = envelope("records", "record_created", {
            "record_id": record_id, "kind": "client", "status": "active",
            "case_number": "C-1"}, organization_id=str(uuid.uuid4()))
        publish_raw(amqp, "records", "record_created", json.dumps(event).encode(), content_type)

    def applied():
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM scheduling.clients"
                                     " WHERE record_id = ANY(:r)"),
                                {"r": record_ids}).scalar_one() == 2
    assert wait_for(applied, timeout=20)


def test_an_external_exchange_declared_before_the_alternate_exchange_is_declared_again(
        start_services, platform_config, engine):
    """A broker where an earlier version declared external.events without arguments: the
    records service declares it again at start instead of failing (PRECONDITION_FAILED)."""
    from nameko.standalone.events import get_event_exchange

    amqp = platform_config["AMQP_URI"]
    with Connection(amqp) as conn:
        old = get_event_exchange("external")
        assert not old.arguments
        old(conn.default_channel).declare()
    start_services("records")
    unrouted = json.dumps(envelope("external", "client_left", {}, organization_id=None)).encode()
    not_json = f"{{not json {uuid.uuid4()}".encode()
    publish_raw(amqp, "external", "client_left", unrouted)
    publish_raw(amqp, "external", "client_enrolled", not_json)
    assert dead_letter(engine, "records", unrouted)["reason"] == \
        "no service consumes external.events client_left"
    assert dead_letter(engine, "records", not_json)["handler"] == "on_client_enrolled"
