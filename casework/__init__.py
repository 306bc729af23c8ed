"""Casework's shared kernel: config, database and outbox dependency providers, the event
envelope, typed errors and caller context. Nothing domain-specific lives here.

Importing this package makes PostgreSQL access cooperative under eventlet. psycopg 3's default
C wait function blocks eventlet's hub (ten concurrent ``pg_sleep(0.5)`` in one nameko service take
5 s instead of 0.6 s), so psycopg must be imported *after* ``PSYCOPG_WAIT_FUNC`` is set. Every
service, the gateway, the CLI and the test suite import ``casework`` first; if psycopg was somehow
imported earlier with another wait function we refuse to start rather than serialise all workers.
"""

import os
import sys

COOPERATIVE_WAIT_FUNC = "wait_select"

os.environ["PSYCOPG_WAIT_FUNC"] = COOPERATIVE_WAIT_FUNC

if "psycopg.waiting" in sys.modules:  # pragma: no cover - guarded by tests/test_cooperative_db.py
    _waiting = sys.modules["psycopg.waiting"]
    if getattr(_waiting, "wait", None) is not getattr(_waiting, COOPERATIVE_WAIT_FUNC, None):
        raise RuntimeError(
            "psycopg was imported before casework with a blocking wait function; "
            "import casework first (it sets PSYCOPG_WAIT_FUNC=wait_select)"
        )
