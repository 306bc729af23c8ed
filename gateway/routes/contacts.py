"""Staff routes of agency contacts and their links to clients (REC-12)."""

from __future__ import annotations

from contracts.records import (
    ContactCreateSchema,
    ContactPageSchema,
    ContactPatchSchema,
    ContactQuerySchema,
    ContactSchema,
    LinkCreateSchema,
    LinkPageSchema,
    LinkPatchSchema,
    LinkSchema,
)

from ..routing import route

CONTACTS = "/api/v1/staff/contacts"
LINKS = "/api/v1/staff/records/<record_id>/contacts"


class ContactRoutes:
    @route("GET", CONTACTS, audience="staff", query=ContactQuerySchema(),
           responses={200: ContactPageSchema}, tag="contacts")
    def search_contacts(self, call, query):
        """Search the agency's contacts before adding one (partial or misspelt name,
        organisation, e-mail, phone), so that an existing contact is linked, not doubled."""
        return self.rpc.records.search_contacts(call.caller, query)

    @route("POST", CONTACTS, audience="staff", body=ContactCreateSchema(),
           responses={201: ContactSchema}, errors=(409,), tag="contacts")
    def create_contact(self, call, body):
        """A new agency contact; 409 ``possible_duplicate_contact`` (with
        ``possible_duplicates``) unless ``confirm_new``."""
        return 201, self.rpc.records.create_contact(call.caller, body)

    @route("GET", f"{CONTACTS}/<contact_id>", audience="staff", responses={200: ContactSchema},
           tag="contacts")
    def get_contact(self, call, contact_id):
        """One agency contact."""
        return self.rpc.records.get_contact(call.caller, contact_id)

    @route("PATCH", f"{CONTACTS}/<contact_id>", audience="staff", body=ContactPatchSchema(),
           responses={200: ContactSchema}, tag="contacts")
    def update_contact(self, call, contact_id, body):
        """Change a contact; its address stays mandatory while it is an additional address."""
        return self.rpc.records.update_contact(call.caller, contact_id, body)

    @route("GET", LINKS, audience="staff", responses={200: LinkPageSchema}, tag="contacts")
    def record_contacts(self, call, record_id):
        """The record's contacts with their links (an audited read)."""
        return self.rpc.records.record_contacts(call.caller, record_id)

    @route("POST", LINKS, audience="staff", body=LinkCreateSchema(),
           responses={201: LinkSchema}, errors=(409,), tag="contacts")
    def link_contact(self, call, record_id, body):
        """Link an agency contact to the record; 409 if linked already."""
        return 201, self.rpc.records.link_contact(call.caller, record_id, body)

    @route("PATCH", f"{LINKS}/<contact_id>", audience="staff", body=LinkPatchSchema(),
           responses={200: LinkSchema}, tag="contacts")
    def update_contact_link(self, call, record_id, contact_id, body):
        """Change the link's contact types, relationship, reference or connection role."""
        return self.rpc.records.update_contact_link(call.caller, record_id, contact_id,
                                                    body)

    @route("DELETE", f"{LINKS}/<contact_id>", audience="staff", responses={204: None},
           tag="contacts")
    def unlink_contact(self, call, record_id, contact_id):
        """Remove the contact from the record; the contact stays in the agency."""
        self.rpc.records.unlink_contact(call.caller, record_id, contact_id)
        return 204, None
