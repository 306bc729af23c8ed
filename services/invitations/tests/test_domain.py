"""Unit tests of the invitation rules (INV-1 to INV-3, QUALITY S3): no broker, no database."""

from datetime import UTC, datetime, timedelta

import pytest

from casework.errors import (
    AlreadyHasAccount,
    ConfirmationRequired,
    InvitationInvalid,
    NoPrimaryEmail,
    PortalNotEnabled,
)
from services.invitations import domain

ENABLED = {"portal_enabled": True}
TARGET = {"portal_status": None, "global_record_id": None, "email": " cleo@example.org "}
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_inv1_each_missing_condition_raises_its_own_error():
    with pytest.raises(PortalNotEnabled):
        domain.check_invitable({"portal_enabled": False}, TARGET, True)
    with pytest.raises(AlreadyHasAccount):
        domain.check_invitable(ENABLED, {**TARGET, "portal_status": "active"}, True)
    with pytest.raises(AlreadyHasAccount):
        domain.check_invitable(ENABLED, {**TARGET, "global_record_id": "g"}, True)
    with pytest.raises(NoPrimaryEmail):
        domain.check_invitable(ENABLED, {**TARGET, "email": "  "}, True)
    with pytest.raises(ConfirmationRequired):
        domain.check_invitable(ENABLED, TARGET, False)
    assert domain.check_invitable(ENABLED, TARGET, True) == "cleo@example.org"


def test_s3_tokens_are_random_long_and_kept_as_their_hash():
    token, digest = domain.new_token()
    other, _ = domain.new_token()
    assert token != other and len(token) >= 43  # 256 bits in URL-safe base64
    assert digest == domain.token_digest(token) and token not in digest
    assert len(domain.new_slug()) == 32 and domain.new_slug() != domain.new_slug()


@pytest.mark.parametrize("invitation", [
    None,
    {"status": "accepted", "expires_at": NOW + timedelta(hours=1)},
    {"status": "superseded", "expires_at": NOW + timedelta(hours=1)},
    {"status": "pending", "expires_at": NOW},
])
def test_inv2_inv3_used_superseded_expired_and_unknown_links_are_invalid(invitation):
    with pytest.raises(InvitationInvalid):
        domain.check_usable(invitation, NOW)


def test_inv2_a_pending_link_works_until_it_expires():
    invitation = {"status": "pending", "expires_at": domain.expiry(NOW, 72)}
    assert domain.check_usable(invitation, NOW + timedelta(hours=71)) is invitation
    with pytest.raises(InvitationInvalid):
        domain.check_usable(invitation, NOW + timedelta(hours=72))


def test_links_and_email_keys():
    assert domain.invitation_link("https://portal.example", "t0k") == \
        "https://portal.example/invitations/t0k"
    assert domain.join_link("https://portal.example", "s1") == "https://portal.example/join/s1"
    assert domain.email_key("abc", 2) == "invitation:abc:2"
