"""Login, token checks and logout (ID-3, QUALITY S2 and S3).

A login reads in one short transaction, verifies the password outside any transaction (argon2
takes tens of milliseconds and must not hold a database connection), then writes in a second one.
Unknown users are verified against a dummy hash and counted like wrong passwords, so both answer
the same, in the same time, and are throttled the same way. Throttling slows the attacker, not the
owner (domain.py, "login throttling"): per (account, address), per address, and a soft
account-wide limit that never refuses an address the account logged in from before.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from casework.config import settings
from casework.errors import CaseworkError, InvalidCredentials, RateLimited, Unauthenticated
from casework.rpc import rpc
from casework.validation import load
from contracts.identity import (
    PortalLoginSchema,
    StaffLoginSchema,
    StaffTokenSchema,
    TokenCallerSchema,
    TokenSchema,
)

from ..domain import (
    ThrottlePolicy,
    is_digest,
    login_keys,
    new_token,
    normalise_email,
    retry_after,
    user_view,
)
from ..passwords import hash_password, needs_rehash, verify_password
from ..queries import portal, staff, throttling, tokens

STAFF_LOGIN = StaffLoginSchema()
PORTAL_LOGIN = PortalLoginSchema()
STAFF_TOKEN = StaffTokenSchema()
TOKEN = TokenSchema()
TOKEN_CALLER = TokenCallerSchema()
STAFF_MISMATCH = "the organisation, e-mail or password is not right"
PORTAL_MISMATCH = "the username or password is not right"


def now() -> datetime:
    return datetime.now(UTC)


def throttle_policy() -> ThrottlePolicy:
    s = settings()
    return ThrottlePolicy(s.login_max_failures_per_account, s.login_max_failures_per_address,
                          s.login_lockout_seconds)


class AccessEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def staff_login(self, payload, address=None):
        """``{organization: slug, email, password}`` -> a staff token and the user. Rerunnable:
        the reply holds the token, which is never stored in clear (a redelivered login issues
        another, and the first one, never delivered, is never used)."""
        data = load(STAFF_LOGIN, payload)
        slug, email = data["organization"].strip().lower(), normalise_email(data["email"])
        keys = login_keys(address, "staff", slug, email)
        with self.db.transaction(rerunnable=True) as uow:
            self._refuse_when_throttled(uow.session, keys)
            user = staff.login_candidate(uow.session, slug, email)
        self._check_password(user, data["password"], keys, STAFF_MISMATCH)
        rehash = hash_password(data["password"]) if needs_rehash(user["password_hash"]) else None
        token, digest = new_token()
        expires_at = now() + timedelta(seconds=settings().token_ttl_seconds)
        with self.db.transaction(rerunnable=True) as uow:
            throttling.logged_in(uow.session, keys, now())
            if rehash:
                staff.set_password_hash(uow.session, user["id"], rehash)
            tokens.insert_token(uow.session, digest=digest, kind="staff", expires_at=expires_at,
                                organization_id=user["organization_id"], user_id=user["id"])
            profile = staff.get_user(uow.session, user["organization_id"], user["id"])
        return STAFF_TOKEN.dump({"access_token": token, "token_type": "Bearer",
                                 "expires_at": expires_at, "user": user_view(profile)})

    @rpc(expected_exceptions=CaseworkError)
    def portal_login(self, payload, address=None):
        """``{username, password}`` -> a portal token."""
        data = load(PORTAL_LOGIN, payload)
        username = normalise_email(data["username"])
        keys = login_keys(address, "portal", username)
        with self.db.transaction(rerunnable=True) as uow:
            self._refuse_when_throttled(uow.session, keys)
            account = portal.login_candidate(uow.session, username)
        self._check_password(account, data["password"], keys, PORTAL_MISMATCH)
        rehash = (hash_password(data["password"]) if needs_rehash(account["password_hash"])
                  else None)
        token, digest = new_token()
        expires_at = now() + timedelta(seconds=settings().token_ttl_seconds)
        with self.db.transaction(rerunnable=True) as uow:
            throttling.logged_in(uow.session, keys, now())
            if rehash:
                portal.set_password_hash(uow.session, account["id"], rehash)
            tokens.insert_token(uow.session, digest=digest, kind="portal", expires_at=expires_at,
                                account_id=account["id"])
        return TOKEN.dump({"access_token": token, "token_type": "Bearer",
                           "expires_at": expires_at})

    @rpc(expected_exceptions=CaseworkError)
    def authenticate(self, token_digest):
        """The caller a token stands for, by the SHA-256 of the token (the gateway never sends
        the token itself over the bus). ``expires_at`` bounds how long the gateway may cache it."""
        if not is_digest(token_digest):
            raise Unauthenticated("invalid or expired token")
        with self.db.read() as session:
            caller = tokens.token_caller(session, token_digest, now())
        if caller is None:
            raise Unauthenticated("invalid or expired token")
        return TOKEN_CALLER.dump(caller)

    @rpc(expected_exceptions=CaseworkError)
    def revoke_token(self, token_digest):
        """Logout: the token stops working at once here, and in gateways after their cache."""
        if not is_digest(token_digest):
            raise Unauthenticated("invalid or expired token")
        with self.db.transaction() as uow:
            revoked = tokens.revoke_token(uow.session, token_digest, now())
        if not revoked:
            raise Unauthenticated("invalid or expired token")

    def _refuse_when_throttled(self, session, keys) -> None:
        moment = now()
        known = throttling.is_known_address(session, keys)
        until = throttling.locked_until(session, keys.checked(known), moment)
        if until is not None:
            raise RateLimited("too many failed logins; try again later",
                              extra={"retry_after": retry_after(until, moment)})

    def _check_password(self, candidate: dict | None, password: str, keys, detail: str) -> None:
        matched = verify_password(candidate["password_hash"] if candidate else None, password)
        if matched and candidate["active"]:
            return
        policy, moment = throttle_policy(), now()
        with self.db.transaction() as uow:
            for scope, key in keys.counted():
                throttling.record_failure(uow.session, scope, key, moment, policy)
        raise InvalidCredentials(detail)
