"""Rules of agency contacts and their links to clients (REC-12), free of I/O."""

from __future__ import annotations

from enum import StrEnum

from casework.errors import ValidationFailed


class ContactType(StrEnum):
    GENERAL = "general"
    EMERGENCY = "emergency"
    NEXT_OF_KIN = "next_of_kin"
    GUARDIAN = "guardian"
    PROFESSIONAL = "professional"
    # the contact's address becomes mandatory: it serves as an additional address of the client
    ADDITIONAL_ADDRESS = "additional_address"
    # the contact may be chosen as the billing contact of the client's funding
    FINANCE_BILLING = "finance_billing"


def has_address(address: dict | None) -> bool:
    return bool(address and (address.get("line1") or "").strip())


def check_contact(contact: dict) -> None:
    if not ((contact.get("last_name") or "").strip()
            or (contact.get("organisation_name") or "").strip()):
        raise ValidationFailed("a contact needs a name", {
            "last_name": ["a last name or an organisation name is required"]})


def check_link(contact_types: list[str], address: dict | None) -> None:
    if ContactType.ADDITIONAL_ADDRESS in contact_types and not has_address(address):
        raise ValidationFailed("an additional-address contact needs an address", {
            "contact_types": ["additional_address needs the contact's address: add it to the "
                              "contact first"]})


def check_address_kept(address: dict | None, linked_as_additional_address: int) -> None:
    """A contact that is some client's additional address cannot lose its address."""
    if linked_as_additional_address and not has_address(address):
        raise ValidationFailed("the contact's address is in use", {
            "address": [f"required: the contact is an additional address of "
                        f"{linked_as_additional_address} client(s)"]})


def contact_search_text(contact: dict) -> str:
    phones = ["".join(ch for ch in p.get("number", "") if ch.isdigit())
              for p in contact.get("phones") or []]
    parts = [contact.get("first_name"), contact.get("last_name"),
             contact.get("organisation_name"), contact.get("email"), *phones]
    return " ".join(p.strip().lower() for p in parts if p and p.strip())


def link_facts(link: dict) -> dict:
    """What a link makes possible, so clients need not re-derive the rules."""
    types = link.get("contact_types") or []
    return {
        "billing_eligible": ContactType.FINANCE_BILLING in types,
        # inviting a contact to become a connection (a system user) needs a connection role
        # and somewhere to send the invitation
        "can_invite_as_connection": bool(link.get("connection_role")
                                         and link.get("contact", {}).get("email")),
    }
