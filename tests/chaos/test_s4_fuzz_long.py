"""QUALITY S4, the long run (``make chaos``): the checks of ``tests/fuzz/test_openapi_fuzz.py``,
as an agency administrator, as staff without permissions and without a token, for
``CASEWORK_FUZZ_LONG_SECONDS`` (default 300) per role, up to ``CASEWORK_FUZZ_LONG_EXAMPLES``
(default 500) examples per operation and phase, and a new random seed every run (printed in the
figures; ``CASEWORK_FUZZ_SEED`` fixes one). It uses the in-process platform on the shared
servers, like ``make test``: it stops nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.fuzz.test_openapi_fuzz import CHECKS

SECONDS = int(os.environ.get("CASEWORK_FUZZ_LONG_SECONDS", "300"))
EXAMPLES = int(os.environ.get("CASEWORK_FUZZ_LONG_EXAMPLES", "500"))
ST = Path(sys.executable).with_name("st")

pytestmark = [pytest.mark.chaos, pytest.mark.fuzz, pytest.mark.timeout(SECONDS + 600)]


def long_run(url: str, authorization: str | None, workdir: Path) -> subprocess.CompletedProcess:
    command = [str(ST), "run", f"{url}/api/v1/openapi.json", "--checks", CHECKS,
               "--max-time", str(SECONDS), "--max-examples", str(EXAMPLES),
               "--workers", "1",  # CPython 3.11: ast.parse in threads can fail (hypothesis)
               "--request-timeout", "30", "--suppress-health-check", "all",
               "--report", "junit", "--report-dir", str(workdir)]
    if os.environ.get("CASEWORK_FUZZ_SEED"):
        command += ["--seed", os.environ["CASEWORK_FUZZ_SEED"]]
    if authorization:  # logging out would revoke the token the rest of the run uses
        command += ["--header", f"Authorization: {authorization}",
                    "--exclude-path", "/api/v1/auth/logout"]
    return subprocess.run(command, capture_output=True, text=True, timeout=SECONDS + 300,
                          cwd=workdir, env={**os.environ, "NO_COLOR": "1"})


@pytest.fixture
def forget_failed_logins(engine):
    """The fuzzer's failed logins from 127.0.0.1 would lock the next role's login (S2)."""
    yield
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM identity.login_failures"))


@pytest.mark.parametrize("role", ["agency_admin", "no_permissions", "no_token"])
def test_s4_long_fuzzing_finds_no_server_error_and_no_undocumented_answer(
        role, gateway_url, staff, forget_failed_logins, tmp_path, figures):
    authorization = None
    if role != "no_token":
        member = staff(permissions=("agency_admin",) if role == "agency_admin" else ())
        authorization = member.headers["Authorization"]
    run = long_run(gateway_url, authorization, tmp_path)
    summary = [line.strip() for line in run.stdout.splitlines()
               if line.strip()[:1].isdigit() and " generated" in line
               or line.strip().startswith("Seed:")]
    figures["schemathesis"] = "; ".join(summary) or "?"
    figures["exit"] = run.returncode
    figures.report()
    assert run.returncode == 0, run.stdout.split("WARNINGS")[0][-8000:] + run.stderr[-2000:]
