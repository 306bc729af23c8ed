"""Portal accounts and global records (ID-4, ID-5): the account a client logs in with and the
record they own. Accounts are made by the invitations service (INV-4, INV-5) through
``create_portal_account``; one person, one account."""

from __future__ import annotations

from casework import callers
from casework.errors import AccountExists, CaseworkError, NotFound
from casework.rpc import rpc
from casework.validation import load
from contracts.identity import PortalAccountCreateSchema, PortalAccountSchema, PortalProfileSchema

from ..domain import new_id, normalise_email
from ..passwords import hash_password
from ..queries import portal

ACCOUNT_CREATE = PortalAccountCreateSchema()
ACCOUNT = PortalAccountSchema()
PROFILE = PortalProfileSchema()


def _account_exists() -> AccountExists:
    return AccountExists("a portal account with this username already exists",
                         {"email": ["already has a portal account"]})


class PortalEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def create_portal_account(self, payload):
        """``{email, password, first_name, last_name, phones?, preferred_contact_methods?}`` ->
        ``{account_id, global_record_id, username}``; 409 ``account_exists`` when the e-mail is
        already someone's username (the caller then asks the person to log in instead)."""
        data = load(ACCOUNT_CREATE, payload)
        username = normalise_email(data["email"])
        password_hash = hash_password(data.pop("password"))
        account = {"account_id": new_id(), "global_record_id": new_id(), "username": username}
        with self.db.transaction() as uow:
            session = uow.session
            if portal.username_taken(session, username):
                raise _account_exists()
            portal.insert_global_record(session, {**data, "id": account["global_record_id"],
                                                  "email": data["email"].strip()})
            if not portal.insert_portal_account(session, {
                    "id": account["account_id"], "username": username,
                    "global_record_id": account["global_record_id"],
                    "password_hash": password_hash}):
                raise _account_exists()
            # first_name and active: what the welcome e-mail needs (notifications, NOT-4)
            uow.emit("portal_account_created", {**account, "first_name": data["first_name"],
                                                "active": True})
        return ACCOUNT.dump(account)

    @rpc(expected_exceptions=CaseworkError)
    def get_portal_profile(self, caller):
        """The account's username and its global record."""
        caller = callers.portal(caller)
        with self.db.read() as session:
            found = portal.get_portal_profile(session, caller.account_id)
        if found is None:
            raise NotFound("portal account not found")
        return PROFILE.dump({"account_id": found["account_id"], "username": found["username"],
                             "global_record": found})
