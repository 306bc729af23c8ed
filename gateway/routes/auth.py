"""Authentication routes of API.md "Authentication": staff and portal login, logout."""

from __future__ import annotations

from contracts.identity import (
    PasswordChangeSchema,
    PasswordResetRequestSchema,
    PasswordResetSchema,
    PortalLoginSchema,
    StaffLoginSchema,
    StaffTokenSchema,
    TokenSchema,
)

from ..auth import bearer_token, client_address, token_digest
from ..routing import route


class AuthRoutes:
    @route("POST", "/api/v1/auth/staff/login", audience="public", body=StaffLoginSchema(),
           responses={200: StaffTokenSchema}, tag="authentication",
           errors=(401, 429))
    def staff_login(self, call, body):
        """A staff token for one agency. Unknown users and wrong passwords get the same 401
        ``invalid_credentials``; repeated failures per account and per address get 429
        ``rate_limited`` with ``Retry-After``."""
        return self.rpc.identity.staff_login(body, client_address(call.request))

    @route("POST", "/api/v1/auth/portal/login", audience="public", body=PortalLoginSchema(),
           responses={200: TokenSchema}, tag="authentication",
           errors=(401, 429))
    def portal_login(self, call, body):
        """A portal (client) token; throttled like staff login."""
        return self.rpc.identity.portal_login(body, client_address(call.request))

    @route("POST", "/api/v1/auth/logout", audience="signed_in", responses={204: None},
           tag="authentication")
    def logout(self, call):
        """Revoke the bearer token (staff or portal) of this request."""
        self.auth.logout(bearer_token(call.request))
        return 204, None

    @route("POST", "/api/v1/auth/password", audience="signed_in", body=PasswordChangeSchema(),
           responses={204: None}, tag="authentication", errors=(422, 429))
    def change_password(self, call, body):
        """Change the password of the bearer's own account, staff or portal (any token). A
        wrong ``current_password`` gets 401 ``invalid_credentials`` and counts like a failed
        login (429 ``rate_limited`` once locked). Every token of the account, this one too,
        stops working: log in again with the new password."""
        self.rpc.identity.change_password(call.caller, body, client_address(call.request))
        self.auth.cache.forget(token_digest(bearer_token(call.request)))
        return 204, None

    @route("POST", "/api/v1/auth/password-reset", audience="public",
           body=PasswordResetRequestSchema(), responses={202: None}, tag="authentication")
    def request_password_reset(self, call, body):
        """Ask for a password reset link by e-mail: ``organization`` (the agency's slug) and
        ``email`` for staff, ``email`` (the portal username) alone for a client. Always 202,
        after the same time, whether or not such an account exists; a known account gets a
        single-use link valid for one hour that voids its earlier links."""
        self.rpc.identity.request_password_reset(body)
        return 202, None

    @route("POST", "/api/v1/auth/password-reset/<token>", audience="public",
           body=PasswordResetSchema(), responses={204: None}, tag="authentication",
           errors=(404,))
    def reset_password(self, call, token, body):
        """Set a new password through the link of a reset e-mail. Every token of the account
        stops working. An unknown, used, replaced or expired link gets 404 ``reset_invalid``."""
        self.rpc.identity.reset_password(token, body)
        return 204, None
