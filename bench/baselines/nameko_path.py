"""P1 baseline (b): the barest nameko path. An ``@http`` gateway calls one RPC of a second nameko
service, which does the same indexed read with SQLAlchemy on the same database: no auth, no
audit, no validation, nameko's default RPC client (publisher confirms on). Each service runs as
its own process, with the worker and pool sizes Casework uses (gateway 64 workers; service 10
workers, 10 connections).

Run: python -m bench.baselines.nameko_path gateway|records (BASELINE_* variables as in minimal_http)
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import casework  # noqa: E402,F401  (cooperative psycopg, as in every Casework service)

warnings.filterwarnings("ignore", category=DeprecationWarning)

import nameko  # noqa: E402
from nameko.extensions import DependencyProvider  # noqa: E402
from nameko.rpc import ServiceRpc, rpc  # noqa: E402
from nameko.runners import ServiceRunner  # noqa: E402
from nameko.web.handlers import http  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from werkzeug.wrappers import Response  # noqa: E402

from bench.baselines import SQL  # noqa: E402

QUERY = text(SQL.replace("%s", ":id", 1).replace("%s", ":org", 1))


class Engine(DependencyProvider):
    def setup(self):
        self.engine = create_engine(os.environ["BASELINE_DATABASE_URL"], pool_size=10,
                                    max_overflow=5)

    def stop(self):
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        return self.engine


class BaselineRecords:
    name = "baseline_records"
    engine = Engine()

    @rpc
    def get_record(self, organization_id, record_id):
        with self.engine.connect() as conn:
            row = conn.execute(QUERY, {"id": record_id, "org": organization_id}).mappings().first()
        return None if row is None else {k: (v if isinstance(v, (str, int, list, dict)) or v is None
                                             else str(v)) for k, v in row.items()}


class BaselineGateway:
    name = "baseline_gateway"
    records = ServiceRpc("baseline_records")

    @http("GET", "/records/<record_id>")
    def get_record(self, request, record_id):
        row = self.records.get_record(os.environ["BASELINE_ORG_ID"], record_id)
        if row is None:
            return Response(status=404)
        return Response(json.dumps(row), mimetype="application/json")


def main(role: str) -> None:
    service = {"gateway": BaselineGateway, "records": BaselineRecords}[role]
    nameko.config.setup({
        "AMQP_URI": os.environ["BASELINE_AMQP_URI"],
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{os.environ.get('BASELINE_PORT', '0')}",
        "max_workers": 64 if role == "gateway" else 10,
        "serializer": "json",
    })
    runner = ServiceRunner()
    runner.add_service(service)
    signal.signal(signal.SIGTERM, lambda *_: eventlet.spawn_n(runner.stop))
    runner.start()
    runner.wait()


if __name__ == "__main__":
    main(sys.argv[1])
