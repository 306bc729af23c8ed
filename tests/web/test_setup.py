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


def test_casework_serve_web_answers_and_stops_cleanly_on_sigterm(database_url):
    """`casework serve web` (what `casework run` and docker-compose start) serves pages and
    makes its session table, and a SIGTERM stops it with exit code 0."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import requests
    from sqlalchemy import create_engine, text

    from tests.fixtures import free_port

    port = free_port()
    env = {**os.environ, "CASEWORK_DATABASE_URL": database_url, "CASEWORK_WEB_PORT": str(port),
           "CASEWORK_WEB_HOST": "127.0.0.1", "CASEWORK_WEB_WORKERS": "1",
           "CASEWORK_WEB_GATEWAY_URL": "http://127.0.0.1:9"}  # nothing listens there
    process = subprocess.Popen([sys.executable, "-m", "casework.cli", "serve", "web"], env=env,
                               cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read()
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/", timeout=10,
                                      allow_redirects=False)
                break
            except requests.RequestException:  # not listening yet, or still starting
                assert time.monotonic() < deadline, "casework serve web did not listen"
                time.sleep(0.2)
        assert answer.status_code == 302 and answer.headers["Location"] == "/staff/"
        # the gateway is not there: the API's paths say so rather than hang or fail with 500
        down = requests.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=10)
        assert down.status_code == 503 and down.json()["code"] == "service_unavailable"
        engine = create_engine(database_url)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT to_regclass('web.sessions')")).scalar()
        engine.dispose()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr, stderr
