"""The load generator: `wrk` in its own process, driven by bench/lua/requests.lua.

wrk runs a closed loop of N connections for a fixed time; the Lua script picks each request from
a file of request lines, adds the token and a unique request id, and prints the latency
percentiles as JSON. The harness also samples the CPU time of the processes it watches, so that a
results file says which process the time went to.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from . import machine

SCRIPT = Path(__file__).resolve().parent / "lua" / "requests.lua"


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("bench: installing wrk with apt-get", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False,
                       stdout=subprocess.DEVNULL)
        path = shutil.which("wrk")
    if not path:
        raise SystemExit("bench: the load generator `wrk` is missing; install it "
                         "(Debian/Ubuntu: `sudo apt-get install wrk`) and run again")
    return path


@dataclass
class Measurement:
    label: str
    connections: int
    duration_s: float
    requests: int
    ok: int
    bad: int
    last_bad_status: int
    errors: dict
    latency_ms: dict
    cpu_s: dict[str, float] = field(default_factory=dict)  # process label -> CPU seconds used
    machine_busy: float = 0.0  # share of all cores' time not idle during the measurement

    @property
    def rps(self) -> float:
        return self.ok / self.duration_s if self.duration_s else 0.0

    @property
    def tail_ratio(self) -> float:
        return self.latency_ms["p99"] / self.latency_ms["p50"] if self.latency_ms["p50"] else 0.0

    def failures(self) -> int:
        return self.bad + sum(v for k, v in self.errors.items() if k != "status")

    def cpu_ms_per_request(self) -> dict[str, float]:
        return {k: 1000 * v / self.ok for k, v in self.cpu_s.items()} if self.ok else {}


def write_requests(path: Path, lines: list[tuple]) -> Path:
    """One request per line: (method, path) or (method, path, json_body)."""
    with path.open("w") as out:
        for line in lines:
            out.write("\t".join(line) + "\n")
    return path


def run(label: str, base_url: str, requests_file: Path, *, seconds: float, connections: int,
        threads: int = 2, token: str = "", run_id: str = "bench",
        watch: dict[str, int | list[int]] | None = None, log_dir: Path | None = None
        ) -> Measurement:
    host = urlsplit(base_url).hostname
    if host != "127.0.0.1":  # load is only ever sent to this machine
        raise ValueError(f"bench: refusing to send load to {host}; only 127.0.0.1")
    argv = [ensure_wrk(), "--latency", "-t", str(min(threads, connections)), "-c",
            str(connections), "-d", f"{max(1, round(seconds))}s", "--timeout", "10s",
            "-s", str(SCRIPT), base_url]
    env = {**os.environ, "BENCH_TOKEN": token, "BENCH_RUN": run_id,
           "BENCH_REQUESTS": str(requests_file)}
    watch = watch or {}
    cpu_before = {name: machine.cpu_seconds(pid) for name, pid in watch.items()}
    busy_before = machine.busy_ticks()
    started = time.monotonic()
    done = subprocess.run(argv, env=env, capture_output=True, text=True,
                          timeout=seconds + 60)
    elapsed = time.monotonic() - started
    cpu = {name: machine.cpu_seconds(pid) - cpu_before[name] for name, pid in watch.items()}
    busy_after = machine.busy_ticks()
    busy = ((busy_after[0] - busy_before[0]) / (busy_after[1] - busy_before[1])
            if busy_after[1] > busy_before[1] else 0.0)
    if log_dir is not None:
        (log_dir / f"wrk-{run_id}.txt").write_text(done.stdout + done.stderr)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"bench: wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    latency = {k: v / 1000 for k, v in data["latency_us"].items()}
    duration = data["duration_us"] / 1e6 or elapsed
    return Measurement(label, connections, duration, data["requests"], data["ok"], data["bad"],
                       data["last_bad_status"], data["errors"], latency, cpu, busy)
