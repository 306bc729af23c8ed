"""Portal accounts and global records (ID-4, ID-5): the account a client logs in with and the
record they own. Accounts are made by the invitations service (INV-4, INV-5) through
``create_portal_account``; one person, one account."""

from __future__ import annotations

from casework.errors import AccountExists, CaseworkError, NotFound
from casework.rpc import rpc
from casework.validation import load

from . import repository
from .domain import PortalCaller, normalise_email
from .passwords import hash_password
from .schemas import create_portal_account_schema, global_record_schema


class PortalEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def create_portal_account(self, payload):
        """``{email, password, first_name, last_name, phones?, preferred_contact_methods?}`` ->
        ``{account_id, global_record_id, username}``; 409 ``account_exists`` when the e-mail is
        already someone's username (the caller then asks the person to log in instead)."""
        data = load(create_portal_account_schema, payload)
        username = normalise_email(data["email"])
        password_hash = hash_password(data.pop("password"))
        account_id, global_record_id = repository.new_id(), repository.new_id()
        with self.db.transaction() as uow:
            session = uow.session
            if repository.username_taken(session, username):
                raise AccountExists("a portal account with this username already exists",
                                    {"email": ["already has a portal account"]})
            repository.insert_global_record(session, {**data, "id": global_record_id,
                                                      "email": data["email"].strip()})
            if not repository.insert_portal_account(session, {
                    "id": account_id, "username": username, "global_record_id": global_record_id,
                    "password_hash": password_hash}):
                raise AccountExists("a portal account with this username already exists",
                                    {"email": ["already has a portal account"]})
            uow.emit("portal_account_created", {"account_id": account_id,
                                                "global_record_id": global_record_id,
                                                "username": username})
        return {"account_id": account_id, "global_record_id": global_record_id,
                "username": username}

    @rpc(expected_exceptions=CaseworkError)
    def get_portal_profile(self, caller):
        """The account's username and its global record."""
        caller = PortalCaller.from_rpc(caller)
        with self.db.transaction() as uow:
            found = repository.get_portal_profile(uow.session, caller.account_id)
        if found is None:
            raise NotFound("portal account not found")
        return {"account_id": str(found["account_id"]), "username": found["username"],
                "global_record": global_record_schema.dump(found)}
