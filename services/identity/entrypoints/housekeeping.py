"""Housekeeping on a timer: expired tokens and forgotten login failures are dropped."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from nameko.timer import timer

from ..queries import throttling, tokens

log = logging.getLogger(__name__)


class HousekeepingEntrypoints:
    @timer(interval=3600)
    def purge_expired(self):
        """Drop tokens expired for a day and login failures old enough to be forgotten."""
        moment = datetime.now(UTC)
        with self.db.transaction() as uow:
            purged_tokens = tokens.purge_tokens(uow.session, moment - timedelta(days=1))
            failures = throttling.purge_failures(uow.session, moment)
        if purged_tokens or failures:
            log.info("purged %s expired tokens and %s old login failures", purged_tokens, failures)
