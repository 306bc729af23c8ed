"""Authentication and permission checks of every request, by audience.

A bearer token is checked by the identity service (``authenticate``, by the token's SHA-256: the
token itself never crosses the bus) and the answer is cached in this gateway process for
``CASEWORK_TOKEN_CACHE_SECONDS`` (never beyond the token's expiry), so that a request with a
recently seen token costs no broker round trip for auth (QUALITY P1). Revocation elsewhere (a
logout served by another gateway instance, a deactivated user) therefore takes effect within that
window; a logout evicts the token from this instance's cache at once. The cache holds at most
``CASEWORK_TOKEN_CACHE_ENTRIES`` tokens, dropping the least recently used.

The caller passed to the services is signed (``casework.callers.sign``): the services act only on
a caller the gateway made.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from collections import OrderedDict
from datetime import UTC, datetime

from nameko.extensions import DependencyProvider

from casework.callers import sign
from casework.config import settings
from casework.errors import PermissionDenied, Unauthenticated

MAX_TOKEN_LENGTH = 512
ADMIN = "agency_admin"
# the kinds of caller each token audience lets in: ``signed_in`` routes act on the bearer's own
# account, whoever they are
KINDS = {"staff": ("staff",), "portal": ("portal",), "signed_in": ("staff", "portal")}


def bearer_token(request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def client_address(request) -> str | None:
    """The client's address for login throttling. ``X-Forwarded-For`` counts only when the peer is
    a configured trusted proxy (anyone can write that header), and then its right-most address
    that is not itself a trusted proxy."""
    peer = request.remote_addr
    trusted = settings().trusted_proxies
    if peer not in trusted:
        return peer
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted and _is_address(hop):
            return hop
    return peer


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


class TokenCache:
    """Checked callers by token digest, each trusted until ``min(ttl, token expiry)``."""

    def __init__(self, max_entries: int, ttl: float, clock=time.monotonic):
        self.max_entries = max(1, max_entries)
        self.ttl = ttl
        self.clock = clock
        self._entries: OrderedDict[str, tuple[float, dict]] = OrderedDict()

    def __len__(self):
        return len(self._entries)

    def get(self, digest: str) -> dict | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        valid_until, caller = entry
        if self.clock() >= valid_until:
            self._entries.pop(digest, None)
            return None
        self._entries.move_to_end(digest)
        return caller

    def put(self, digest: str, caller: dict, seconds_left: float) -> None:
        lifetime = min(self.ttl, seconds_left)
        if lifetime <= 0:
            return
        self._entries[digest] = (self.clock() + lifetime, caller)
        self._entries.move_to_end(digest)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def forget(self, digest: str) -> None:
        self._entries.pop(digest, None)


def seconds_until(moment: str) -> float:
    expires = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return (expires - datetime.now(UTC)).total_seconds()


class Authenticator:
    def __init__(self, service, rpc_attr: str, cache: TokenCache):
        self._service, self._rpc_attr = service, rpc_attr
        self.cache = cache

    @property
    def rpc(self):
        # looked up at call time: dependencies are injected in no set order, so the worker's RPC
        # client may not be in place yet when this one is made
        return getattr(self._service, self._rpc_attr)

    def authenticate(self, route, request, request_id: str) -> dict | None:
        if route.audience in ("public", "ops"):
            return None
        token = bearer_token(request)
        if token is None:
            raise Unauthenticated("send Authorization: Bearer <token>")
        if route.audience == "operator":
            if not hmac.compare_digest(token.encode(), settings().operator_token.encode()):
                raise Unauthenticated("invalid operator token")
            return sign({"kind": "operator", "request_id": request_id})
        caller = self.caller_for(token)
        if caller["kind"] not in KINDS[route.audience]:
            raise Unauthenticated(f"this route needs a {' or '.join(KINDS[route.audience])} "
                                  "token")
        if route.permission and not (route.permission in caller["permissions"]
                                     or ADMIN in caller["permissions"]):
            raise PermissionDenied(f"this needs the {route.permission} permission")
        # signed for the services (casework.callers): local HMAC, no broker round trip
        return sign({**caller, "request_id": request_id})

    def caller_for(self, token: str) -> dict:
        if len(token) > MAX_TOKEN_LENGTH:
            raise Unauthenticated("invalid or expired token")
        digest = token_digest(token)
        caller = self.cache.get(digest)
        if caller is None:
            answer = self.rpc.identity.authenticate(digest)
            expires_at = answer.pop("expires_at")
            caller = answer
            self.cache.put(digest, caller, seconds_until(expires_at))
        return caller

    def logout(self, token: str) -> None:
        """Revoke the token, and forget it here at once (other gateways within the cache TTL)."""
        if len(token) > MAX_TOKEN_LENGTH:
            raise Unauthenticated("invalid or expired token")
        digest = token_digest(token)
        self.cache.forget(digest)
        self.rpc.identity.revoke_token(digest)


class Auth(DependencyProvider):
    """``self.auth.authenticate(route, request, request_id)`` -> the caller passed to services;
    one token cache per gateway process."""

    def __init__(self, rpc_attr: str = "rpc"):
        self.rpc_attr = rpc_attr

    def setup(self):
        s = settings()
        self.cache = TokenCache(s.token_cache_entries, s.token_cache_seconds)

    def get_dependency(self, worker_ctx):
        return Authenticator(worker_ctx.service, self.rpc_attr, self.cache)


class RequestContext(DependencyProvider):
    """The worker context of an HTTP request (its context data carries the correlation id)."""

    def get_dependency(self, worker_ctx):
        return worker_ctx
