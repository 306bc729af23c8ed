"""F5: a handler that always fails -> the message goes to the dead-letter table after bounded
retries with backoff; other messages keep flowing; an operator can list and replay it.

The scheduling service's ``on_record_created`` is made to fail on one record, every time: a
trigger in the test's database raises for that record id (standing for a bug or a bad row).
The operator lists the dead letter with ``casework dead-letters list``, "deploys the fix"
(drops the trigger) and replays it with ``casework dead-letters replay scheduling ID``; both run
as subprocesses, as an operator would run them.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import datetime

import eventlet
import pytest

from casework.config import settings

from .platform import ROOT
from .servers import wait_until
from .writers import RecordsUnitOfWork

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(300)]

BATCH = 20


def casework_cli(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "casework.cli", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=120, env=env.process_env())


def make_handler_fail_for(env, record_id: str) -> None:
    env.execute(f"""
        CREATE FUNCTION public.always_fails() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.record_id = '{record_id}' THEN
                RAISE EXCEPTION 'F5: this handler always fails on record %', NEW.record_id;
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER always_fails BEFORE INSERT ON scheduling.clients FOR EACH ROW
            EXECUTE FUNCTION public.always_fails();""")


def attempts_logged(process, record_event_id: str) -> list[datetime]:
    return [datetime.fromisoformat(line["ts"].replace("Z", "+00:00"))
            for line in process.log_records()
            if line.get("event_id") == record_event_id and "attempt" in line.get("msg", "")]


def test_f5_always_failing_handler_dead_letters_after_backoff_others_flow_operator_replays(
        platform, chaos_env, figures):
    platform.start("records")
    (scheduling,) = platform.start("scheduling")
    platform.wait_consumers("scheduling", 1)
    organization_id = str(uuid.uuid4())
    uow = RecordsUnitOfWork(chaos_env.database_url)
    ids = [str(uuid.uuid4()) for _ in range(BATCH)]
    poison = ids[BATCH // 2]
    make_handler_fail_for(chaos_env, poison)
    first = uow.create_many(organization_id, BATCH, "F5-a", ids=ids)
    poison_event = chaos_env.scalar(
        "SELECT event_id FROM records.outbox WHERE payload->'data'->>'record_id' = :r", r=poison)
    wait_until(lambda: attempts_logged(scheduling, str(poison_event)), 60, "a first failure")
    second = uow.create_many(organization_id, BATCH, "F5-b")  # published while it is retried
    uow.close()
    dead = wait_until(lambda: chaos_env.rows(
        "SELECT id, attempts, reason, created_at FROM scheduling.dead_letters"), 60,
        "the dead letter")
    others = set(first + second) - {poison}
    wait_until(lambda: chaos_env.scalar("SELECT count(*) FROM scheduling.clients") >= len(others),
               60, "every other event applied")
    applied_before_replay = {str(r) for (r,) in chaos_env.rows(
        "SELECT record_id FROM scheduling.clients")}
    tries = attempts_logged(scheduling, str(poison_event))
    gaps = [round((b - a).total_seconds(), 3) for a, b in zip(tries, tries[1:], strict=False)]

    listed = casework_cli(chaos_env, "dead-letters", "list")
    chaos_env.execute("DROP TRIGGER always_fails ON scheduling.clients")  # the fix, deployed
    (dead_id, attempts, reason, _), = dead
    replayed = casework_cli(chaos_env, "dead-letters", "replay", "scheduling", str(dead_id))
    wait_until(lambda: chaos_env.scalar(
        "SELECT count(*) FROM scheduling.clients WHERE record_id = :r", r=poison), 60,
        "the replayed event applied")
    again = casework_cli(chaos_env, "dead-letters", "replay", "scheduling", str(dead_id))
    eventlet.sleep(1.5)  # room for the second replay to arrive and be skipped
    listed_after = casework_cli(chaos_env, "dead-letters", "list")
    unknown = casework_cli(chaos_env, "dead-letters", "replay", "scheduling", "999999")

    figures["events"] = 2 * BATCH
    figures["attempts_before_dead_letter"] = attempts
    figures["retry_gaps_s"] = gaps
    figures["others_applied_while_poisoned"] = len(applied_before_replay & others)
    figures["dead_letters"] = len(dead)
    figures["poison_applied_after_two_replays"] = chaos_env.scalar(
        "SELECT count(*) FROM scheduling.clients WHERE record_id = :r", r=poison)
    figures.report()

    assert attempts == settings().handler_retries == len(tries)
    assert all(b > a for a, b in zip(gaps, gaps[1:], strict=False)) and gaps[0] >= 0.2
    assert "F5: this handler always fails" in reason
    assert poison not in applied_before_replay and applied_before_replay >= others
    assert listed.returncode == 0 and f"scheduling\t{dead_id}\t" in listed.stdout
    assert "records.events/record_created\ton_record_created\tpending" in listed.stdout
    assert replayed.returncode == again.returncode == 0, replayed.stderr + again.stderr
    assert f"replayed scheduling dead letter {dead_id}" in replayed.stdout
    assert chaos_env.scalar("SELECT count(*) FROM scheduling.clients WHERE record_id = :r",
                            r=poison) == 1
    assert chaos_env.scalar("SELECT count(*) FROM scheduling.inbox WHERE event_id = :e",
                            e=poison_event) == 1
    assert "\treplayed " in listed_after.stdout
    assert unknown.returncode == 1 and "no dead letter 999999 in scheduling" in unknown.stderr
