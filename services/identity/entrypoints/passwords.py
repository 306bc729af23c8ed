"""Changing a password, and resetting a forgotten one by an e-mailed single-use link.

A change proves the current password (throttled like a login: the same counters and locks). A
reset request answers the same whether or not the account exists, and after the same minimum
time (``RESET_ANSWER_SECONDS``: queueing the e-mail takes a few milliseconds the unknown case
would not), so it tells nobody which accounts exist. The link's token follows the invitations'
rules (256 random bits, kept as a SHA-256, single use, expiring, a new request voids the earlier
ones). A change and a reset both revoke every token of the account and void its other links. An
account gets at most ``CASEWORK_RESET_EMAILS_PER_HOUR`` reset e-mails an hour; a request beyond
that answers the same and sends nothing, so nobody can fill a person's mailbox with links.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import eventlet
from nameko.exceptions import RemoteError

from casework import callers
from casework.config import settings
from casework.errors import CaseworkError, ResetInvalid
from casework.rpc import rpc
from casework.validation import load
from contracts.identity import (
    PasswordChangeSchema,
    PasswordResetRequestSchema,
    PasswordResetSchema,
)

from ..domain import (
    RESET_ANSWER_SECONDS,
    RESET_TTL_SECONDS,
    LoginKeys,
    account_key,
    address_key,
    new_token,
    normalise_email,
    reset_link,
    token_digest,
)
from ..passwords import hash_password
from ..queries import passwords, portal, staff, throttling
from .access import now

log = logging.getLogger(__name__)
PASSWORD_CHANGE = PasswordChangeSchema()
RESET_REQUEST = PasswordResetRequestSchema()
RESET = PasswordResetSchema()
CURRENT_MISMATCH = "the current password is not right"
RESET_INVALID = "this password reset link is unknown, used, replaced or expired"
MAX_TOKEN_LENGTH = 200


def account_of(raw) -> tuple[str, str]:
    """("staff", user id) or ("portal", account id) of a signed caller, or 403."""
    if isinstance(raw, dict) and raw.get("kind") == "staff":
        return "staff", callers.staff(raw).user_id
    return "portal", callers.portal(raw).account_id


def throttle_key(kind: str, account: dict) -> str:
    """The per-account key its logins count failures on (access.py)."""
    if kind == "staff":
        return account_key("staff", account["slug"], account["email"])
    return account_key("portal", account["username"])


def throttle_keys(kind: str, account: dict | None, owner_id: str, address) -> LoginKeys:
    """What a password change is counted and checked on: the same keys as the account's logins
    from that address, so that guessing the current password is throttled like a login."""
    account_part = throttle_key(kind, account) if account else f"{kind}:{owner_id}"
    return LoginKeys(account_part, address_key(address))



class ResetEmailNotQueued(Exception):
    """The reset e-mail could not be queued (notifications did not take it): the request's
    transaction rolls back and the request answers as any other."""

class PasswordEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def change_password(self, caller, payload, address=None):
        """``{current_password, new_password}`` for the caller's own account (staff or portal):
        a wrong current password answers 401 ``invalid_credentials`` and counts like a failed
        login; then every token of the account, this one too, stops working."""
        kind, owner_id = account_of(caller)
        data = load(PASSWORD_CHANGE, payload)
        with self.db.transaction(rerunnable=True) as uow:
            account = (passwords.staff_account(uow.session, owner_id) if kind == "staff"
                       else passwords.portal_account(uow.session, owner_id))
            keys = throttle_keys(kind, account, owner_id, address)
            self._refuse_when_throttled(uow.session, keys)
        self._check_password(account, data["current_password"], keys, CURRENT_MISMATCH)
        password_hash = hash_password(data["new_password"])
        moment = now()
        with self.db.transaction() as uow:
            throttling.logged_in(uow.session, keys, moment)
            self._set_password(uow.session, kind, owner_id, password_hash, moment)

    @rpc(expected_exceptions=CaseworkError)
    def request_password_reset(self, payload):
        """``{email, organization?}`` -> None, whether or not such an account exists: a staff
        user is named by agency slug and e-mail, a client by portal username. A known, active
        account gets an e-mail with a link (``password_reset``) that voids its earlier ones."""
        started = time.monotonic()
        data = load(RESET_REQUEST, payload)
        email = normalise_email(data["email"])
        slug = data["organization"].strip().lower() if data["organization"] else None
        token, digest = new_token()
        moment = now()
        expires_at = moment + timedelta(seconds=RESET_TTL_SECONDS)
        # rerunnable: committed before the wait below (no connection held while waiting); a
        # rerun keeps the token and the e-mail's key made above, so it queues one e-mail, and
        # a redelivered request makes a new link that voids this one
        try:
            self._reset_and_queue(slug, email, digest, token, expires_at, moment)
        except ResetEmailNotQueued:
            # nothing was kept (rolled back): answer as for any other request, or a 503 would
            # say that the account exists. Logged where it failed; the person asks again.
            pass
        eventlet.sleep(max(0.0, RESET_ANSWER_SECONDS - (time.monotonic() - started)))

    def _reset_and_queue(self, slug, email, digest, token, expires_at, moment) -> None:
        with self.db.transaction(rerunnable=True) as uow:
            if slug:
                account = passwords.staff_for_reset(uow.session, slug, email)
                kind = "staff"
            else:
                account = passwords.portal_for_reset(uow.session, email)
                kind = "portal"
            if account is not None and passwords.resets_since(
                    uow.session, kind, account["id"],
                    moment - timedelta(hours=1)) >= settings().reset_emails_per_hour:
                # the same answer, and nothing sent: nobody fills a mailbox with reset links
                log.warning("password reset e-mails of %s account %s are capped this hour",
                            kind, account["id"])
            elif account is not None:
                passwords.void_resets(uow.session, kind, account["id"], moment)
                passwords.insert_reset(uow.session, digest=digest, kind=kind,
                                       owner_id=account["id"], expires_at=expires_at)
                self._queue_reset_email(account, kind, token, digest, expires_at)

    @rpc(expected_exceptions=CaseworkError)
    def reset_password(self, token, payload):
        """``{password}`` through a reset link's token: sets the password once, then the link,
        every other link and every token of the account stop working. Unknown, used, replaced
        and expired links all answer 404 ``reset_invalid``."""
        data = load(RESET, payload)
        if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_LENGTH:
            raise ResetInvalid(RESET_INVALID)
        digest = token_digest(token)
        with self.db.read() as session:
            usable = passwords.usable_reset(session, digest, now())
        if usable is None:
            raise ResetInvalid(RESET_INVALID)
        password_hash = hash_password(data["password"])  # outside any transaction (argon2)
        moment = now()
        with self.db.transaction() as uow:
            used = passwords.use_reset(uow.session, digest, moment)
            if used is None:  # used or replaced meanwhile
                raise ResetInvalid(RESET_INVALID)
            kind = used["kind"]
            owner_id = str(used["user_id"] if kind == "staff" else used["account_id"])
            account = (passwords.staff_account(uow.session, owner_id) if kind == "staff"
                       else passwords.portal_account(uow.session, owner_id))
            throttling.clear_failures(uow.session, "account", throttle_key(kind, account))
            self._set_password(uow.session, kind, owner_id, password_hash, moment)

    def _set_password(self, session, kind: str, owner_id: str, password_hash: str,
                      moment) -> None:
        if kind == "staff":
            staff.set_password_hash(session, owner_id, password_hash)
        else:
            portal.set_password_hash(session, owner_id, password_hash)
        passwords.void_resets(session, kind, owner_id, moment)
        passwords.revoke_account_tokens(session, kind, owner_id, moment)

    def _queue_reset_email(self, account: dict, kind: str, token: str, digest: str,
                           expires_at) -> None:
        message = {
            "key": f"password-reset:{digest}", "to": account["email"],
            "organization_id": str(account["organization_id"]) if kind == "staff" else None,
            "template": "password_reset",
            "context": {"link": reset_link(settings().portal_url, token),
                        "expires_at": expires_at.isoformat()}}
        try:
            self.notifications.send_email(message)
        except RemoteError as exc:  # not queued: keep nothing (the request answers as usual)
            log.error("password reset e-mail not queued: %s", exc.exc_type)
            raise ResetEmailNotQueued from None
