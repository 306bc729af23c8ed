"""PostgreSQL's own log, for what pg_stat_statements would give but cannot without a server
restart: statement counts (log_statement) and the plans the services really run (auto_explain).
Both are switched on with ALTER DATABASE for one benchmark database only, picked up by the
connections opened after it (the harness restarts the service), and reset afterwards.
log_line_prefix carries the database name (`%u@%d`), which is how lines are attributed.
"""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from . import infra

PREFIX = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def server_log() -> Path | None:
    """The server's current log file, when this process can read it (same machine)."""
    with infra.admin_engine().connect() as conn:
        current = conn.execute(text("SELECT pg_current_logfile()")).scalar()
        directory = conn.execute(text("SHOW data_directory")).scalar()
        major = conn.execute(text("SHOW server_version_num")).scalar()[:2]
    path = (Path(directory) / current if current
            else Path(f"/var/log/postgresql/postgresql-{major}-main.log"))
    try:
        path.open("rb").close()
    except OSError:
        return None
    return path


def size(log: Path | None) -> int:
    return log.stat().st_size if log else 0


def entries_since(log: Path | None, offset: int, database: str) -> list[str] | None:
    """The log entries (first line plus continuation lines) of one database since ``offset``."""
    if log is None:
        return None
    time.sleep(0.5)  # let the backends' writes land
    with log.open("rb") as handle:
        handle.seek(offset)
        lines = handle.read().decode("utf-8", "replace").splitlines()
    entries, current = [], None
    for line in lines:
        if PREFIX.match(line):
            current = [line] if f"@{database} " in line else None
            if current is not None:
                entries.append(current)
        elif current is not None:
            current.append(line)
    return ["\n".join(e) for e in entries]


@contextmanager
def database_settings(database: str, settings: dict[str, str]):
    """ALTER DATABASE ... SET for the block; RESET afterwards, whatever happens."""
    with infra.admin_engine().connect() as conn:
        for name, value in settings.items():
            conn.execute(text(f'ALTER DATABASE "{database}" SET {name} = \'{value}\''))
    try:
        yield
    finally:
        with infra.admin_engine().connect() as conn:
            for name in settings:
                conn.execute(text(f'ALTER DATABASE "{database}" RESET {name}'))
