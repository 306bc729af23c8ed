"""Unit tests of the records domain: rules without a broker or a database."""

import uuid
from datetime import date

import pytest

from casework import callers
from casework.errors import (
    NoClientAccount,
    PermissionDenied,
    RecordHasFinancialLinks,
    ValidationFailed,
)
from contracts import records
from services.records import domain
from tests.fixtures import signed


def test_rec3_generated_case_numbers_and_what_a_case_number_may_be():
    assert domain.generated_case_number(42) == "C-000042"
    assert domain.check_case_number("  AB-12/3.x_y ") == "AB-12/3.x_y"
    for bad in ("", "   ", "-A", "a b", "x" * 51, "é1"):
        with pytest.raises(ValidationFailed):
            domain.check_case_number(bad)


def test_rec11_search_columns_hold_names_email_case_number_and_phone_digits():
    record = {"first_name": " Ada ", "last_name": "Lovelace", "email": "Ada@Example.org",
              "case_number": "C-000001", "phones": [{"number": "+44 (0)20 7946-0001"}]}
    assert domain.search_columns(record) == {
        "search_text": "ada lovelace ada@example.org c-000001 4402079460001",
        "name_text": "ada lovelace", "sort_name": "lovelace ada"}
    assert domain.normalise_query("  Ada   LOVELACE ") == "ada lovelace"
    assert domain.normalise_query("+44 20 7946-0001") == "442079460001"
    assert domain.normalise_query("C-0001") == "c-0001"  # letters: not a phone number


def test_rec15_changes_list_each_changed_field_old_and_new_as_json():
    record_id = uuid.uuid4()
    old = {"first_name": "Ada", "date_of_birth": date(1815, 12, 10), "client_type_id": record_id,
           "phones": []}
    new = {"first_name": "Ada", "date_of_birth": date(1815, 12, 11),
           "client_type_id": str(record_id), "phones": [{"number": "1"}]}
    assert domain.changes(old, new) == {
        "date_of_birth": {"old": "1815-12-10", "new": "1815-12-11"},
        "phones": {"old": [], "new": [{"number": "1"}]}}


def test_custom_fields_merge_like_a_json_merge_patch():
    assert domain.merge_custom_fields({"a": 1, "b": "x"}, {"b": None, "c": True}) == {
        "a": 1, "c": True}
    assert domain.merge_custom_fields({}, {"gone": None}) == {}


def test_a_record_keeps_at_most_50_custom_fields_whatever_the_requests():
    fifty = {f"f{i}": i for i in range(50)}
    assert len(domain.merge_custom_fields(fifty, {"f0": "changed", "f1": None, "new": 1})) == 50
    with pytest.raises(ValidationFailed) as raised:
        domain.merge_custom_fields(fifty, {"one_more": 1})
    assert "custom_fields" in raised.value.errors


def test_rec4_client_type_rules():
    domain.check_client_type(None, 0, None)  # clearing is always possible
    with pytest.raises(ValidationFailed, match="no client types"):
        domain.check_client_type("t", 0, None)
    with pytest.raises(ValidationFailed, match="unknown or inactive"):
        domain.check_client_type("t", 2, None)
    with pytest.raises(ValidationFailed, match="unknown or inactive"):
        domain.check_client_type("t", 2, {"active": False})
    domain.check_client_type("t", 2, {"active": True})


def test_rec14_new_indicators_must_be_active_ones_kept_may_be_inactive():
    domain.check_warning_indicators(["a", "b"], {"a": True, "b": False}, current={"b"})
    with pytest.raises(ValidationFailed) as refused:
        domain.check_warning_indicators(["a", "b", "c"], {"a": True, "b": False}, current=set())
    assert len(refused.value.errors["warning_indicator_ids"]) == 2


def test_rec6_portal_status_needs_an_account_and_enrollment_only_lifts_pending():
    with pytest.raises(NoClientAccount):
        domain.check_portal_status_change(None)
    domain.check_portal_status_change("banned")
    assert domain.portal_status_after_enrollment("enrollment_pending") == "active"
    for unchanged in ("active", "banned", None):
        assert domain.portal_status_after_enrollment(unchanged) is None


def test_rec9_delete_is_refused_with_sessions_or_payments_suggesting_other_statuses():
    domain.check_deletable({"sessions": 0, "payments": 0})
    with pytest.raises(RecordHasFinancialLinks) as refused:
        domain.check_deletable({"sessions": 1, "payments": 3})
    assert "1 session and 3 payments" in refused.value.detail
    assert "inactive or prospect" in refused.value.detail
    assert refused.value.extra["suggested_statuses"] == ["inactive", "prospect"]


def test_rec7_bulk_lists_lose_repeats_and_refuse_an_id_in_both():
    assert domain.check_bulk(["a", "b", "a"], ["c", "c"]) == (["a", "b"], ["c"])
    with pytest.raises(ValidationFailed):
        domain.check_bulk(["a"], ["a"])


def test_id2_the_caller_needs_the_permission_or_agency_admin():
    def staff(*permissions):
        return callers.staff(signed({"kind": "staff", "organization_id": str(uuid.uuid4()),
                                     "user_id": str(uuid.uuid4()),
                                     "permissions": list(permissions)}))

    caller = staff("view_audit")
    caller.require(domain.Permission.VIEW_AUDIT)
    with pytest.raises(PermissionDenied, match="delete_clients"):
        caller.require(domain.Permission.DELETE_CLIENTS)
    staff("agency_admin").require(domain.Permission.DELETE_CLIENTS)
    with pytest.raises(PermissionDenied):
        callers.staff(signed({"kind": "staff", "permissions": ["agency_admin"]}))


def test_the_contract_and_the_rules_name_the_same_values():
    """The contract (what the API takes) and the domain (what the rules test) agree."""
    assert records.KINDS == tuple(domain.RecordKind)
    assert records.STATUSES == tuple(domain.RecordStatus)
    assert records.PORTAL_STATUSES == tuple(domain.PortalStatus)
    assert records.CONTACT_TYPES == tuple(domain.ContactType)
    assert records.MAX_CUSTOM_FIELDS == domain.MAX_CUSTOM_FIELDS


def test_rec12_contact_and_link_rules():
    with pytest.raises(ValidationFailed):
        domain.check_contact({"first_name": "Only"})
    domain.check_contact({"organisation_name": "Clinic"})
    with pytest.raises(ValidationFailed, match="additional-address"):
        domain.check_link(["general", "additional_address"], {"line1": " "})
    domain.check_link(["additional_address"], {"line1": "1 Row"})
    domain.check_link(["finance_billing"], None)
    with pytest.raises(ValidationFailed):
        domain.check_address_kept(None, linked_as_additional_address=2)
    domain.check_address_kept(None, linked_as_additional_address=0)
    facts = domain.link_facts({"contact_types": ["finance_billing"],
                               "connection_role": "family", "contact": {"email": None}})
    assert facts == {"billing_eligible": True, "can_invite_as_connection": False}


# --- likely duplicates (INV-6) ---------------------------------------------------------------

def _candidate(**values):
    base = {"first_name": "Jo", "last_name": "Joiner", "name_text": "jo joiner",
            "email": "jo@example.org", "phones": [{"number": "07700 900123"}],
            "date_of_birth": None, "name_similarity": 1.0}
    return {**base, **values}


def test_inv6_the_same_email_phone_and_name_is_certain():
    person = {"first_name": "Jo", "last_name": "Joiner", "email": "JO@example.org",
              "phone": "+07700-900123"}
    reasons = domain.match_reasons(person, _candidate())
    assert reasons == ["same_email", "same_phone", "same_name"]
    assert domain.graded(reasons) == ("certain", 1.0)


def test_inv6_a_misspelt_sound_alike_name_with_the_birthday_is_probable():
    person = {"first_name": "Jo", "last_name": "Joyner", "date_of_birth": "1990-01-02"}
    reasons = domain.match_reasons(person, _candidate(name_similarity=0.5,
                                                      date_of_birth="1990-01-02"))
    assert reasons == ["similar_name", "sounds_alike", "same_date_of_birth"]
    assert domain.graded(reasons) == ("probable", 0.7)


def test_inv6_a_birthday_alone_is_no_match_and_a_similar_name_is_possible():
    assert domain.graded(["same_date_of_birth"]) is None
    assert domain.graded([]) is None
    assert domain.graded(["similar_name"]) == ("possible", 0.25)


def test_soundex():
    assert domain.soundex("Robert") == domain.soundex("Rupert") == "R163"
    assert domain.soundex("Ashcraft") == "A261"
    assert domain.soundex("") == ""
