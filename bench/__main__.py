"""`python -m bench` runs every scenario, `python -m bench p1 p2` some, `python -m bench soak
--minutes 10` the soak. Results go to bench/results/<date>-<scenario>.md.

The harness migrates its own database (casework_bench), makes its own RabbitMQ vhost, starts the
platform's processes on a free port, drives each scenario with wrk in a separate process, and
stops everything it started at the end, also on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import signal
import sys
import traceback

import casework  # noqa: F401  (cooperative psycopg before anything imports it)

from . import scenarios
from .context import Context
from .load import ensure_wrk


def discover() -> dict[str, object]:
    found = {}
    for info in pkgutil.iter_modules(scenarios.__path__):
        module = importlib.import_module(f"{scenarios.__name__}.{info.name}")
        found[module.ID] = module
    return dict(sorted(found.items()))


def parse(argv, available) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO",
                        help=f"scenario ids ({', '.join(available)}); default: all but soak")
    parser.add_argument("--seconds", type=float, default=10,
                        help="length of one measurement (default 10; warm-ups are shorter)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="P1: measurements of each target, interleaved (default 2)")
    parser.add_argument("--minutes", type=float, default=10, help="soak length (default 10)")
    parser.add_argument("--log-level", default="WARNING",
                        help="CASEWORK_LOG_LEVEL of the platform's processes (default WARNING)")
    parser.add_argument("--fresh", action="store_true",
                        help="drop the benchmark database first (kept datasets are regenerated)")
    parser.add_argument("--keep-logs", action="store_true",
                        help="keep the processes' logs and wrk outputs in /tmp/casework-bench-*")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    modules = discover()
    args = parse(argv if argv is not None else sys.argv[1:], list(modules))
    wanted = [s.lower() for s in args.scenarios] or [k for k, m in modules.items()
                                                     if getattr(m, "IN_ALL", True)]
    unknown = [s for s in wanted if s not in modules]
    if unknown:
        print(f"bench: unknown scenario(s) {', '.join(unknown)}; known: {', '.join(modules)}",
              file=sys.stderr)
        return 2
    ensure_wrk()

    def interrupted(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    ctx = Context(args)
    crashed, failed_bars, written = [], [], []
    try:
        ctx.open()
        for scenario_id in wanted:
            module = modules[scenario_id]
            ctx.log(f"== {scenario_id}: {module.TITLE}")
            try:
                report = module.run(ctx)
            except KeyboardInterrupt:
                raise
            except Exception:
                traceback.print_exc()
                crashed.append(scenario_id)
                continue
            path = report.write(ctx.facts())
            written.append(path)
            for check in report.checks:
                ctx.log(f"  {check.verdict:11} {check.name}: {check.measured} (bar {check.bar})")
            if report.failed():
                failed_bars.append(scenario_id)
            ctx.log(f"  -> {path.relative_to(path.parents[2])}")
    except KeyboardInterrupt:
        ctx.log("bench: interrupted; stopping everything it started")
        crashed.append("interrupted")
    except Exception:
        traceback.print_exc()
        crashed.append("set-up")
    finally:
        args.keep_logs = args.keep_logs or bool(crashed)
        ctx.close()
        if args.keep_logs:
            ctx.log(f"bench: logs kept in {ctx.run_dir}")
    if failed_bars:
        ctx.log(f"bench: figures below their bar in: {', '.join(failed_bars)} (see the files)")
    if crashed:
        ctx.log(f"bench: scenarios that could not run: {', '.join(crashed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
