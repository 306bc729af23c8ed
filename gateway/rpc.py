"""RPC from the gateway: long-lived clients (one reply queue per process) with a timeout.

nameko's client waits forever for a reply; a gateway must answer 503 instead (QUALITY F7). The
request is published without publisher confirms: the reply (or its absence within the timeout) is
what tells the gateway the call happened, and confirms were the largest single cost per request.
"""

from __future__ import annotations

import warnings

import eventlet
from amqp.exceptions import AMQPError
from kombu.exceptions import KombuError
from nameko.exceptions import UnknownService
from nameko.rpc import Client, ClusterRpc

from casework.config import settings
from casework.errors import ServiceUnavailable

# nameko always asks for mandatory delivery and warns that it cannot be checked without confirms;
# the timeout below is what catches an unroutable call.
warnings.filterwarnings("ignore", message="Mandatory delivery was requested")

FAST_RETRY = {"max_retries": 1, "interval_start": 0.1, "interval_step": 0.2, "interval_max": 0.3}


class TimedService:
    """Calls to one service. A call that fails or times out forgets its pending reply, so that a
    long broker outage cannot pile up waiters in the reply listener."""

    def __init__(self, rpc: ServiceClients, context_data: dict, name: str, timeout: float):
        self._rpc, self._context_data = rpc, context_data
        self._name, self._timeout = name, timeout

    def __getattr__(self, method: str):
        listener = self._rpc.reply_listener
        registered: list[str] = []

        def register(correlation_id):
            registered.append(correlation_id)
            return listener.register_for_reply(correlation_id)

        client = Client(self._rpc.publisher.publish, register, self._context_data,
                        self._name, method)

        def call(*args, **kwargs):
            try:
                with eventlet.Timeout(self._timeout):
                    return client(*args, **kwargs)
            except eventlet.Timeout:
                raise ServiceUnavailable(
                    f"the {self._name} service did not answer in {self._timeout:g} s") from None
            except (UnknownService, OSError, KombuError, AMQPError) as exc:
                raise ServiceUnavailable(f"the {self._name} service is unreachable") from exc
            finally:
                for correlation_id in registered:
                    listener.pending.pop(correlation_id, None)
                registered.clear()

        return call


class TimedClient:
    def __init__(self, rpc: ServiceClients, context_data: dict, timeout: float):
        self._rpc, self._context_data, self._timeout = rpc, context_data, timeout

    def __getattr__(self, service: str) -> TimedService:
        return TimedService(self._rpc, self._context_data, service, self._timeout)

    def with_timeout(self, timeout: float) -> TimedClient:
        return TimedClient(self._rpc, self._context_data, timeout)


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
        return TimedClient(self, worker_ctx.context_data, settings().rpc_timeout)
