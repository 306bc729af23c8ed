"""Test set-up shared by every tier.

Eventlet is patched before anything else, and ``casework`` is imported before psycopg (it makes
database access cooperative). Each test run gets its own PostgreSQL database, migrated with every
service's Alembic migrations and dropped afterwards; nameko's ``rabbit_config`` gives each test its
own RabbitMQ vhost. Parallel runs on one machine therefore never share state.
"""

import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)

import eventlet  # noqa: E402

eventlet.monkey_patch()

import os  # noqa: E402
import uuid  # noqa: E402

import casework  # noqa: E402,F401

RUN_DATABASE = f"casework_test_{uuid.uuid4().hex[:10]}"
BASE_URL = os.environ.get("CASEWORK_TEST_DATABASE_SERVER",
                          "postgresql+psycopg://postgres@127.0.0.1:5432")
os.environ["CASEWORK_DATABASE_URL"] = f"{BASE_URL}/{RUN_DATABASE}"
os.environ["CASEWORK_ENV"] = "test"
os.environ.setdefault("CASEWORK_RELAY_INTERVAL", "0.2")
os.environ.setdefault("CASEWORK_LOG_LEVEL", "WARNING")
# several services run in one test process: keep their pools small
os.environ.setdefault("CASEWORK_DB_POOL_SIZE", "3")
for name in ("identity", "records", "invitations", "notifications", "scheduling"):
    os.environ.pop(f"CASEWORK_{name.upper()}_DATABASE_URL", None)

pytest_plugins = ["tests.fixtures"]
