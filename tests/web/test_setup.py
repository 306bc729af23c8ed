"""What the browser tests need is installed by the project's own files: `make test` runs
scripts/ensure-services.sh with CASEWORK_ENSURE_CHROMIUM=1, which installs Debian's chromium and
chromium-driver where they are missing (checked in its dry run, changing nothing here)."""

from __future__ import annotations

from pathlib import Path

from tests.test_ensure_services import CLOSED, run_script

ROOT = Path(__file__).resolve().parents[2]


def test_make_test_installs_chromium_where_it_is_missing(tmp_path):
    finished = run_script(tmp_path, CASEWORK_ENSURE_CHROMIUM="1",
                          CASEWORK_DATABASE_URL=f"postgresql+psycopg://postgres@{CLOSED}/x",
                          CASEWORK_AMQP_URI=f"pyamqp://guest:guest@{CLOSED}/")
    assert finished.returncode == 0, finished.stderr
    (install,) = [line for line in finished.stdout.splitlines()
                  if line.startswith("would run: ") and "apt-get install" in line]
    assert {"chromium", "chromium-driver"} <= set(install.split())
    makefile = (ROOT / "Makefile").read_text()
    assert "test: export CASEWORK_ENSURE_CHROMIUM = 1\ntest: services deps\n" in makefile


def test_without_the_flag_make_run_installs_no_browser(tmp_path):
    finished = run_script(tmp_path,
                          CASEWORK_DATABASE_URL=f"postgresql+psycopg://postgres@{CLOSED}/x",
                          CASEWORK_AMQP_URI=f"pyamqp://guest:guest@{CLOSED}/")
    assert finished.returncode == 0, finished.stderr
    assert "chromium" not in finished.stdout
