"""S4: every route fuzzed from the OpenAPI document, as an agency administrator, as a staff member
without permissions, as a client (a portal token) and without a token: no 5xx, and every answer
is one the document promises (status code, content type, headers and body schema).

The gateway and every service run in this process (the ``gateway_url`` fixture); schemathesis
runs as its own process against them, within a time budget per role (``CASEWORK_FUZZ_SECONDS``,
30 s by default in ``make test``; ``make chaos`` runs the long version in tests/chaos)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

CHECKS = ",".join((
    "not_a_server_error",           # zero 5xx
    "status_code_conformance",      # only documented statuses
    "content_type_conformance",     # JSON / problem+json as documented
    "response_schema_conformance",  # bodies match their schemas
    "response_headers_conformance",
))


def run_schemathesis(gateway_url: str, headers: dict, seconds: int, tmp_path: Path) -> str:
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "run",
        f"{gateway_url}/api/v1/openapi.json",
        "--checks", CHECKS,
        "--max-time", str(seconds),
        "--max-examples", "40",
        "--workers", "1",  # CPython 3.11: ast.parse in threads can fail (hypothesis uses it)
        "--seed", os.environ.get("CASEWORK_FUZZ_SEED", "20261123"),
        "--request-timeout", "15",
        "--suppress-health-check", "all",
        "--exclude-path", "/api/v1/auth/logout",  # would end the fuzzing session itself
        "--report", "junit", "--report-dir", str(tmp_path),
    ]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    output = finished.stdout + finished.stderr
    print(output[-6000:])
    # the failures (each with its curl reproduction) come before the warnings
    failures = output.split("WARNINGS")[0][-8000:]
    assert finished.returncode == 0, failures
    return output


@pytest.fixture
def forget_failed_logins(engine):
    """Fuzzing the login routes fails many logins from 127.0.0.1; login throttling (S2) would then
    refuse the next test's logins from that address for minutes. Forget them afterwards."""
    yield
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM identity.login_failures"))


@pytest.mark.fuzz
@pytest.mark.parametrize("role", ["agency_admin", "no_permissions", "portal_client", "no_token"])
def test_s4_fuzzing_finds_no_server_error_and_no_undocumented_answer(role, gateway_url, staff,
                                                                      portal_client,
                                                                      forget_failed_logins,
                                                                      tmp_path):
    headers = {}
    if role == "portal_client":
        headers["Authorization"] = f"Bearer {portal_client().token}"
    elif role != "no_token":
        member = staff(permissions=("agency_admin",) if role == "agency_admin" else ())
        headers["Authorization"] = member.headers["Authorization"]
    seconds = int(os.environ.get("CASEWORK_FUZZ_SECONDS", "30"))
    output = run_schemathesis(gateway_url, headers, seconds, tmp_path)
    assert "No issues found" in output or "passed" in output.lower()
