"""Unit tests of identity's rules and password hashing: no broker, no database."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from marshmallow import ValidationError

from casework import callers
from casework.errors import (
    LastAdministrator,
    PermissionDenied,
    RoleInUse,
    RoleProtected,
    ValidationFailed,
)
from contracts import identity as contract
from services.identity import domain, passwords
from tests.fixtures import signed


def test_id2_agency_admin_implies_every_permission_of_identity():
    caller = {"kind": "staff", "organization_id": str(uuid.uuid4()),
              "user_id": str(uuid.uuid4()), "request_id": "r"}
    admin = callers.staff(signed({**caller, "permissions": ["agency_admin"]}))
    assert all(admin.can(p) for p in domain.Permission)
    navigator = callers.staff(signed({**caller, "permissions": ["case_numbers"]}))
    assert navigator.can(domain.Permission.CASE_NUMBERS)
    with pytest.raises(PermissionDenied, match="agency_admin"):
        navigator.require(domain.Permission.AGENCY_ADMIN)


def test_id2_every_agency_starts_with_an_all_powerful_administrator_role_and_a_bare_staff_role():
    assert [(name, set(perms), builtin) for name, perms, builtin in domain.STARTING_ROLES] == [
        ("Agency Administrator", set(domain.ALL_PERMISSIONS), "administrator"),
        ("Staff", set(), "staff")]
    assert set(domain.ALL_PERMISSIONS) == {
        "agency_admin", "case_numbers", "delete_clients", "client_account_invitations",
        "view_audit", "manage_groups", "schedule_any_client"}


def test_the_contract_publishes_the_permissions_and_portal_features_the_rules_know():
    """The contract cannot import the service (and the rules take no marshmallow): the two lists
    are kept apart, and held together here."""
    assert contract.PERMISSIONS == domain.ALL_PERMISSIONS
    assert contract.PORTAL_FEATURES == domain.PORTAL_FEATURES
    assert domain.portal_features(["requests", "availability", "requests"]) == [
        "availability", "requests"]


def test_id2_permissions_are_checked_and_kept_in_canonical_order():
    assert domain.check_permissions(["view_audit", "agency_admin", "view_audit"]) == [
        "agency_admin", "view_audit"]
    with pytest.raises(ValidationFailed) as refused:
        domain.check_permissions(["view_audit", "fly"])
    assert "fly" in refused.value.errors["permissions"][0]


def test_id2_the_administrator_role_keeps_agency_admin_and_is_never_deleted():
    with pytest.raises(RoleProtected):
        domain.check_role_change("administrator", ["view_audit"])
    domain.check_role_change("administrator", ["agency_admin"])
    domain.check_role_change("administrator", None)  # a rename
    domain.check_role_change("staff", [])
    with pytest.raises(RoleProtected):
        domain.check_role_deletion("administrator", 0)
    with pytest.raises(RoleInUse):
        domain.check_role_deletion(None, 2)
    domain.check_role_deletion("staff", 0)
    with pytest.raises(LastAdministrator):
        domain.check_administrators_remain(0)
    domain.check_administrators_remain(1)


def test_s3_tokens_carry_256_random_bits_and_only_their_sha256_is_kept():
    token, digest = domain.new_token()
    assert len(token) >= 43 and token != digest
    assert digest == hashlib.sha256(token.encode()).hexdigest()
    assert domain.is_digest(digest) and not domain.is_digest(token)
    assert len({domain.new_token()[0] for _ in range(1000)}) == 1000


def test_s2_lock_after_the_limit_doubling_up_to_15_minutes():
    policy = domain.ThrottlePolicy(account_limit=5, address_limit=20, lockout_seconds=60)
    assert [policy.lockout_after("account", n) for n in (1, 4, 5, 6, 7, 9, 50)] == [
        0, 0, 60, 120, 240, 900, 900]
    assert policy.lockout_after("address", 19) == 0
    assert policy.lockout_after("address", 20) == 60


def test_s2_pairs_count_like_accounts_and_addresses_have_their_own_limit():
    policy = domain.ThrottlePolicy(account_limit=5, address_limit=20, lockout_seconds=60)
    assert policy.lockout_after("pair", 4) == 0
    assert policy.lockout_after("pair", 5) == 60


def test_s2_login_keys_hash_the_pair_and_the_known_address():
    keys = domain.login_keys("203.0.113.9", "staff", "Agency", " Ada@Example.org ")
    assert keys.account == "staff:agency:ada@example.org"
    assert keys.address == "203.0.113.9"
    assert domain.is_digest(keys.pair) and domain.is_digest(keys.known)
    assert keys.pair != keys.known
    other = domain.login_keys("203.0.113.10", "staff", "agency", "ada@example.org")
    assert other.pair != keys.pair and other.known != keys.known
    assert keys.counted() == [("pair", keys.pair), ("account", keys.account),
                              ("address", keys.address)]
    # the account-wide lock does not refuse an address the account logged in from before
    assert keys.checked(known_address=True) == [("pair", keys.pair), ("address", keys.address)]
    assert ("account", keys.account) in keys.checked(known_address=False)
    assert domain.login_keys(None, "portal", "x@example.org").address == "unknown"


def test_s2_retry_after_rounds_up_and_is_never_zero():
    now = datetime(2030, 1, 1, tzinfo=UTC)
    assert domain.retry_after(now + timedelta(seconds=59.2), now) == 60
    assert domain.retry_after(now + timedelta(milliseconds=10), now) == 1


def test_s2_throttling_keys_ignore_case_and_spaces_so_variants_share_a_counter():
    assert domain.account_key("staff", "Hope ", " Ada@Example.org") == domain.account_key(
        "staff", "hope", "ada@example.org")
    assert domain.address_key(None) == "unknown"


def test_staff_user_events_carry_exactly_the_published_fields():
    data = domain.staff_user_event({
        "id": "u", "email": "a@example.org", "first_name": "Ada", "last_name": "Lovelace",
        "active": True, "allow_client_initiated_contact": False, "password_hash": "$argon2id$",
        "role_name": "Caseworker", "role_id": "r", "permissions": ["view_audit"]})
    assert data == {"user_id": "u", "email": "a@example.org", "first_name": "Ada",
                    "last_name": "Lovelace", "name": "Ada Lovelace", "active": True,
                    "allow_client_initiated_contact": False, "role": "Caseworker"}


def test_s2_argon2id_with_the_chosen_parameters():
    stored = passwords.hash_password("correct horse battery staple")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify_password(stored, "correct horse battery staple")
    assert not passwords.verify_password(stored, "correct horse battery stapler")
    assert not passwords.verify_password("not a hash", "whatever")
    assert not passwords.needs_rehash(stored)


def test_s2_hashes_with_older_parameters_are_upgraded_at_login():
    from argon2 import PasswordHasher

    assert passwords.needs_rehash(PasswordHasher().hash("correct horse battery staple"))


def test_id3_an_unknown_user_costs_a_real_verification_against_a_dummy_hash(monkeypatch):
    seen = []
    dummy = passwords.dummy_hash()
    real_verify = passwords.HASHER.verify

    class Spy:
        def verify(self, stored, password):
            seen.append(stored)
            return real_verify(stored, password)

    monkeypatch.setattr(passwords, "HASHER", Spy())
    assert passwords.verify_password(None, "any password at all") is False
    assert seen == [dummy]
    assert dummy.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_digest_is_the_whole_string():
    assert domain.is_digest("a" * 64)
    assert not domain.is_digest("a" * 64 + "\n")


# --- global records (ID-4) -------------------------------------------------------------------

def test_id4_only_changed_fields_count_and_take_the_new_version():
    current = {"first_name": "Cleo", "last_name": "Client", "email": "c@example.org",
               "phones": [], "preferred_contact_methods": []}
    changed = domain.global_record_changes(current, {"first_name": "Cleo", "phones": [
        {"number": "123", "type": "mobile"}]})
    assert changed == {"phones": [{"number": "123", "type": "mobile"}]}
    assert domain.bumped_field_versions({"first_name": 2, "phones": 3}, changed, 5) == {
        "first_name": 2, "phones": 5}


# --- password changes and reset links --------------------------------------------------------

def test_a_reset_link_carries_only_its_token_and_lives_an_hour():
    assert domain.reset_link("https://portal.example", "abc_-123") == \
        "https://portal.example/password-reset/abc_-123"
    assert domain.RESET_TTL_SECONDS == 3600
    token, digest = domain.new_token()
    assert len(token) >= 22 and digest == hashlib.sha256(token.encode()).hexdigest()


def test_the_password_contracts_keep_the_password_rules():
    change = contract.PasswordChangeSchema()
    with pytest.raises(ValidationError) as refused:
        change.load({"current_password": "x", "new_password": "too short"})
    assert "new_password" in refused.value.messages
    assert change.load({"current_password": "x", "new_password": "long enough passphrase"})
    with pytest.raises(ValidationError) as refused:
        contract.PasswordResetSchema().load({"password": "short"})
    assert "password" in refused.value.messages
    request = contract.PasswordResetRequestSchema()
    assert request.load({"email": "a@example.org"}) == {"email": "a@example.org",
                                                        "organization": None}
    with pytest.raises(ValidationError) as refused:
        request.load({"email": "a@example.org", "extra": 1})
    assert "extra" in refused.value.messages
    # the passwords never come back out of a dump
    assert change.dump({"current_password": "x", "new_password": "y" * 12}) == {}
