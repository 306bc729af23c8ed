"""casework.broker: each process's RabbitMQ user and permissions, read from the code."""

import re

import pytest

from casework import broker
from casework.config import Settings


def matches(pattern: str, name: str) -> bool:
    return re.fullmatch(pattern, name) is not None


def test_the_needs_are_read_from_each_service_class():
    sources, targets = broker.needs("records")
    assert {"identity", "invitations", "external"} <= sources
    assert targets == {"scheduling", "identity"}  # identity: an agency's portal features (ID-6)
    assert "records" in broker.needs("scheduling")[0]
    assert broker.needs("scheduling")[1] == set()
    assert broker.needs("gateway")[1] == set(broker.SERVICES)


@pytest.mark.parametrize("process", broker.SERVICES)
def test_a_service_publishes_only_its_own_events_and_replies(process):
    p = broker.permissions(process)
    assert matches(p.write, f"{process}.events")
    for other in set(broker.SERVICES) - {process} | {"external"}:
        assert not matches(p.write, f"{other}.events"), other
        assert not matches(p.read, f"rpc-{other}") and not matches(p.configure, f"rpc-{other}")
        assert not matches(p.topic_read, f"{other}.*"), other
    assert matches(p.topic_read, f"{process}.*")
    assert matches(p.topic_write, "6a4b1f5e-0000-4000-8000-000000000001")  # a reply key
    assert not matches(p.write, "amq.default") and not matches(p.write, "")


def test_records_calls_scheduling_and_identity_only_and_the_gateway_calls_everyone():
    records, gateway = broker.permissions("records"), broker.permissions("gateway")
    assert matches(records.topic_write, "scheduling.financial_links")
    assert matches(records.topic_write, "identity.organization_portal")
    assert not matches(records.topic_write, "notifications.send_email")
    assert not matches(records.topic_write, "invitations.accept_invitation")
    for service in broker.SERVICES:
        assert matches(gateway.topic_write, f"{service}.get_thing")
        assert not matches(gateway.write, f"{service}.events")
    assert not matches(broker.permissions("identity").topic_write, "records.get_record")


def test_an_outside_system_publishes_on_external_events_only():
    p = broker.permissions("external")
    assert matches(p.write, "external.events")
    for name in ("nameko-rpc", "records.events", "invitations.events", "external.unrouted",
                 "rpc-records", "amq.default"):
        assert not matches(p.write, name) and not matches(p.configure, name)
    for name in ("nameko-rpc", "external.events", "external.unrouted", "rpc-records",
                 "evt-records-record_created--scheduling.on_record_created"):
        assert not matches(p.read, name)
    # it may read the services' events into queues of its own
    assert matches(p.read, "records.events") and matches(p.read, "external.crm.records")
    assert matches(p.configure, "external.crm.records")


def test_each_process_connects_as_its_own_user_on_the_same_vhost(monkeypatch):
    monkeypatch.setenv("CASEWORK_AMQP_RECORDS_PASSWORD", "s3cret/@:")
    monkeypatch.setenv("CASEWORK_AMQP_URI", "pyamqp://admin:x@broker:5672/casework%2Fprod")
    broker_settings = Settings()
    monkeypatch.setattr("casework.config.settings", lambda: broker_settings)
    uri = broker.amqp_uri_for("records")
    assert uri == "pyamqp://casework-records:s3cret%2F%40%3A@broker:5672/casework%2Fprod"
    assert broker.vhost_of(uri) == "casework/prod"


def test_production_refuses_a_placeholder_broker_password(monkeypatch):
    monkeypatch.setenv("CASEWORK_ENV", "production")
    monkeypatch.setenv("CASEWORK_OPERATOR_TOKEN", "a-real-secret-of-some-length")
    monkeypatch.setenv("CASEWORK_CALLER_SIGNING_KEY", "another-real-secret")
    s = Settings()
    monkeypatch.delenv("CASEWORK_AMQP_RECORDS_PASSWORD", raising=False)
    with pytest.raises(RuntimeError, match="CASEWORK_AMQP_RECORDS_PASSWORD"):
        s.amqp_password("records")
    monkeypatch.setenv("CASEWORK_AMQP_RECORDS_PASSWORD", "dev-amqp-records")
    with pytest.raises(RuntimeError, match="CASEWORK_AMQP_RECORDS_PASSWORD"):
        s.amqp_password("records")
    monkeypatch.setenv("CASEWORK_AMQP_RECORDS_PASSWORD", "a-long-random-one")
    assert s.amqp_password("records") == "a-long-random-one"


def test_definitions_hash_passwords_as_rabbitmq_does():
    import base64
    import hashlib

    hashed = broker.password_hash("pw", salt=b"salt")
    raw = base64.b64decode(hashed)
    assert raw[:4] == b"salt" and raw[4:] == hashlib.sha256(b"saltpw").digest()
    d = broker.definitions("v", {"records": "pw"}, {"records": broker.permissions("records")})
    assert d["topic_permissions"][0]["exchange"] == "nameko-rpc"
