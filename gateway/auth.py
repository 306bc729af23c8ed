"""Authentication and permission checks of every request, by audience.

PLACEHOLDER (issue 2 only, replaced by the identity issue): a staff caller is read from
``Authorization: Bearer dev-staff:<organization_id>:<user_id>:<perm,perm>`` and only outside
production. The identity service's token check replaces it.
"""

from __future__ import annotations

import hmac
import uuid

from nameko.extensions import DependencyProvider

from casework.config import settings
from casework.errors import PermissionDenied, Unauthenticated


def bearer_token(request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class Authenticator:
    def __init__(self, rpc):
        self.rpc = rpc

    def authenticate(self, route, request, request_id: str) -> dict | None:
        if route.audience in ("public", "ops"):
            return None
        token = bearer_token(request)
        if token is None:
            raise Unauthenticated("send Authorization: Bearer <token>")
        if route.audience == "operator":
            if not hmac.compare_digest(token.encode(), settings().operator_token.encode()):
                raise Unauthenticated("invalid operator token")
            return {"kind": "operator", "request_id": request_id}
        caller = self._placeholder_staff(token)
        caller["request_id"] = request_id
        if route.permission and not (
            route.permission in caller["permissions"]
            or "agency_admin" in caller["permissions"]
        ):
            raise PermissionDenied(f"this needs the {route.permission} permission")
        return caller

    @staticmethod
    def _placeholder_staff(token: str) -> dict:
        if settings().environment == "production" or not token.startswith("dev-staff:"):
            raise Unauthenticated("invalid or expired token")
        try:
            _, org, user, perms = token.split(":", 3)
            return {"kind": "staff", "organization_id": str(uuid.UUID(org)),
                    "user_id": str(uuid.UUID(user)),
                    "permissions": [p for p in perms.split(",") if p]}
        except ValueError:
            raise Unauthenticated("invalid or expired token") from None


class Auth(DependencyProvider):
    """``self.auth.authenticate(route, request, request_id)`` -> the caller passed to services."""

    def __init__(self, rpc_attr: str = "rpc"):
        self.rpc_attr = rpc_attr

    def get_dependency(self, worker_ctx):
        return Authenticator(getattr(worker_ctx.service, self.rpc_attr))


class RequestContext(DependencyProvider):
    """The worker context of an HTTP request (its context data carries the correlation id)."""

    def get_dependency(self, worker_ctx):
        return worker_ctx
