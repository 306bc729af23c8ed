"""Typed errors with stable codes.

Services raise these from their domain; nameko carries them over RPC and, because every class is
registered with ``deserialize_to_instance``, the gateway receives the same class back and maps it
to HTTP once (``gateway/problems.py``). One class per stable ``code`` of API.md.
"""

from __future__ import annotations

import json

from nameko.exceptions import deserialize_to_instance


class CaseworkError(Exception):
    """Base of every error a client may see. ``status`` is the HTTP status it maps to.

    The positional args (detail, errors, extra) survive nameko's RPC serialisation, so the gateway
    rebuilds the same error with its field errors and extra members (e.g. ``retry_after``).
    """

    code = "error"
    status = 400
    title = "Request failed"

    def __init__(self, detail: str | None = None, errors: dict | None = None,
                 extra: dict | str | None = None):
        if isinstance(extra, str):  # rebuilt after an RPC: see below
            extra = json.loads(extra)
        self.detail = detail or self.title
        self.errors = errors or {}
        self.extra = extra or {}
        # nameko stringifies every non-string value of an exception's args on the way over RPC;
        # ``extra`` travels as JSON so that numbers (retry_after, counts) arrive as numbers
        super().__init__(self.detail, self.errors, json.dumps(self.extra, default=str))

    def __str__(self):
        return self.detail


_registry: dict[str, type[CaseworkError]] = {}


def error(code: str, status: int, title: str):
    """Declare a CaseworkError subclass with its stable code, status and title."""

    def wrap(cls):
        cls.code, cls.status, cls.title = code, status, title
        _registry[code] = cls
        return deserialize_to_instance(cls)

    return wrap


def by_code(code: str) -> type[CaseworkError]:
    return _registry[code]


@error("malformed_request", 400, "Malformed request")
class MalformedRequest(CaseworkError):
    pass


@error("validation_error", 422, "Validation failed")
class ValidationFailed(CaseworkError):
    pass


@error("unauthenticated", 401, "Authentication required")
class Unauthenticated(CaseworkError):
    pass


@error("invalid_credentials", 401, "Invalid credentials")
class InvalidCredentials(CaseworkError):
    pass


@error("permission_denied", 403, "Permission denied")
class PermissionDenied(CaseworkError):
    pass


@error("not_found", 404, "Not found")
class NotFound(CaseworkError):
    pass


@error("conflict", 409, "Conflict with the current state")
class Conflict(CaseworkError):
    pass


@error("duplicate_case_number", 409, "Case number already in use")
class DuplicateCaseNumber(CaseworkError):
    pass


@error("duplicate_slug", 409, "Organisation slug already in use")
class DuplicateSlug(CaseworkError):
    pass


@error("duplicate_email", 409, "E-mail already in use")
class DuplicateEmail(CaseworkError):
    pass


@error("record_has_financial_links", 409, "Record has sessions or payments")
class RecordHasFinancialLinks(CaseworkError):
    pass


@error("payload_too_large", 413, "Payload too large")
class PayloadTooLarge(CaseworkError):
    pass


@error("unsupported_media_type", 415, "Unsupported media type")
class UnsupportedMediaType(CaseworkError):
    pass


@error("rate_limited", 429, "Too many attempts")
class RateLimited(CaseworkError):
    pass


@error("service_unavailable", 503, "Service unavailable")
class ServiceUnavailable(CaseworkError):
    pass


@error("duplicate_role_name", 409, "Role name already in use")
class DuplicateRoleName(CaseworkError):
    pass


@error("role_in_use", 409, "Role still assigned to staff users")
class RoleInUse(CaseworkError):
    pass


@error("role_protected", 409, "The Agency Administrator role keeps agency_admin")
class RoleProtected(CaseworkError):
    pass


@error("last_administrator", 409, "The agency would be left without an administrator")
class LastAdministrator(CaseworkError):
    pass


@error("account_exists", 409, "A portal account with this username already exists")
class AccountExists(CaseworkError):
    pass


@error("duplicate_name", 409, "Name already in use")
class DuplicateName(CaseworkError):
    pass


@error("no_client_account", 409, "The record has no client account")
class NoClientAccount(CaseworkError):
    pass


@error("possible_duplicate_contact", 409, "A contact like this one already exists")
class PossibleDuplicateContact(CaseworkError):
    pass


@error("portal_not_enabled", 409, "The agency's portal is not enabled")
class PortalNotEnabled(CaseworkError):
    pass


@error("no_primary_email", 422, "The record has no primary e-mail")
class NoPrimaryEmail(CaseworkError):
    pass


@error("confirmation_required", 422, "Confirmation required")
class ConfirmationRequired(CaseworkError):
    pass


@error("already_has_account", 409, "The client already has portal access")
class AlreadyHasAccount(CaseworkError):
    pass


@error("invitation_invalid", 404, "Invitation link invalid")
class InvitationInvalid(CaseworkError):
    pass


@error("reset_invalid", 404, "Password reset link invalid")
class ResetInvalid(CaseworkError):
    pass


@error("client_inactive", 409, "The client is inactive")
class ClientInactive(CaseworkError):
    pass


@error("practitioner_busy", 409, "A practitioner already has a session at that time")
class PractitionerBusy(CaseworkError):
    pass


# --- requests to clients (REQ-1 to REQ-3) ---------------------------------------------------

@error("roi_active", 409, "The client has an active release of information")
class RoiActive(CaseworkError):
    pass


@error("no_portal_account", 409, "The client has no portal account")
class NoPortalAccount(CaseworkError):
    pass


@error("request_closed", 409, "The request is already fulfilled or cancelled")
class RequestClosed(CaseworkError):
    pass
