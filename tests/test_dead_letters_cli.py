"""The operator's dead-letter commands (EVENTS.md: an event that cannot be applied is put aside
"where an operator can see and replay it"), run as the operator runs them: ``casework
dead-letters list`` and ``casework dead-letters replay SERVICE ID`` in their own process.

The scheduling service's ``on_record_created`` is made to fail for one record (a trigger in this
run's database stands for a bug); the fix is "deployed" (the trigger dropped) before the replay.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from kombu import Connection
from nameko.standalone.events import get_event_exchange
from sqlalchemy import text

from casework.events import envelope
from tests.fixtures import wait_for

ROOT = Path(__file__).resolve().parents[1]


def casework(platform_config, database_url, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "CASEWORK_DATABASE_URL": database_url,
           "CASEWORK_AMQP_URI": platform_config["AMQP_URI"]}
    return subprocess.run([sys.executable, "-m", "casework.cli", "dead-letters", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def publish_record_created(amqp_uri: str, record_id: str) -> dict:
    event = envelope("records", "record_created", {"record_id": record_id, "kind": "client",
                                                   "status": "active", "case_number": "C-1"},
                     organization_id=str(uuid.uuid4()))
    exchange = get_event_exchange("records")
    with Connection(amqp_uri) as conn:
        conn.Producer().publish(event, exchange=exchange, routing_key="record_created",
                                serializer="json", declare=[exchange])
    return event


@pytest.fixture
def failing_for(engine):
    """``failing_for(record_id)``: scheduling's handler fails on that record until dropped."""
    name = f"fail_{uuid.uuid4().hex[:8]}"

    def install(record_id: str) -> str:
        with engine.begin() as conn:
            conn.execute(text(f"""
                CREATE FUNCTION public.{name}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.record_id = '{record_id}' THEN RAISE EXCEPTION 'bug on %', NEW.record_id;
                    END IF;
                    RETURN NEW;
                END $$;
                CREATE TRIGGER {name} BEFORE INSERT ON scheduling.clients FOR EACH ROW
                    EXECUTE FUNCTION public.{name}();"""))
        return name

    yield install
    with engine.begin() as conn:
        conn.execute(text(f"DROP TRIGGER IF EXISTS {name} ON scheduling.clients"))
        conn.execute(text(f"DROP FUNCTION IF EXISTS public.{name}()"))


def count(engine, sql, **params) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def test_operator_lists_a_dead_letter_then_replays_it_once_fixed_and_it_is_applied_once(
        start_services, platform_config, database_url, engine, failing_for):
    start_services("scheduling")
    record_id = str(uuid.uuid4())
    trigger = failing_for(record_id)
    event = publish_record_created(platform_config["AMQP_URI"], record_id)
    dead_id = wait_for(lambda: count(engine, "SELECT coalesce(max(id), 0) FROM"
                                     " scheduling.dead_letters WHERE event_id = :e",
                                     e=event["event_id"]), timeout=30)
    assert dead_id, "the failing event was not dead-lettered"

    listed = casework(platform_config, database_url, "list")
    assert listed.returncode == 0, listed.stderr
    line = next(r for r in listed.stdout.splitlines() if r.startswith(f"scheduling\t{dead_id}\t"))
    assert "\trecords.events/record_created\ton_record_created\tpending\t" in line
    assert f"bug on {record_id}" in line

    with engine.begin() as conn:  # the fix, deployed
        conn.execute(text(f"DROP TRIGGER {trigger} ON scheduling.clients"))
    replayed = casework(platform_config, database_url, "replay", "scheduling", str(dead_id))
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout.strip() == f"replayed scheduling dead letter {dead_id}"
    applied = "SELECT count(*) FROM scheduling.clients WHERE record_id = :r"
    assert wait_for(lambda: count(engine, applied, r=record_id) == 1, timeout=30)

    again = casework(platform_config, database_url, "replay", "scheduling", str(dead_id))
    assert again.returncode == 0
    wait_for(lambda: False, timeout=1.0)  # room for the second copy to arrive and be skipped
    assert count(engine, applied, r=record_id) == 1
    assert count(engine, "SELECT count(*) FROM scheduling.inbox WHERE event_id = :e",
                 e=event["event_id"]) == 1
    listed_after = casework(platform_config, database_url, "list")
    assert any(r.startswith(f"scheduling\t{dead_id}\t") and "\treplayed " in r
               for r in listed_after.stdout.splitlines())


def test_replaying_an_unknown_dead_letter_says_so_without_a_traceback(
        platform_config, database_url):
    unknown_id = casework(platform_config, database_url, "replay", "scheduling", "987654321")
    assert unknown_id.returncode == 1
    assert "casework: no dead letter 987654321 in scheduling" in unknown_id.stderr
    assert "Traceback" not in unknown_id.stderr
    unknown_service = casework(platform_config, database_url, "replay", "billing", "1")
    assert unknown_service.returncode == 1
    assert "casework: unknown service 'billing'" in unknown_service.stderr
