"""RPC from the gateway: long-lived clients (one reply queue per process) with a timeout.

nameko's client waits forever for a reply; a gateway must answer 503 instead (QUALITY F7). The
request is published without publisher confirms: the reply (or its absence within the timeout) is
what tells the gateway the call happened, and confirms were the largest single cost per request.
"""

from __future__ import annotations

import warnings

import eventlet
from nameko.exceptions import UnknownService
from nameko.rpc import ClusterRpc

from casework.config import settings
from casework.errors import ServiceUnavailable

# nameko always asks for mandatory delivery and warns that it cannot be checked without confirms;
# the timeout below is what catches an unroutable call.
warnings.filterwarnings("ignore", message="Mandatory delivery was requested")

FAST_RETRY = {"max_retries": 1, "interval_start": 0.1, "interval_step": 0.2, "interval_max": 0.3}


class TimedService:
    def __init__(self, client, listener, name: str, timeout: float):
        self._client = client
        self._listener = listener
        self._name = name
        self._timeout = timeout

    def __getattr__(self, method: str):
        target = getattr(getattr(self._client, self._name), method)

        def call(*args, **kwargs):
            call_ = None
            try:
                with eventlet.Timeout(self._timeout):
                    call_ = target.call_async(*args, **kwargs)
                    return call_.result()
            except eventlet.Timeout:
                if call_ is not None:
                    self._listener.pending.pop(call_.correlation_id, None)
                raise ServiceUnavailable(
                    f"the {self._name} service did not answer in {self._timeout:g} s") from None
            except (UnknownService, OSError, ConnectionError) as exc:
                raise ServiceUnavailable(f"the {self._name} service is unreachable") from exc

        return call


class TimedClient:
    def __init__(self, client, listener, timeout: float):
        self._client, self._listener, self._timeout = client, listener, timeout

    def __getattr__(self, service: str) -> TimedService:
        return TimedService(self._client, self._listener, service, self._timeout)

    def with_timeout(self, timeout: float) -> TimedClient:
        return TimedClient(self._client, self._listener, timeout)


class ServiceClients(ClusterRpc):
    """``self.rpc.records.get_record(...)`` with a timeout and 503 on failure."""

    def __init__(self, **options):
        options.setdefault("use_confirms", False)
        options.setdefault("retry_policy", FAST_RETRY)
        super().__init__(**options)

    def setup(self):
        super().setup()
        # nameko re-declares the reply queue (queue, exchange, binding: three broker round trips)
        # on every request, because each pooled publish uses a fresh kombu Connection whose
        # declaration cache is empty. The reply listener declares it when it (re)connects, so
        # the requests need not: this was a quarter of the gateway's CPU under load.
        self.publisher.declare = []

    def get_dependency(self, worker_ctx):
        client = super().get_dependency(worker_ctx)
        return TimedClient(client, self.reply_listener, settings().rpc_timeout)
