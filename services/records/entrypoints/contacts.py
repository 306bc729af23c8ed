"""Contacts (REC-12): they belong to the agency; a client links to them with contact types, one
relationship, an organisation reference and a connection role. Unlinking keeps the contact."""

from __future__ import annotations

from casework import cursors
from casework.callers import known_id, staff
from casework.dumping import page_dumper
from casework.errors import (
    CaseworkError,
    Conflict,
    NotFound,
    PossibleDuplicateContact,
    ValidationFailed,
)
from casework.rpc import rpc
from casework.validation import load
from contracts.records import (
    ContactCreateSchema,
    ContactPatchSchema,
    ContactQuerySchema,
    ContactSchema,
    LinkCreateSchema,
    LinkPatchSchema,
    LinkSchema,
)

from .. import domain
from ..queries import audit, contacts, records
from .common import one_dumper, request_id, require_record

contact_query, create_schema, patch_schema = (ContactQuerySchema(), ContactCreateSchema(),
                                              ContactPatchSchema())
link_schema, link_patch_schema = LinkCreateSchema(), LinkPatchSchema()
dump_contacts, dump_contact = page_dumper(ContactSchema()), one_dumper(ContactSchema())
dump_links = page_dumper(LinkSchema())
NEW_CONTACT = {"first_name": None, "last_name": None, "organisation_name": None, "email": None,
               "phones": [], "address": None}
LINK_FIELDS = ("contact_types", "relationship", "organisation_reference", "connection_role")


def _summary(contact: dict) -> dict:
    """A found contact as a problem member (only strings: extra members cross RPC as text)."""
    name = " ".join(p for p in (contact["first_name"], contact["last_name"]) if p)
    summary = {"id": str(contact["id"]), "name": name or contact["organisation_name"]}
    if contact["organisation_name"]:
        summary["organisation_name"] = contact["organisation_name"]
    if contact["email"]:
        summary["email"] = contact["email"]
    return summary


def _links_out(links: list[dict]) -> list[dict]:
    return dump_links([{**link, **domain.link_facts(link)} for link in links])


def _one_link(session, org: str, record_id: str, contact_id: str) -> dict:
    found = contacts.links(session, org, record_id, contact_id)
    if not found:
        raise NotFound("this contact is not linked to the record")
    return found[0]


class ContactEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def search_contacts(self, caller, params):
        """The search that comes first, so that an existing contact is linked rather than
        created twice: partial or misspelt name, organisation, e-mail or phone."""
        caller = staff(caller)
        query = load(contact_query, params)
        offset = cursors.offset(query["cursor"])
        q = " ".join((query["q"] or "").lower().split()) or None
        with self.db.read() as session:
            rows = contacts.search(session, caller.organization_id, q, offset=offset,
                                   limit=query["limit"])
        items, next_cursor = cursors.offset_page(rows, offset, query["limit"])
        return {"items": dump_contacts(items), "next_cursor": next_cursor}

    @rpc(expected_exceptions=CaseworkError)
    def create_contact(self, caller, payload):
        """A contact with the same e-mail or a very similar name is refused (409
        ``possible_duplicate_contact``, listing them) unless ``confirm_new`` is true."""
        caller = staff(caller)
        data = load(create_schema, payload)
        confirm_new = data.pop("confirm_new")
        contact = {**NEW_CONTACT, **data}
        domain.check_contact(contact)
        text = domain.contact_search_text(contact)
        with self.db.transaction() as uow:
            if not confirm_new:
                similar = contacts.likely_duplicates(uow.session, caller.organization_id,
                                                     contact, text)
                if similar:
                    raise PossibleDuplicateContact(
                        "a contact like this one exists already: link it, or send confirm_new "
                        "to create another", extra={
                            "possible_duplicates": [_summary(c) for c in similar]})
            row = contacts.create(uow.session, caller.organization_id, {
                **contact, "id": records.new_id(), "search_text": text,
                "created_by": caller.user_id})
        return dump_contact(row)

    @rpc(expected_exceptions=CaseworkError)
    def get_contact(self, caller, contact_id):
        caller, contact_id = staff(caller), known_id(contact_id, "contact")
        with self.db.read() as session:
            row = contacts.get(session, caller.organization_id, contact_id)
        if row is None:
            raise NotFound("contact not found")
        return dump_contact(row)

    @rpc(expected_exceptions=CaseworkError)
    def update_contact(self, caller, contact_id, payload):
        caller, contact_id = staff(caller), known_id(contact_id, "contact")
        data = load(patch_schema, payload)
        org = caller.organization_id
        with self.db.transaction() as uow:
            row = contacts.get(uow.session, org, contact_id, lock=True)
            if row is None:
                raise NotFound("contact not found")
            merged = {**row, **data}
            domain.check_contact(merged)
            if "address" in data:
                domain.check_address_kept(
                    data["address"], contacts.additional_address_links(uow.session, org,
                                                                       contact_id))
            row = contacts.change(uow.session, org, contact_id, {
                **data, "search_text": domain.contact_search_text(merged)})
        return dump_contact(row)

    @rpc(expected_exceptions=CaseworkError)
    def record_contacts(self, caller, record_id):
        caller, record_id = staff(caller), known_id(record_id)
        with self.db.transaction(rerunnable=True) as uow:
            require_record(uow.session, caller, record_id)
            found = contacts.links(uow.session, caller.organization_id, record_id)
            audit.write(uow.session, caller, caller.organization_id, record_id,
                        "contacts_read", request_id=request_id(caller, uow), call_id=uow.call_id)
        return {"items": _links_out(found), "next_cursor": None}

    @rpc(expected_exceptions=CaseworkError)
    def link_contact(self, caller, record_id, payload):
        caller, record_id = staff(caller), known_id(record_id)
        data = load(link_schema, payload)
        contact_id = str(data.pop("contact_id"))
        data["contact_types"] = list(dict.fromkeys(data["contact_types"]))
        org = caller.organization_id
        with self.db.transaction() as uow:
            require_record(uow.session, caller, record_id)
            contact = contacts.get(uow.session, org, contact_id, lock=True)
            if contact is None:
                raise ValidationFailed("unknown contact", {"contact_id": [
                    "not a contact of this agency"]})
            domain.check_link(data["contact_types"], contact["address"])
            if contacts.links(uow.session, org, record_id, contact_id):
                raise Conflict("this contact is linked to the record already; change the link")
            contacts.link(uow.session, org, {**data, "record_id": record_id,
                                             "contact_id": contact_id,
                                             "created_by": caller.user_id})
            audit.write(uow.session, caller, org, record_id, "contact_linked", {
                "contacts": {"old": None, "new": {"contact_id": contact_id, **data}}},
                request_id(caller, uow))
            return _links_out([_one_link(uow.session, org, record_id, contact_id)])[0]

    @rpc(expected_exceptions=CaseworkError)
    def update_contact_link(self, caller, record_id, contact_id, payload):
        caller, record_id = staff(caller), known_id(record_id)
        contact_id = known_id(contact_id, "contact")
        data = load(link_patch_schema, payload)
        if "contact_types" in data:
            data["contact_types"] = list(dict.fromkeys(data["contact_types"]))
        org = caller.organization_id
        with self.db.transaction() as uow:
            require_record(uow.session, caller, record_id)
            contacts.get(uow.session, org, contact_id, lock=True)
            before = _one_link(uow.session, org, record_id, contact_id)
            domain.check_link(data.get("contact_types", before["contact_types"]),
                                     before["contact"]["address"])
            changed = {k: {"old": before[k], "new": v} for k, v in data.items()
                       if before[k] != v}
            if changed:
                contacts.change_link(uow.session, org, record_id, contact_id, data)
                audit.write(uow.session, caller, org, record_id, "contact_link_changed",
                            {"contacts": {"contact_id": contact_id, **changed}},
                            request_id(caller, uow))
            return _links_out([_one_link(uow.session, org, record_id, contact_id)])[0]

    @rpc(expected_exceptions=CaseworkError)
    def unlink_contact(self, caller, record_id, contact_id):
        """The contact stays in the agency's contacts (REC-12)."""
        caller, record_id = staff(caller), known_id(record_id)
        contact_id = known_id(contact_id, "contact")
        org = caller.organization_id
        with self.db.transaction() as uow:
            require_record(uow.session, caller, record_id)
            before = _one_link(uow.session, org, record_id, contact_id)
            contacts.unlink(uow.session, org, record_id, contact_id)
            audit.write(uow.session, caller, org, record_id, "contact_unlinked", {
                "contacts": {"old": {"contact_id": contact_id, **{
                    k: before[k] for k in LINK_FIELDS}}, "new": None}},
                request_id(caller, uow))
