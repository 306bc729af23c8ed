"""Facts about this machine and its processes that every results file carries."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def cores() -> int:
    return os.cpu_count() or 1


def memory_mib() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024
    return 0


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def git_commit() -> str:
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout

    commit = git("rev-parse", "--short=12", "HEAD").strip() or "unknown"
    # the work tree is shared with other developers: say when it differs from the commit
    dirty = [line for line in git("status", "--porcelain", "--untracked-files=no").splitlines()
             if line.strip()]
    return f"{commit}" + (f" (+{len(dirty)} uncommitted changed files in the work tree)"
                          if dirty else "")


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid: int | list[int]) -> float:
    """User + system CPU time so far of one process (or the sum of several)."""
    if isinstance(pid, list):
        return sum(cpu_seconds(p) for p in pid)
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def find_pid(command: str) -> int | None:
    """The first process whose command name is ``command`` (e.g. RabbitMQ's beam.smp)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == command:
                    return int(entry.name)
            except OSError:
                continue
    return None


def busy_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    total = sum(values[:8])
    return total - idle, total


def describe() -> dict[str, str]:
    return {
        "machine": f"{cores()} cores, {memory_mib()} MiB memory, {platform.machine()}, "
                   f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "git commit": git_commit(),
        "load average at start": load_average(),
    }
