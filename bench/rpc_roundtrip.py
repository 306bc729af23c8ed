"""RPC round trip to the records service, without HTTP: ``python -m bench.rpc_roundtrip``.

Starts one records service process (against CASEWORK_DATABASE_URL, migrated first), creates a
record, then times ``records.get_record`` (the REC-1 view plus its audit row) from a nameko
container using the gateway's RPC client, sequentially and with 20 concurrent callers, and prints
median, p99 and throughput.
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

import nameko  # noqa: E402
from nameko.containers import ServiceContainer  # noqa: E402
from nameko.standalone.rpc import ClusterRpcClient  # noqa: E402
from nameko.testing.services import dummy, entrypoint_hook  # noqa: E402

import casework  # noqa: E402,F401
from casework.callers import sign  # noqa: E402
from casework.config import nameko_config  # noqa: E402
from casework.migrations import migrate  # noqa: E402
from casework.rpc import ServiceClients  # noqa: E402


class RoundTrip:
    """Calls records the way the gateway does: through casework.rpc.ServiceClients (a container
    reply listener, no publisher confirms, a timeout). nameko's standalone client is no measure:
    it opens and cancels a consumer on every call."""

    name = "rpc_roundtrip"
    rpc = ServiceClients()

    @dummy
    def measure(self, caller, record_id, callers: int, calls: int) -> tuple[list[float], float]:
        def timed():
            samples = []
            for _ in range(calls):
                started = time.perf_counter()
                # signed per call, as the gateway signs every request's caller
                self.rpc.records.get_record(sign(caller), record_id)
                samples.append((time.perf_counter() - started) * 1000)
            return samples

        started = time.perf_counter()
        threads = [eventlet.spawn(timed) for _ in range(callers)]
        samples = [sample for thread in threads for sample in thread.wait()]
        return samples, time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=1000, help="sequential calls")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--per-caller", type=int, default=100)
    args = parser.parse_args()

    migrate(["records"])
    from casework.cli import broker_users

    if broker_users(quiet=True) != 0:  # `casework serve records` connects as its own user
        raise SystemExit(1)
    env = {**os.environ, "CASEWORK_LOG_LEVEL": "WARNING"}
    service = subprocess.Popen([sys.executable, "-m", "casework.cli", "serve", "records"], env=env)
    nameko.config.setup({**nameko_config(), "max_workers": args.concurrency + 5})
    container = ServiceContainer(RoundTrip)
    container.start()
    try:
        caller = sign({"kind": "staff", "organization_id": str(uuid.uuid4()),
                       "user_id": str(uuid.uuid4()), "permissions": []})
        with ClusterRpcClient() as client:  # set-up only: its calls are not measured
            deadline = time.monotonic() + 30
            while True:
                try:
                    record = client.records.create_record(
                        caller, {"first_name": "Bench", "last_name": "Mark"})
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
        with entrypoint_hook(container, "measure") as measure:
            measure(caller, record["id"], 1, 100)  # warm up
            sequential, _ = measure(caller, record["id"], 1, args.calls)
            concurrent, wall = measure(caller, record["id"], args.concurrency, args.per_caller)
    finally:
        container.stop()
        service.terminate()
        service.wait(15)

    print(f"records.get_record RPC round trip (ms), {os.cpu_count()} cores")
    print(f"sequential    n={len(sequential):5d}  median {statistics.median(sequential):6.2f}"
          f"  p99 {percentile(sequential, 0.99):6.2f}")
    print(f"{args.concurrency} concurrent n={len(concurrent):5d}  median "
          f"{statistics.median(concurrent):6.2f}  p99 {percentile(concurrent, 0.99):6.2f}"
          f"  throughput {len(concurrent) / wall:7.1f} calls/s")


if __name__ == "__main__":
    main()
