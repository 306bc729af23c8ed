"""Portal accounts and global records (ID-4, ID-5): the account a client logs in with and the
record they own. Accounts are made by the invitations service (INV-4, INV-5) through
``create_portal_account``; one person, one account."""

from __future__ import annotations

from casework import callers
from casework.errors import AccountExists, CaseworkError, NotFound
from casework.rpc import rpc
from casework.validation import load
from contracts.identity import (
    GlobalRecordLinkSchema,
    GlobalRecordUpdateSchema,
    OrganizationPortalSchema,
    PortalAccountClaimedSchema,
    PortalAccountClaimSchema,
    PortalAccountCreateSchema,
    PortalAccountSchema,
    PortalProfileSchema,
)

from ..domain import (
    bumped_field_versions,
    global_record_changes,
    login_keys,
    new_id,
    normalise_email,
)
from ..passwords import hash_password
from ..queries import portal

ACCOUNT_CREATE = PortalAccountCreateSchema()
ACCOUNT = PortalAccountSchema()
PROFILE = PortalProfileSchema()
CLAIM = PortalAccountClaimSchema()
CLAIMED = PortalAccountClaimedSchema()
LINK = GlobalRecordLinkSchema()
GLOBAL_UPDATE = GlobalRecordUpdateSchema()
ORGANIZATION_PORTAL = OrganizationPortalSchema()


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
    def claim_portal_account(self, payload, address=None):
        """INV-4, INV-5: the account of ``email``: made now with ``password`` (and its global
        record), or, when the username has an account, proven by that account's password (401
        ``invalid_credentials`` otherwise): never a second account (ID-5). The agency record
        named by ``organization_id`` and ``record_id`` is linked to the global record."""
        data = load(CLAIM, payload)
        username = normalise_email(data["email"])
        password = data.pop("password")
        keys = login_keys(address, "portal", username)
        with self.db.read() as session:
            existing = portal.account_by_username(session, username)
        if existing is None:
            load(PortalAccountCreateSchema(only=("password",)), {"password": password})
            password_hash = hash_password(password)
        else:  # proving the account is a login: throttled like one (ID-3, S2)
            with self.db.read() as session:
                self._refuse_when_throttled(session, keys)
            self._check_password(existing, password, keys,
                                 "the password of the existing account is not right")
        with self.db.transaction() as uow:
            session = uow.session
            created = existing is None
            if created:
                account = {"account_id": new_id(), "global_record_id": new_id(),
                           "username": username}
                portal.insert_global_record(session, {
                    "id": account["global_record_id"], "first_name": data["first_name"],
                    "last_name": data["last_name"], "email": data["email"].strip(),
                    "phones": data["phones"],
                    "preferred_contact_methods": data["preferred_contact_methods"]})
                if not portal.insert_portal_account(session, {
                        "id": account["account_id"], "username": username,
                        "global_record_id": account["global_record_id"],
                        "password_hash": password_hash}):
                    raise _account_exists()  # lost a race: the caller tries again
                uow.emit("portal_account_created", {**account, "first_name": data["first_name"],
                                                    "active": True})
            else:
                account = {"account_id": str(existing["id"]),
                           "global_record_id": str(existing["global_record_id"]),
                           "username": username}
            if data["organization_id"] and data["record_id"]:
                portal.link_record(session, account["global_record_id"],
                                   str(data["organization_id"]), str(data["record_id"]))
        return CLAIMED.dump({**account, "created": created})

    @rpc(expected_exceptions=CaseworkError)
    def portal_username_taken(self, email):
        """Whether a portal account has this e-mail as its username (an invitation to it is
        accepted with that account's password, INV-4)."""
        if not isinstance(email, str) or len(email) > 320:
            return False
        with self.db.read() as session:
            return portal.username_taken(session, normalise_email(email))

    @rpc(expected_exceptions=CaseworkError)
    def link_global_record(self, payload):
        """ID-4: the agency record is a copy of the global record (an enrollment accepted onto
        an existing record, INV-5). Answers the links of the global record."""
        data = load(LINK, payload)
        with self.db.transaction() as uow:
            linked_to = portal.link_record(uow.session, str(data["global_record_id"]),
                                           str(data["organization_id"]), str(data["record_id"]))
        return {"global_record_id": linked_to}

    @rpc(expected_exceptions=CaseworkError)
    def organization_portal(self, organization_id):
        """An agency's portal settings, for the services that act on them (INV-1, ID-6)."""
        organization_id = callers.known_id(organization_id, "organization")
        with self.db.read() as session:
            found = portal.organization_portal(session, organization_id)
        if found is None:
            raise NotFound("organization not found")
        return ORGANIZATION_PORTAL.dump(found)

    @rpc(expected_exceptions=CaseworkError)
    def get_portal_profile(self, caller):
        """The account's username, its global record and its agency records (ID-6)."""
        caller = callers.portal(caller)
        with self.db.read() as session:
            found = portal.get_portal_profile(session, caller.account_id)
            links = portal.linked_records(session, caller.global_record_id) if found else []
        if found is None:
            raise NotFound("portal account not found")
        return PROFILE.dump({"account_id": found["account_id"], "username": found["username"],
                             "global_record": found, "records": [_link_view(link)
                                                                 for link in links]})

    @rpc(expected_exceptions=CaseworkError)
    def update_global_record(self, caller, payload):
        """ID-4: the client changes their global record; every linked agency record takes the
        change through ``global_record_updated``. The username stays as it was (ID-5)."""
        caller = callers.portal(caller)
        data = load(GLOBAL_UPDATE, payload)
        if "email" in data:
            data["email"] = data["email"].strip()
        with self.db.transaction() as uow:
            session = uow.session
            current = portal.lock_global_record(session, caller.global_record_id)
            if current is None:
                raise NotFound("portal account not found")
            changed = global_record_changes(current, data)
            if changed:
                version = current["version"] + 1
                field_versions = bumped_field_versions(current["field_versions"], changed,
                                                       version)
                portal.update_global_record(session, caller.global_record_id, {
                    **changed, "version": version, "field_versions": field_versions})
                links = portal.linked_records(session, caller.global_record_id)
                uow.emit("global_record_updated", {
                    "global_record_id": caller.global_record_id, "version": version,
                    "changes": changed,
                    "field_versions": {name: field_versions[name] for name in changed},
                    "linked_records": [{"organization_id": link["organization_id"],
                                        "record_id": link["record_id"]} for link in links]})
            found = portal.get_portal_profile(session, caller.account_id)
            links = portal.linked_records(session, caller.global_record_id)
        return PROFILE.dump({"account_id": found["account_id"], "username": found["username"],
                             "global_record": found, "records": [_link_view(link)
                                                                 for link in links]})


def _link_view(link: dict) -> dict:
    return {"record_id": link["record_id"], "organization_id": link["organization_id"],
            "organization_name": link["organization_name"], "portal_status": None,
            "features": link["portal_features"] if link["portal_enabled"] else []}
