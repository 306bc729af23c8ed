"""RPC round trip to the records service, without HTTP: ``python -m bench.rpc_roundtrip``.

Starts one records service process (against CASEWORK_DATABASE_URL, migrated first), creates a
record, then times ``records.get_record`` (one indexed read plus its audit row) sequentially and
with 20 concurrent callers (one standalone client each), and prints median and p99.
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
from nameko.amqp.publish import Publisher  # noqa: E402
from nameko.standalone.rpc import ClusterRpcClient  # noqa: E402

import casework  # noqa: E402,F401
from casework.config import nameko_config  # noqa: E402
from casework.migrations import migrate  # noqa: E402


class GatewayLikeClient(ClusterRpcClient):
    """Publishes the way the gateway does (casework/rpc.py): no publisher confirms on requests
    and no re-declaration of the reply queue per call (its listener declares it)."""

    class publisher_cls(Publisher):  # noqa: N801 - nameko's attribute name
        def __init__(self, *args, declare=None, **kwargs):
            super().__init__(*args, use_confirms=False, **kwargs)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def timed_calls(client, caller, record_id, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        client.records.get_record(caller, record_id)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=1000, help="sequential calls")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--per-caller", type=int, default=100)
    args = parser.parse_args()

    migrate(["records"])
    env = {**os.environ, "CASEWORK_LOG_LEVEL": "WARNING"}
    service = subprocess.Popen([sys.executable, "-m", "casework.cli", "serve", "records"], env=env)
    nameko.config.setup(nameko_config())
    try:
        caller = {"organization_id": str(uuid.uuid4()), "user_id": str(uuid.uuid4()),
                  "permissions": []}
        with GatewayLikeClient() as client:
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
            timed_calls(client, caller, record["id"], 100)  # warm up
            sequential = timed_calls(client, caller, record["id"], args.calls)

        clients = [GatewayLikeClient() for _ in range(args.concurrency)]
        proxies = [each.start() for each in clients]
        started = time.perf_counter()
        threads = [eventlet.spawn(timed_calls, proxy, caller, record["id"], args.per_caller)
                   for proxy in proxies]
        concurrent = [sample for thread in threads for sample in thread.wait()]
        wall = time.perf_counter() - started
        for each in clients:
            each.stop()
    finally:
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
