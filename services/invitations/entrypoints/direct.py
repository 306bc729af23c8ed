"""Direct invitations (INV-1 to INV-4): staff invite a record's client; the client opens the
link (public) and accepts it with a password."""

from __future__ import annotations

from casework import callers
from casework.config import settings
from casework.errors import AlreadyHasAccount, CaseworkError, InvitationInvalid, NotFound
from casework.rpc import rpc
from casework.validation import load
from contracts.invitations import (
    InvitationAcceptedSchema,
    InvitationAcceptSchema,
    InvitationCreateSchema,
    InvitationSentSchema,
    InvitationViewSchema,
)

from .. import domain
from ..queries import invitations
from .common import now, queue_email

CREATE, ACCEPT = InvitationCreateSchema(), InvitationAcceptSchema()
SENT, VIEW, ACCEPTED = InvitationSentSchema(), InvitationViewSchema(), InvitationAcceptedSchema()
INVITE = "client_account_invitations"


def _digest(token) -> str:
    """The token's SHA-256; anything that cannot be a token answers like an unknown one."""
    if not isinstance(token, str) or not 1 <= len(token) <= 200:
        raise InvitationInvalid("this invitation link is unknown, used, replaced or expired")
    return domain.token_digest(token)


def _sent(row: dict) -> dict:
    return SENT.dump({"invitation_id": row["id"], "record_id": row["record_id"],
                      "status": "sent", "email": row["email"], "sent_at": row["sent_at"],
                      "expires_at": row["expires_at"], "sends": row["sends"]})


class DirectInvitationEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def send_invitation(self, caller, record_id, payload):
        """INV-1, INV-2: a single-use link to the record's primary e-mail, valid for the agency's
        ``invitation_ttl_hours``; any earlier link of the record stops working."""
        raw, caller = caller, callers.staff(caller)
        record_id = callers.known_id(record_id)
        caller.require(INVITE)
        data = load(CREATE, payload)
        target = self.records.invitation_target(raw, record_id)  # 404 for another agency's
        portal = self.identity.organization_portal(caller.organization_id)
        email = domain.check_invitable(portal, target, data["confirm"])
        org, moment = caller.organization_id, now()
        token, digest = domain.new_token()
        with self.db.transaction() as uow:
            session = uow.session
            invitations.lock_record_invitations(session, record_id)
            invitations.supersede(session, org, record_id)
            row = invitations.insert_invitation(session, {
                "id": domain.new_id(), "organization_id": org, "record_id": record_id,
                "organization_name": portal["name"], "email": email,
                "first_name": target["first_name"], "last_name": target["last_name"],
                "phones": target["phones"],
                "preferred_contact_methods": target["preferred_contact_methods"],
                "token_hash": digest, "sent_at": moment,
                "expires_at": domain.expiry(moment, portal["invitation_ttl_hours"]),
                "created_by": caller.user_id})
            self._send(uow, row, token)
        return _sent(row)

    @rpc(expected_exceptions=CaseworkError)
    def resend_invitation(self, caller, record_id):
        """INV-3: a new link to the address of the original invitation; every earlier link of
        the record stops working."""
        caller, record_id = callers.staff(caller), callers.known_id(record_id)
        caller.require(INVITE)
        org = caller.organization_id
        with self.db.read() as session:
            latest = invitations.latest(session, org, record_id)
        if latest is None or latest["status"] == "superseded":
            raise NotFound("this record has no invitation to resend")
        if latest["status"] == "accepted":
            raise AlreadyHasAccount("the client accepted the invitation already")
        portal = self.identity.organization_portal(org)
        domain.check_invitable(portal, {"portal_status": None, "global_record_id": None,
                                        "email": latest["email"]}, True)
        moment = now()
        token, digest = domain.new_token()
        with self.db.transaction() as uow:
            session = uow.session
            invitations.lock_record_invitations(session, record_id)
            current = invitations.latest(session, org, record_id, lock=True)
            if current is None or current["id"] != latest["id"] or \
                    current["status"] != "pending":
                raise NotFound("this record has no invitation to resend")
            row = invitations.resend(session, latest["id"], {
                "token_hash": digest, "sent_at": moment,
                "expires_at": domain.expiry(moment, portal["invitation_ttl_hours"])})
            self._send(uow, row, token)
        return _sent(row)

    def _send(self, uow, row: dict, token: str) -> None:
        """The e-mail is queued before the invitation commits (a failure rolls it back)."""
        queue_email(self.notifications, {
            "key": domain.email_key(str(row["id"]), row["sends"]),
            "organization_id": str(row["organization_id"]), "to": row["email"],
            "template": "invitation",
            "context": {"organization_name": row["organization_name"],
                        "link": domain.invitation_link(settings().portal_url, token),
                        "expires_at": row["expires_at"].isoformat()}})
        uow.emit("invitation_sent", {"invitation_id": row["id"], "record_id": row["record_id"],
                                     "email": row["email"]},
                 organization_id=str(row["organization_id"]))

    @rpc(expected_exceptions=CaseworkError)
    def get_invitation(self, token):
        """The public view of a link; 404 ``invitation_invalid`` when unknown, used, superseded
        or expired."""
        digest = _digest(token)
        with self.db.read() as session:
            row = domain.check_usable(invitations.by_token(session, digest), now())
        existing = self.identity.portal_username_taken(row["email"])
        return VIEW.dump({"organization_name": row["organization_name"], "email": row["email"],
                          "status": row["status"], "expires_at": row["expires_at"],
                          "existing_account": existing})

    @rpc(expected_exceptions=CaseworkError)
    def accept_invitation(self, token, payload, address=None):
        """INV-4: the account is made (or, for an address that has one, proven by its password)
        and the record linked to it. The invitation row is locked first: of concurrent accepts
        of one link exactly one succeeds, the others find it used (QUALITY F8)."""
        digest = _digest(token)
        data = load(ACCEPT, payload)
        with self.db.transaction() as uow:
            session = uow.session
            row = domain.check_usable(invitations.by_token(session, digest, lock=True), now())
            claimed = self.identity.claim_portal_account({
                "email": row["email"], "password": data["password"],
                "first_name": row["first_name"], "last_name": row["last_name"],
                "phones": row["phones"],
                "preferred_contact_methods": row["preferred_contact_methods"],
                "organization_id": str(row["organization_id"]),
                "record_id": str(row["record_id"])}, address)
            invitations.mark_accepted(session, row["id"], {
                "accepted_at": now(), "account_id": claimed["account_id"],
                "global_record_id": claimed["global_record_id"]})
            uow.emit("invitation_accepted", {
                "invitation_id": row["id"], "record_id": row["record_id"],
                "email": row["email"], "global_record_id": claimed["global_record_id"]},
                organization_id=str(row["organization_id"]))
        return ACCEPTED.dump({**claimed, "organization_id": row["organization_id"],
                              "record_id": row["record_id"]})

