"""What every Casework nameko service has: health and messaging metrics RPCs, and correlation
ids in its logs."""

from sqlalchemy import func, select, text

from casework.errors import CaseworkError
from casework.logs import LogContext
from casework.rpc import rpc


class CaseworkService:
    """Base of every service class; subclasses set ``name`` and ``db``."""

    name: str
    log_context = LogContext()

    @rpc(expected_exceptions=CaseworkError)
    def health(self):
        """Answers when the service's workers run and its database answers (gateway ``/ready``)."""
        with self.db.transaction(rerunnable=True) as uow:
            uow.session.execute(text("SELECT 1"))
        return {"service": self.name, "database": "ok"}

    @rpc(expected_exceptions=CaseworkError)
    def messaging_metrics(self):
        """The service's outbox backlog and pending dead letters (gateway ``/metrics``). They live
        in the database, so any instance gives the service-wide figures."""
        tables = self.db.tables
        outbox = tables[f"{self.name}.outbox"]
        dead_letters = tables[f"{self.name}.dead_letters"]
        with self.db.transaction(rerunnable=True) as uow:
            pending, oldest = uow.session.execute(
                select(func.count(), func.min(outbox.c.created_at))
                .where(outbox.c.published_at.is_(None))
            ).one()
            lag = uow.session.execute(
                select(func.extract("epoch", func.now() - oldest))).scalar() if oldest else 0
            dead = uow.session.execute(
                select(func.count()).where(dead_letters.c.replayed_at.is_(None))).scalar_one()
        return {"outbox_pending": pending, "outbox_lag_seconds": float(lag or 0),
                "dead_letters_pending": dead}
