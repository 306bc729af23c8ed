"""What every Casework nameko service has: a health RPC and correlation ids in its logs."""

from nameko.rpc import rpc
from sqlalchemy import text

from casework.errors import CaseworkError
from casework.logs import LogContext


class CaseworkService:
    """Base of every service class; subclasses set ``name`` and ``db``."""

    name: str
    log_context = LogContext()

    @rpc(expected_exceptions=CaseworkError)
    def health(self):
        """Answers when the service's workers run and its database answers (gateway ``/ready``)."""
        with self.db.transaction() as uow:
            uow.session.execute(text("SELECT 1"))
        return {"service": self.name, "database": "ok"}
