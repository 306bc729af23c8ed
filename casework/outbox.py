"""The outbox relay: publishes committed events with publisher confirms, then marks them.

It runs as a greenthread in every service process. A commit that emitted events wakes it at once;
otherwise it sweeps every ``CASEWORK_RELAY_INTERVAL`` seconds, which also picks up what a killed
process or a broker outage left behind (QUALITY F2). Several instances share the table safely:
each sweep locks its batch with ``FOR UPDATE SKIP LOCKED``. A crash between the broker's confirm
and the ``published_at`` update republishes the event later, so delivery is at least once and
consumers deduplicate on ``event_id`` (``Db.consume``).
"""

from __future__ import annotations

import logging
import threading
import time

from kombu import Connection
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.engine import Engine

from casework.events import event_exchange

log = logging.getLogger(__name__)

BATCH = 500
RETENTION = text("now() - interval '3 days'")


class OutboxRelay:
    def __init__(self, engine: Engine, outbox, amqp_uri: str, interval: float):
        self.engine = engine
        self.outbox = outbox
        self.amqp_uri = amqp_uri
        self.interval = interval
        self._wake = threading.Event()
        self._running = True
        self._connection: Connection | None = None
        self._exchanges: dict[str, object] = {}
        self._last_cleanup = 0.0
        self._chores: list[list] = []  # [interval, callable, last run]
        self.published = 0

    def add_chore(self, interval: float, chore) -> None:
        """Run ``chore(connection)`` every ``interval`` seconds in the relay's own greenthread
        and transaction: housekeeping that must not take a second pooled connection (a thread
        of its own made idle services open one more now and then; the soak counted them)."""
        self._chores.append([interval, chore, time.monotonic()])

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._running = False
        self._wake.set()
        self._disconnect()

    def run(self) -> None:
        backoff = self.interval
        while self._running:
            self._wake.wait(backoff)
            self._wake.clear()
            if not self._running:
                break
            try:
                while self._running and self.sweep() == BATCH:
                    pass
                self._cleanup()
                self._run_chores()
                backoff = self.interval
            except Exception as exc:  # broker or database down: keep the rows, try again later
                log.warning("outbox relay sweep failed: %r", exc)
                self._disconnect()
                backoff = min(max(backoff * 2, 0.5), 10.0)

    def sweep(self) -> int:
        """Publish one batch of unpublished events; returns how many were published."""
        outbox = self.outbox
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(outbox.c.id, outbox.c.exchange, outbox.c.routing_key, outbox.c.payload)
                .where(outbox.c.published_at.is_(None))
                .order_by(outbox.c.id)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return 0
            producer = self._producer()
            for row in rows:
                producer.publish(
                    row.payload,
                    exchange=self._exchange(row.exchange),
                    routing_key=row.routing_key,
                    serializer="json",
                    delivery_mode=2,
                    headers={"nameko.correlation_id": row.payload.get("correlation_id")},
                    retry=False,
                )
            conn.execute(
                update(outbox).where(outbox.c.id.in_([r.id for r in rows]))
                .values(published_at=func.now())
            )
        self.published += len(rows)
        return len(rows)

    def _exchange(self, name: str):
        if name not in self._exchanges:
            exchange = event_exchange(name.removesuffix(".events"))
            exchange(self._connection.default_channel).declare()
            self._exchanges[name] = exchange
        return self._exchanges[name]

    def _producer(self):
        if self._connection is None:
            self._connection = Connection(
                self.amqp_uri, transport_options={"confirm_publish": True},
                connect_timeout=3,
            )
            self._connection.ensure_connection(max_retries=1)
            self._exchanges = {}
        return self._connection.Producer()

    def _disconnect(self) -> None:
        if self._connection is not None:
            try:
                self._connection.release()
            except Exception:  # already broken; nothing more to release
                log.debug("outbox relay: connection release failed", exc_info=True)
            self._connection = None

    def _run_chores(self) -> None:
        now = time.monotonic()
        for chore in self._chores:
            interval, run, last = chore
            if now - last >= interval:
                chore[2] = now
                with self.engine.begin() as conn:
                    run(conn)

    def _cleanup(self) -> None:
        """Forget events published more than three days ago (hourly)."""
        if time.monotonic() - self._last_cleanup < 3600:
            return
        with self.engine.begin() as conn:
            conn.execute(delete(self.outbox).where(self.outbox.c.published_at < RETENTION))
        self._last_cleanup = time.monotonic()
