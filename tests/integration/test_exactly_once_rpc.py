"""Exactly-once RPC commands (``casework.replies``; QUALITY F4 and S5) against the real broker and
database: an instance that dies after committing a call but before replying has the request
redelivered, and the next instance answers it with the stored reply instead of running it again.

The fault suite (``tests/chaos/test_f4_instance_killed.py``) does the same with SIGKILLed
processes and a commit held open inside PostgreSQL."""

import uuid

import eventlet
import pytest
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ClusterRpcClient
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from casework import replies
from casework.db import Database
from casework.errors import CaseworkError, NotFound
from casework.rpc import UnconfirmedResponder, rpc
from casework.service import CaseworkService
from services.records import domain
from services.records.models import audit_entries, messaging, metadata
from services.records.queries import records as repository
from tests.fixtures import wait_for

HELD = eventlet.event.Event()  # a held delivery waits on this until its container is killed


class AuditWriter(CaseworkService):
    """Appends one audit row per run: running a call twice shows as two rows."""

    name = "exactly_once_writer"
    db = Database("records", metadata)

    @rpc(expected_exceptions=CaseworkError)
    def append(self, organization_id, fail_after_commit=False):
        with self.db.transaction() as uow:
            uow.session.execute(insert(audit_entries).values(
                organization_id=organization_id, record_id=uuid.uuid4(), action="probe"))
            rows = uow.session.execute(select(func.count()).where(
                audit_entries.c.organization_id == organization_id)).scalar_one()
        if fail_after_commit:  # an error after the change: the error is the call's answer
            raise NotFound(f"{rows} rows, then not found")
        return {"rows": rows, "instance": id(self.db._provider)}

    @rpc
    def unserializable(self):
        return {"when": object()}

    @rpc(expected_exceptions=CaseworkError)
    def append_slowly(self, organization_id):
        with self.db.transaction() as uow:
            uow.session.execute(insert(audit_entries).values(
                organization_id=organization_id, record_id=uuid.uuid4(), action="probe"))
            HELD.wait()  # killed here, before its commit
        return {"done": True}


def rows(engine, organization_id) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM records.audit_entries"
                                 " WHERE organization_id = :o"), {"o": organization_id}).scalar()


@pytest.fixture
def hold_first_reply(monkeypatch):
    """The first reply of the test is never sent: its instance 'dies' between commit and reply."""
    original = UnconfirmedResponder.send_response
    held = []

    def send_response(self, result, exc_info):
        if not held:
            held.append(self.message.properties["correlation_id"])
            HELD.wait()
        return original(self, result, exc_info)

    monkeypatch.setattr(UnconfirmedResponder, "send_response", send_response)
    return held


def call_in_background(method: str, *args):
    client = ClusterRpcClient(timeout=20)
    proxy = client.start()
    return eventlet.spawn(getattr(proxy.exactly_once_writer, method), *args), client


def test_a_call_redelivered_after_its_commit_is_answered_with_the_stored_reply_not_rerun(
        container_factory, platform_config, engine, hold_first_reply):
    organization_id = str(uuid.uuid4())
    first = container_factory(AuditWriter)
    first.start()
    answer, client = call_in_background("append", organization_id)
    try:
        assert wait_for(lambda: hold_first_reply and rows(engine, organization_id) == 1)
        first.kill()  # committed, reply unsent, request unacknowledged: the broker redelivers
        second = container_factory(AuditWriter)
        second.start()
        reply = answer.wait()
    finally:
        client.stop()

    assert reply["rows"] == 1  # the first delivery's own answer
    assert rows(engine, organization_id) == 1
    with engine.connect() as conn:
        stored = conn.execute(select(messaging["rpc_replies"].c.reply).where(
            messaging["rpc_replies"].c.call_id == hold_first_reply[0])).scalar()
    assert replies.decode(stored)["result"] == reply


def test_an_error_answered_after_a_commit_is_replayed_as_the_same_error(
        container_factory, platform_config, engine, hold_first_reply):
    organization_id = str(uuid.uuid4())
    first = container_factory(AuditWriter)
    first.start()
    answer, client = call_in_background("append", organization_id, True)
    try:
        assert wait_for(lambda: hold_first_reply and rows(engine, organization_id) == 1)
        first.kill()
        container_factory(AuditWriter).start()
        with pytest.raises(NotFound, match="1 rows, then not found"):
            answer.wait()
    finally:
        client.stop()
    assert rows(engine, organization_id) == 1


def test_a_call_killed_before_its_commit_runs_again_on_redelivery_and_applies_once(
        container_factory, platform_config, engine, monkeypatch):
    organization_id = str(uuid.uuid4())
    first = container_factory(AuditWriter)
    first.start()
    answer, client = call_in_background("append_slowly", organization_id)
    try:
        eventlet.sleep(0.5)  # the first delivery is inside its transaction, uncommitted
        assert rows(engine, organization_id) == 0
        first.kill()
        monkeypatch.setattr(HELD, "wait", lambda: None)
        container_factory(AuditWriter).start()
        assert answer.wait() == {"done": True}
    finally:
        client.stop()
    assert rows(engine, organization_id) == 1


def test_a_reply_that_cannot_be_serialized_is_answered_as_an_error_and_the_service_lives_on(
        container_factory, platform_config):
    """The responder serializes a reply once (nameko did it twice); what JSON cannot carry
    still reaches the caller as nameko's UnserializableValueError, as before."""
    container_factory(AuditWriter).start()
    with ClusterRpcClient(timeout=10) as client:
        with pytest.raises(RemoteError) as raised:
            client.exactly_once_writer.unserializable()
        assert raised.value.exc_type == "UnserializableValueError"
        assert client.exactly_once_writer.health()["database"] == "ok"


def test_commands_that_change_nothing_store_no_reply(container_factory, platform_config, engine):
    container_factory(AuditWriter).start()
    with engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM records.rpc_replies")).scalar()
    with ClusterRpcClient(timeout=10) as client:
        client.exactly_once_writer.health()
        client.exactly_once_writer.append(str(uuid.uuid4()))
    with engine.connect() as conn:
        after = conn.execute(text("SELECT count(*) FROM records.rpc_replies")).scalar()
    assert after == before + 1  # the append's reply; health stored nothing


def test_an_audited_read_run_twice_for_one_call_leaves_one_audit_row(engine):
    """Reads are rerunnable: a redelivered read reads again, and its row is keyed by the call."""
    organization_id, record_id = str(uuid.uuid4()), str(uuid.uuid4())
    values = {"id": record_id, "organization_id": organization_id, "kind": "client",
              "first_name": "Ada", "last_name": "Read", "case_number": f"T-{record_id[:8]}",
              "email": None, "phones": [], "status": "active"}
    with Session(engine) as session, session.begin():
        repository.insert_record(session, {**values, **domain.search_columns(values)})
    call_id = str(uuid.uuid4())
    for _ in range(2):
        with Session(engine) as session, session.begin():
            view = repository.read_view(session, organization_id, record_id,
                                        audit_actor=(None, "request-1", call_id))
            assert view["id"] == uuid.UUID(record_id)
    with Session(engine) as session, session.begin():  # another call: another row
        repository.read_view(session, organization_id, record_id,
                             audit_actor=(None, "request-2", str(uuid.uuid4())))
    with engine.connect() as conn:
        audited = conn.execute(text(
            "SELECT request_id, count(*) FROM records.audit_entries WHERE record_id = :r"
            " AND action = 'record_read' GROUP BY request_id ORDER BY request_id"),
            {"r": record_id}).all()
    assert [tuple(row) for row in audited] == [("request-1", 1), ("request-2", 1)]


def test_stored_replies_are_pruned_after_their_retention(engine):
    table = messaging["rpc_replies"]
    old, fresh = f"old-{uuid.uuid4()}", f"fresh-{uuid.uuid4()}"
    with Session(engine) as session, session.begin():
        session.execute(insert(table).values(call_id=old, reply="{}",
                                             created_at=func.now() - text("interval '2 hours'")))
        session.execute(insert(table).values(call_id=fresh, reply="{}"))
        assert replies.prune(session, table, 900) >= 1
        left = set(session.execute(select(table.c.call_id).where(
            table.c.call_id.in_([old, fresh]))).scalars())
    assert left == {fresh}
