"""The CLI prints what the platform says, not what its libraries say about their future (issue
14, point 6): no eventlet deprecation banner, no DeprecationWarning, from the installed
``casework`` command as a user runs it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures import provision_bus_users

ROOT = Path(__file__).resolve().parents[2]


def command() -> list[str]:
    installed = Path(sys.executable).parent / "casework"
    return [str(installed)] if installed.exists() else [shutil.which("casework") or "casework"]


def environment(platform_config, database_url) -> dict:
    env = {**os.environ, "CASEWORK_DATABASE_URL": database_url,
           "CASEWORK_AMQP_URI": platform_config["AMQP_URI"]}
    env.pop("PYTHONWARNINGS", None)  # as a user's shell has it
    return env


def assert_quiet(stderr: str) -> None:
    assert "Deprecat" not in stderr, stderr
    assert "warn" not in stderr.lower(), stderr


@pytest.mark.parametrize(("args", "code", "says"), [
    (["--help"], 0, "casework dead-letters list"),
    (["migrate"], 0, ""),
    (["dead-letters", "list"], 0, ""),  # the run's database: there may be some
    (["events", "schema"], 0, '"$schema"'),
    (["broker", "users", "--dry-run"], 0, "casework-records"),
    (["dead-letters", "replay", "records", "987654"], 1, "casework: no dead letter 987654"),
])
def test_commands_print_no_library_warnings(args, code, says, platform_config, database_url):
    done = subprocess.run(command() + args, cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=environment(platform_config, database_url))
    assert done.returncode == code, done.stderr
    assert says in done.stdout + done.stderr
    assert_quiet(done.stderr.replace(says, ""))


def test_a_served_service_prints_no_deprecation_banner(platform_config, database_url):
    provision_bus_users(platform_config["AMQP_URI"])  # it connects as its own broker user
    process = subprocess.Popen(command() + ["serve", "scheduling"], cwd=ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=environment(platform_config, database_url))
    try:
        time.sleep(4)  # started: its consumers and relay run
        assert process.poll() is None, process.communicate()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "Deprecat" not in stderr and "Eventlet is" not in stderr, stderr
