"""The database DependencyProvider: one engine per service process, one session per command, one
transaction per command, and the transactional outbox.

``with self.db.transaction() as uow:`` opens a transaction; ``uow.emit(...)`` stores an event in
the service's ``outbox`` table inside that same transaction, so an event exists if and only if its
change commits (OPS-2, QUALITY F1). After the commit the relay (``casework.outbox``) is woken to
publish it with publisher confirms.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from nameko.extensions import DependencyProvider
from sqlalchemy import MetaData, create_engine, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

import casework  # noqa: F401  (cooperative psycopg wait function, before psycopg is imported)
from casework import replies
from casework.broker import container_uri
from casework.config import settings
from casework.errors import ServiceUnavailable, ValidationFailed
from casework.events import InvalidEvent, checked_data, envelope, parse_envelope
from casework.logs import bind_correlation_id, current_correlation_id
from casework.outbox import OutboxRelay

log = logging.getLogger(__name__)

REPLY_PRUNE_INTERVAL = 60.0  # seconds between prunes of stored RPC replies
UNAVAILABLE_PAUSE = 1.0  # seconds an event waits before going back to its queue in an outage


def make_engine(url: str, pool_size: int | None = None,
                session_settings: dict[str, str] | None = None) -> Engine:
    options = " ".join(f"-c {name}={value}" for name, value in (session_settings or {}).items())
    return create_engine(
        url,
        pool_size=pool_size or settings().db_pool_size,
        max_overflow=5,
        pool_timeout=5,
        pool_recycle=1800,
        connect_args={"connect_timeout": 3, "application_name": "casework",
                      **({"options": options} if options else {})},
    )


def violates(exc: IntegrityError, constraint: str) -> bool:
    """Whether an IntegrityError is the violation of the named constraint (and not of another,
    which must not be reported as, say, a duplicate)."""
    diag = getattr(exc.orig, "diag", None)
    return getattr(diag, "constraint_name", None) == constraint


def is_unavailable(exc: BaseException) -> bool:
    """A lost or refused database connection, as opposed to a bad statement."""
    return isinstance(exc, OperationalError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    )


@contextmanager
def translated_errors(service: str) -> Iterator[None]:
    """A lost database is a 503; a value PostgreSQL refuses is the caller's input, a 422."""
    try:
        yield
    except DBAPIError as exc:
        if is_unavailable(exc):
            raise ServiceUnavailable(f"{service} database unavailable") from exc
        if isinstance(exc, DataError):
            raise ValidationFailed("a value could not be stored (invalid or out of range)",
                                   {"_schema": [str(exc.orig).split("\n")[0][:200]]}) from exc
        raise


class UnitOfWork:
    """One transaction: the session plus the events to publish if (and only if) it commits."""

    def __init__(self, session: Session, service: str, outbox, correlation_id: str | None,
                 call_id: str | None = None):
        self.session = session
        self.service = service
        self._outbox = outbox
        self.correlation_id = correlation_id
        self.emitted: list[dict] = []
        self.call_id = call_id  # the RPC call's id: keys what a rerun must not repeat

    def emit(self, name: str, data: dict, *, organization_id=None, version: int = 1) -> dict:
        """Store the event in the outbox; its data is dumped by the event's declared schema
        (``contracts.<service>``) and must fit it (``UndeclaredEvent`` otherwise)."""
        data = checked_data(self.service, name, version, data)
        event = envelope(self.service, name, data, organization_id=organization_id,
                         correlation_id=self.correlation_id, version=version)
        self.session.execute(insert(self._outbox).values(
            event_id=event["event_id"], exchange=f"{self.service}.events",
            routing_key=name, payload=event,
        ))
        self.emitted.append(event)
        return event


class Db:
    """What a worker sees as ``self.db``."""

    def __init__(self, provider: Database, correlation_id: str | None,
                 call: replies.RpcCall | None = None):
        self._provider = provider
        self.correlation_id = correlation_id
        self.call = call  # the RPC call this worker serves, if it serves one
        self._pending: tuple[Session, UnitOfWork, bool] | None = None

    @property
    def tables(self):
        return self._provider.metadata.tables

    @contextmanager
    def transaction(self, *, rerunnable: bool = False) -> Iterator[UnitOfWork]:
        """One transaction. In an RPC worker it commits only once the method has returned, with
        the call's reply (``casework.replies``), unless ``rerunnable``: harmless to run twice.
        A deferred transaction stays open until then (or until the worker's next transaction):
        a read before a call to another service should be ``rerunnable``."""
        self._commit_pending()
        provider = self._provider
        deferred = self.call is not None and not rerunnable
        session = Session(provider.engine, expire_on_commit=False)
        claimed = False
        try:
            with translated_errors(provider.service):
                session.begin()
                uow = UnitOfWork(session, provider.service, provider.outbox,
                                 self.correlation_id or current_correlation_id(),
                                 self.call.id if self.call else None)
                if deferred and self.call.redelivered:
                    stored = replies.claim(session, provider.rpc_replies, self.call.id)
                    if stored is not None:
                        raise replies.Replayed(stored)
                    claimed = True
                yield uow
                if deferred:
                    self._pending, session = (session, uow, claimed), None
                    return
                session.commit()
        except BaseException:
            if session is not None:
                session.rollback()
            raise
        finally:
            if session is not None:
                session.close()
        if uow.emitted:
            provider.relay.wake()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (psycopg begins it ``READ ONLY``, no extra round trip): never
        deferred to the reply, harmless to run twice, and unable to write or emit. Reads that
        write an audit row are not reads: they use ``transaction(rerunnable=True)``."""
        self._commit_pending()
        session = Session(self._provider.read_engine)
        try:
            with translated_errors(self._provider.service):
                session.begin()
                yield session
                session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def _commit_pending(self) -> None:
        """A second transaction in one call: the first commits now, without the reply."""
        if self._pending is None:
            return
        session, uow, claimed = self._pending
        self._pending = None
        try:
            with translated_errors(self._provider.service):
                if claimed:
                    replies.release(session, self._provider.rpc_replies, self.call.id)
                session.commit()
        finally:
            session.close()
        if uow.emitted:
            self._provider.relay.wake()

    def finish_call(self, result, exc_info):
        """Commit the call's last transaction together with its reply, before the reply is sent.
        Returns what to reply: the method's outcome, an error if the commit failed, or
        ``Replayed`` when another delivery of the call has already applied it."""
        if self._pending is None:
            return result, exc_info
        session, uow, claimed = self._pending
        self._pending = None
        table = self._provider.rpc_replies
        try:
            with translated_errors(self._provider.service):
                payload = replies.reply_payload(result, exc_info)
                if claimed:
                    replies.complete(session, table, self.call.id, payload)
                elif not replies.record(session, table, self.call.id, payload):
                    stored = replies.stored_reply(session, table, self.call.id)
                    session.rollback()
                    log.warning("call %s was applied by its redelivery; this delivery rolled"
                                " back", self.call.id)
                    return None, (replies.Replayed, replies.Replayed(stored), None)
                session.commit()
        except Exception:
            session.rollback()
            return None, sys.exc_info()
        finally:
            session.close()
        if uow.emitted:
            self._provider.relay.wake()
        return result, exc_info

    def abandon(self) -> None:
        """The worker ended without ``finish_call`` (it was killed): roll back."""
        if self._pending is not None:
            session = self._pending[0]
            self._pending = None
            session.rollback()
            session.close()

    def consume(self, handler: str, source: str, name: str, payload, apply: Callable,
                versions: tuple[int, ...] = (1,)) -> str:
        """Apply an event once: the inbox row and the effect commit together (OPS-2, F3, F4).

        Malformed or unknown-version events are dead-lettered at once; a handler that keeps
        failing is retried with backoff, then dead-lettered; a database outage is raised so that
        the broker redelivers the message later, after a pause.
        """
        try:
            return self._consume(handler, source, name, payload, apply, versions)
        except ServiceUnavailable as exc:
            # Given back at once, the message would come straight back: every instance would
            # spin through its prefetched messages hundreds of times a second for the whole
            # outage (the fault suite counted 2,208 failed runs of one instance in 6 s).
            log.warning("%s; the event goes back to its queue", exc, extra={"handler": handler})
            time.sleep(UNAVAILABLE_PAUSE)
            raise

    def _consume(self, handler: str, source: str, name: str, payload, apply: Callable,
                 versions: tuple[int, ...]) -> str:
        provider = self._provider
        try:
            event = parse_envelope(payload, expected_type=f"{source}.{name}", versions=versions)
        except InvalidEvent as exc:
            self.dead_letter(handler, source, name, payload, exc.reason, attempts=0)
            return "dead_lettered"
        bind_correlation_id(event.get("correlation_id"))
        self.correlation_id = event.get("correlation_id")
        inbox = provider.inbox
        attempts = settings().handler_retries
        last_error = None
        for attempt in range(1, attempts + 1):
            try:
                with self.transaction() as uow:
                    first_time = uow.session.execute(
                        pg_insert(inbox).values(handler=handler, event_id=event["event_id"])
                        .on_conflict_do_nothing().returning(inbox.c.event_id)
                    ).first()
                    if first_time is None:
                        log.info("event already handled", extra={
                            "event_id": str(event["event_id"]), "handler": handler})
                        return "duplicate"
                    apply(uow, event)
                return "applied"
            except ServiceUnavailable:
                raise
            except Exception as exc:  # a handler bug or bad data: retry, then dead-letter
                last_error = exc
                log.warning("event handler failed (attempt %s of %s): %r", attempt, attempts, exc,
                            extra={"event_id": str(event["event_id"]), "handler": handler})
                if attempt < attempts:
                    time.sleep(min(0.2 * 2 ** (attempt - 1), 5.0))
        self.dead_letter(handler, source, name, payload, repr(last_error), attempts=attempts)
        return "dead_lettered"

    def dead_letter(self, handler: str, source: str, name: str, payload, reason: str,
                    attempts: int) -> None:
        table = self._provider.dead_letters
        event_id = payload.get("event_id") if isinstance(payload, dict) else None
        with self.transaction() as uow:
            uow.session.execute(insert(table).values(
                handler=handler, exchange=f"{source}.events", routing_key=name,
                event_id=str(event_id)[:100] if event_id else None,
                payload=payload if isinstance(payload, dict) else {"raw": payload},
                reason=reason[:4000], attempts=attempts,
            ))
        log.error("event dead-lettered: %s", reason, extra={"handler": handler})


class Database(DependencyProvider):
    """``db = Database("records", metadata)``: the service's engine, unit of work and relay."""

    def __init__(self, service: str, metadata: MetaData,
                 session_settings: dict[str, str] | None = None):
        self.service = service
        self.metadata = metadata
        self.session_settings = session_settings

    def setup(self):
        self.engine = make_engine(settings().database_url_for(self.service),
                                  session_settings=self.session_settings)
        # the same pool; psycopg begins each transaction READ ONLY on a connection checked out
        # through it, and SQLAlchemy resets the flag when the connection goes back
        self.read_engine = self.engine.execution_options(postgresql_readonly=True)
        schema = self.metadata.schema
        self.outbox = self.metadata.tables[f"{schema}.outbox"]
        self.inbox = self.metadata.tables[f"{schema}.inbox"]
        self.dead_letters = self.metadata.tables[f"{schema}.dead_letters"]
        self.rpc_replies = self.metadata.tables[f"{schema}.rpc_replies"]
        self.workers: dict = {}  # worker context -> its Db, for ``finish_call``
        self.relay = OutboxRelay(self.engine, self.outbox, container_uri(self.container),
                                 settings().relay_interval)

    def start(self):
        # stored RPC replies are forgotten once no redelivery can ask for them, every minute
        self.relay.add_chore(REPLY_PRUNE_INTERVAL, self._prune_replies)
        self.container.spawn_managed_thread(self.relay.run)

    def stop(self):
        self.relay.stop()
        self.engine.dispose()

    def dead_letter_message(self, row: dict) -> None:
        """Store a message that never reached a handler (``casework.messaging.PutsAside``)."""
        with self.engine.begin() as conn:
            conn.execute(insert(self.dead_letters).values(**row))

    def kill(self):
        # a killed container (tests, a crash) must still give its connections back
        self.relay.stop()
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        db = Db(self, worker_ctx.context_data.get("correlation_id"),
                worker_ctx.context_data.get(replies.RPC_CALL))
        self.workers[worker_ctx] = db
        return db

    def worker_teardown(self, worker_ctx):
        db = self.workers.pop(worker_ctx, None)
        if db is not None:
            db.abandon()

    def _prune_replies(self, connection) -> None:
        replies.prune(connection, self.rpc_replies, settings().rpc_reply_retention)


def finish_call(worker_ctx, result, exc_info):
    """Called by the RPC entrypoint before it replies: commit each database's last transaction
    of the call with the reply (``Db.finish_call``)."""
    for provider in worker_ctx.container.dependencies:
        if isinstance(provider, Database):
            db = provider.workers.get(worker_ctx)
            if db is not None:
                result, exc_info = db.finish_call(result, exc_info)
    return result, exc_info
