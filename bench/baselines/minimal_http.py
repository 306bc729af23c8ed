"""P1 baseline (a): a minimal single-process HTTP app doing the same indexed read straight on
PostgreSQL: Starlette on uvicorn (uvloop + httptools, as `uvicorn[standard]` deploys it) with a
psycopg async connection pool of the same size as a Casework service's. No broker, no auth, no
audit: the ceiling one Python process reaches on this machine.

Run: BASELINE_DATABASE_URL=... BASELINE_ORG_ID=... BASELINE_PORT=...
     python -m bench.baselines.minimal_http
"""

from __future__ import annotations

import json
import os
from contextlib import asynccontextmanager

import uvicorn
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from bench.baselines import SQL

ORG = os.environ.get("BASELINE_ORG_ID", "")
pool = AsyncConnectionPool(
    os.environ.get("BASELINE_DATABASE_URL", "").replace("+psycopg", ""),
    min_size=int(os.environ.get("BASELINE_POOL_SIZE", "10")),
    max_size=int(os.environ.get("BASELINE_POOL_SIZE", "10")),
    kwargs={"row_factory": dict_row}, open=False)


async def get_record(request):
    async with pool.connection() as conn:
        row = await (await conn.execute(SQL, (request.path_params["record_id"], ORG))).fetchone()
    if row is None:
        return Response(status_code=404)
    return Response(json.dumps(row, default=str), media_type="application/json")


@asynccontextmanager
async def lifespan(app):
    await pool.open()
    yield
    await pool.close()


app = Starlette(routes=[Route("/records/{record_id}", get_record)], lifespan=lifespan)

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["BASELINE_PORT"]), workers=1,
                loop="uvloop", http="httptools", log_level="warning", access_log=False)
