"""Fault injection inside PostgreSQL: hold one chosen transaction of a service, so that a test can
SIGKILL the process that runs it at a known moment.

A gate is a trigger on a table (in the test's private database only) that sleeps in
``pg_sleep`` when the ``at``-th matching row is inserted: ``before_commit`` (a ``BEFORE INSERT``
trigger: the handler is mid-transaction) or ``during_commit`` (a deferred constraint trigger: the
sleep happens inside ``COMMIT``, and PostgreSQL still commits after the client is gone, which is
the window between commit and acknowledgement). A sequence counts the rows, because sequences
are not rolled back: a redelivered message does not sleep again.
"""

from __future__ import annotations

WINDOWS = ("before_commit", "during_commit")
SLEEP_SECONDS = 4


def install(env, name: str, table: str, window: str, at: int = 1, condition: str = "TRUE",
            seconds: float = SLEEP_SECONDS):
    assert window in WINDOWS
    env.execute(f"""
        CREATE SEQUENCE public.gate_{name};
        CREATE FUNCTION public.gate_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF {condition} AND nextval('public.gate_{name}') = {at} THEN
                PERFORM pg_sleep({seconds});
            END IF;
            RETURN NEW;
        END $$;""")
    if window == "before_commit":
        env.execute(f"CREATE TRIGGER gate_{name} BEFORE INSERT ON {table} FOR EACH ROW"
                    f" EXECUTE FUNCTION public.gate_{name}()")
    else:
        env.execute(f"CREATE CONSTRAINT TRIGGER gate_{name} AFTER INSERT ON {table}"
                    " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
                    f" EXECUTE FUNCTION public.gate_{name}()")


def held(env) -> list[tuple[int, int]]:
    """(backend pid, client port) of every transaction a gate is holding now."""
    return [tuple(r) for r in env.rows(
        "SELECT pid, client_port FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event = 'PgSleep'")]
