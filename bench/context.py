"""What a scenario gets: the running platform on the benchmark's own database and vhost, a staff
member with a real token, the shared P1 dataset, baselines on demand, and the load generator."""

from __future__ import annotations

import os
import sys
import time
import uuid
from functools import cached_property
from pathlib import Path

from . import data, infra, load, machine, tokens
from .stack import Platform, ProcessGroup, free_port, wait_until

# several harnesses on one machine (branches, checkouts) each take their own
DATABASE = os.environ.get("CASEWORK_BENCH_DATABASE", "casework_bench")
P1_DATASET_ROWS = 100_000
P1_READ_IDS = 10_000


class Context:
    def __init__(self, args):
        self.args = args
        self.run_id = f"bench{time.strftime('%H%M%S')}{uuid.uuid4().hex[:4]}"
        self.run_dir = Path(f"/tmp/casework-bench-{self.run_id}")
        self.run_dir.mkdir(parents=True)
        self.procs = ProcessGroup(self.run_dir)
        self.vhost: infra.Vhost | None = None
        self.platform: Platform | None = None
        self.staff: tokens.Staff | None = None
        self.fresh_rss: dict[str, float | None] = {}
        self._baselines: dict[str, str] = {}

    def log(self, message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)

    # ---- life cycle -------------------------------------------------------------------------
    def open(self) -> None:
        if self.args.fresh:
            self.log(f"bench: dropping {DATABASE} (--fresh)")
            infra.drop_database(DATABASE)
        self.log(f"bench: migrating {DATABASE}")
        self.database_url = infra.prepare_database(DATABASE)
        self.vhost = infra.Vhost().create()
        self.platform = Platform(self.procs, self.database_url, self.vhost.amqp_uri,
                                 log_level=self.args.log_level)
        self.log(f"bench: starting the platform on {self.platform.url} "
                 f"(vhost {self.vhost.name}, logs in {self.run_dir})")
        self.platform.start()
        time.sleep(2)  # let imports settle before the fresh-start memory reading
        self.fresh_rss = self.platform.rss()
        self.staff = tokens.login(self.platform.url, self.engine)
        self.log(f"bench: staff token: {self.staff.source}")

    def close(self) -> None:
        self.procs.stop_all()
        if self.vhost is not None:
            self.vhost.delete()
        if not self.args.keep_logs:
            for path in self.run_dir.glob("*"):
                path.unlink()
            self.run_dir.rmdir()

    # ---- facts for results files ------------------------------------------------------------
    def facts(self) -> dict[str, str]:
        facts = machine.describe()
        facts["staff token"] = self.staff.source if self.staff else "none"
        facts["platform"] = ("`casework serve <service>` processes, database "
                             f"`{DATABASE}`, own RabbitMQ vhost, log level "
                             f"{self.args.log_level}")
        facts["load generator"] = ("wrk (separate process, bench/lua/requests.lua), "
                                   "2 threads, closed loop")
        return facts

    # ---- data -------------------------------------------------------------------------------
    @cached_property
    def engine(self):
        return infra.engine(DATABASE, pool_size=2)

    @cached_property
    def read_ids(self) -> list[str]:
        """Ids of the benchmark agency's records that P1 and P7 read at random."""
        took = data.generate_records(self.engine, "p1", [self.staff.organization_id],
                                     P1_DATASET_ROWS, log=self.log)
        if took:
            self.log(f"bench: P1 dataset generated in {took:.1f} s")
        return data.record_ids(self.engine, self.staff.organization_id, P1_READ_IDS)

    # ---- baselines --------------------------------------------------------------------------
    def baselines(self) -> dict[str, str]:
        """Start P1's baselines once; returns their base URLs by name ("a", "b")."""
        if self._baselines:
            return self._baselines
        env = {**os.environ, "BASELINE_DATABASE_URL": self.database_url,
               "BASELINE_ORG_ID": self.staff.organization_id,
               "BASELINE_AMQP_URI": self.vhost.amqp_uri,
               "PYTHONWARNINGS": "ignore::DeprecationWarning"}
        port_a, port_b = free_port(), free_port()
        py = sys.executable
        self.procs.start("baseline-a", [py, "-m", "bench.baselines.minimal_http"],
                         {**env, "BASELINE_PORT": str(port_a)})
        self.procs.start("baseline-b-records", [py, "-m", "bench.baselines.nameko_path",
                                                "records"], env)
        self.procs.start("baseline-b-gateway", [py, "-m", "bench.baselines.nameko_path",
                                                "gateway"], {**env, "BASELINE_PORT": str(port_b)})
        self._baselines = {"a": f"http://127.0.0.1:{port_a}", "b": f"http://127.0.0.1:{port_b}"}
        probe = self.read_ids[0]
        for name, url in self._baselines.items():
            wait_until(lambda url=url: self._answers(f"{url}/records/{probe}"), 60,
                       f"baseline ({name}) on {url}")
        return self._baselines

    def _answers(self, url: str) -> bool:
        import requests

        self.procs.check_alive()
        try:
            return requests.get(url, timeout=5).status_code == 200
        except requests.RequestException:
            return False

    # ---- load -------------------------------------------------------------------------------
    def pids(self, *groups: str) -> dict[str, int]:
        return {p.label: p.pid for p in self.procs.procs if p.group in groups}

    def database_backends(self, application_name: str | None = None) -> list[int]:
        """PostgreSQL backends serving the benchmark database now (the pools are warm after a
        warm-up, so these are the ones a measurement uses)."""
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND (CAST(:a AS text) IS NULL "
                "OR application_name = :a)"), {"a": application_name})]

    def measure(self, label: str, base_url: str, requests_file: Path, *, seconds: float,
                connections: int, watch: dict[str, int] | None = None, token: str = "",
                run_id: str | None = None) -> load.Measurement:
        self.procs.check_alive()
        result = load.run(label, base_url, requests_file, seconds=seconds,
                          connections=connections, token=token, watch=watch,
                          run_id=run_id or f"{self.run_id}-{label}", log_dir=self.run_dir)
        self.log(f"  {label}: {result.rps:,.0f} req/s, p50 {result.latency_ms['p50']:.1f} ms, "
                 f"p99 {result.latency_ms['p99']:.1f} ms, {result.failures()} failed")
        return result

    def requests_file(self, name: str, lines: list[tuple]) -> Path:
        return load.write_requests(self.run_dir / f"{name}.txt", lines)
