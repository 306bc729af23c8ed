"""Unit tests of the shared kernel: no broker, no database."""

import uuid

import pytest
from nameko.exceptions import deserialize, serialize

from casework.config import Settings
from casework.errors import (
    CaseworkError,
    DuplicateCaseNumber,
    RateLimited,
    ValidationFailed,
    by_code,
)
from casework.events import (
    InvalidEvent,
    UndeclaredEvent,
    checked_data,
    envelope,
    parse_envelope,
)


def test_typed_errors_survive_rpc_serialisation_with_their_fields():
    original = ValidationFailed("bad", {"email": ["not an e-mail"]},
                                {"hint": "x", "sessions": 3, "retry_after": 1.5})
    rebuilt = deserialize(serialize(original))
    assert type(rebuilt) is ValidationFailed
    assert (rebuilt.code, rebuilt.status) == ("validation_error", 422)
    assert rebuilt.errors == {"email": ["not an e-mail"]}
    assert rebuilt.extra == {"hint": "x", "sessions": 3, "retry_after": 1.5}
    assert rebuilt.detail == "bad"


def test_every_error_code_is_unique_and_snake_case():
    classes = CaseworkError.__subclasses__()
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes))
    for cls in classes:
        assert cls.code.replace("_", "").isalpha() and cls.code.islower()
        assert by_code(cls.code) is cls
        assert 400 <= cls.status < 600
    assert DuplicateCaseNumber.status == 409 and RateLimited.status == 429


def test_envelope_has_the_contracted_fields():
    org = uuid.uuid4()
    record_id = uuid.uuid4()
    event = envelope("records", "record_created", {
        "record_id": str(record_id), "kind": "client", "status": "active", "case_number": "C-1"},
        organization_id=org, correlation_id="req-1")
    assert set(event) == {"event_id", "type", "version", "occurred_at", "organization_id",
                          "correlation_id", "data"}
    assert event["type"] == "records.record_created" and event["version"] == 1
    assert event["occurred_at"].endswith("Z") and event["organization_id"] == str(org)
    parsed = parse_envelope(event, expected_type="records.record_created")
    assert str(parsed["event_id"]) == event["event_id"]
    assert parsed["data"]["record_id"] == record_id  # loaded with the declared contract


def test_consumers_refuse_data_that_does_not_fit_the_declared_contract():
    event = envelope("records", "record_created", {"record_id": "r"})
    with pytest.raises(InvalidEvent, match="malformed data"):
        parse_envelope(event, expected_type="records.record_created")
    undeclared = envelope("records", "record_invented", {})
    with pytest.raises(InvalidEvent, match="not a declared event"):
        parse_envelope(undeclared, expected_type="records.record_invented")


def test_emitting_undeclared_or_misshapen_event_data_is_refused():
    with pytest.raises(UndeclaredEvent, match="not declared"):
        checked_data("records", "record_invented", 1, {})
    with pytest.raises(UndeclaredEvent, match="does not fit"):
        checked_data("records", "record_deleted", 1, {"record_id": "r", "kind": "client"})
    record_id = uuid.uuid4()
    assert checked_data("records", "record_deleted", 1, {"record_id": record_id,
                                                         "kind": "client"}) == {
        "record_id": str(record_id), "kind": "client"}


@pytest.mark.parametrize("payload, reason", [
    ("not an object", "not a JSON object"),
    ({"type": "records.record_created"}, "malformed envelope"),
    ({**envelope("records", "record_created", {}), "version": 2}, "unsupported version 2"),
    (envelope("records", "record_deleted", {}), "is not 'records.record_created'"),
    ({**envelope("records", "record_created", {}), "event_id": "nope"}, "malformed envelope"),
])
def test_invalid_events_are_refused_with_a_reason(payload, reason):
    with pytest.raises(InvalidEvent) as refused:
        parse_envelope(payload, expected_type="records.record_created")
    assert reason in refused.value.reason


def test_production_refuses_a_placeholder_operator_token(monkeypatch):
    monkeypatch.setenv("CASEWORK_ENV", "production")
    monkeypatch.setenv("CASEWORK_OPERATOR_TOKEN", "dev-operator-token")
    with pytest.raises(RuntimeError, match="CASEWORK_OPERATOR_TOKEN"):
        Settings()
    monkeypatch.setenv("CASEWORK_OPERATOR_TOKEN", "a-real-secret-of-some-length")
    with pytest.raises(RuntimeError, match="CASEWORK_CALLER_SIGNING_KEY"):
        Settings()
    monkeypatch.setenv("CASEWORK_CALLER_SIGNING_KEY", "another-real-secret")
    assert Settings().operator_token == "a-real-secret-of-some-length"


def test_a_service_can_have_its_own_database(monkeypatch):
    monkeypatch.setenv("CASEWORK_RECORDS_DATABASE_URL", "postgresql+psycopg://elsewhere/records")
    settings = Settings()
    assert settings.database_url_for("records") == "postgresql+psycopg://elsewhere/records"
    assert settings.database_url_for("identity") == settings.database_url
