"""Guards QUALITY's known fact: psycopg 3's default C wait function blocks eventlet's hub, so
one slow query would stall every worker of a service. casework makes the wait cooperative."""

import time

import eventlet
import psycopg.waiting
from nameko.rpc import rpc
from nameko.standalone.rpc import ClusterRpcClient
from sqlalchemy import text

from casework import COOPERATIVE_WAIT_FUNC
from casework.db import Database
from services.records.models import metadata


def test_psycopg_uses_the_cooperative_wait_function():
    assert psycopg.waiting.wait is getattr(psycopg.waiting, COOPERATIVE_WAIT_FUNC)


class SleepyService:
    name = "sleepy"
    db = Database("records", metadata)

    @rpc
    def sleep(self, seconds):
        with self.db.transaction() as uow:
            uow.session.execute(text("SELECT pg_sleep(:s)"), {"s": seconds})


def test_ten_slow_queries_in_one_service_run_concurrently(runner_factory, platform_config):
    runner = runner_factory(SleepyService)
    runner.start()
    # one standalone client per caller: a standalone client is not shared between greenthreads
    standalone = [ClusterRpcClient() for _ in range(10)]
    clients = [each.start() for each in standalone]
    try:
        clients[0].sleepy.sleep(0)  # the service is up and its pool warm
        started = time.monotonic()
        calls = [eventlet.spawn(client.sleepy.sleep, 0.5) for client in clients]
        for call in calls:
            call.wait()
        elapsed = time.monotonic() - started
    finally:
        for each in standalone:
            each.stop()
    # serialised, ten 0.5 s sleeps take 5 s; concurrently about 0.6 s
    assert elapsed < 2.5, f"10 x pg_sleep(0.5) took {elapsed:.2f} s: the event loop is blocked"
