"""Identity entrypoints with nameko's worker_factory (no broker, no database): each one checks
who calls before touching the database, so a wrong caller from anywhere cannot cross agencies or
administer one (ID-1, ID-2, QUALITY S1 "enforced in each service")."""

import base64
import json

import pytest
from nameko.testing.services import worker_factory

from casework.errors import NotFound, PermissionDenied, Unauthenticated, ValidationFailed
from services.identity.service import IdentityService
from tests.fixtures import signed

ORG = "6a4b1f5e-0000-4000-8000-000000000001"
USER = "6a4b1f5e-0000-4000-8000-000000000002"


def caller(kind="staff", permissions=()):
    return signed({"kind": kind, "organization_id": ORG, "user_id": USER,
                   "permissions": list(permissions), "request_id": "r"})


def nothing_read(service):
    service.db.transaction.assert_not_called()
    service.db.read.assert_not_called()


ADMIN_CALLS = [
    ("list_users", ({},)), ("create_user", ({},)), ("get_user", (ORG,)),
    ("update_user", (ORG, {})), ("list_roles", ({},)), ("create_role", ({},)),
    ("update_role", (ORG, {})), ("delete_role", (ORG,)), ("get_settings", ()),
    ("update_settings", ({},)),
]


@pytest.mark.parametrize("method, args", ADMIN_CALLS)
def test_id2_administration_needs_agency_admin_in_the_service_too(method, args):
    service = worker_factory(IdentityService)
    for who in (caller(permissions=["view_audit", "case_numbers"]),
                caller(kind="portal", permissions=["agency_admin"]), signed({"kind": "operator"}),
                None):
        with pytest.raises(PermissionDenied):
            getattr(service, method)(who, *args)
    nothing_read(service)


def test_only_the_operator_creates_agencies():
    service = worker_factory(IdentityService)
    with pytest.raises(PermissionDenied):
        service.create_organization(caller(permissions=["agency_admin"]), {})
    nothing_read(service)


def test_s1_a_malformed_id_is_the_same_404_as_an_unknown_one():
    service = worker_factory(IdentityService)
    with pytest.raises(NotFound, match="staff user not found"):
        service.get_user(caller(permissions=["agency_admin"]), "not-a-uuid")
    with pytest.raises(NotFound, match="role not found"):
        service.delete_role(caller(permissions=["agency_admin"]), "../roles")
    nothing_read(service)


def test_s3_token_checks_take_a_sha256_digest_only():
    service = worker_factory(IdentityService)
    for value in ("a-raw-token", None, 42, "A" * 64):
        with pytest.raises(Unauthenticated):
            service.authenticate(value)
        with pytest.raises(Unauthenticated):
            service.revoke_token(value)
    nothing_read(service)


def test_login_validates_its_payload_before_anything_else():
    service = worker_factory(IdentityService)
    with pytest.raises(ValidationFailed) as refused:
        service.staff_login({"organization": "x", "password": ""}, "127.0.0.1")
    assert set(refused.value.errors) == {"email", "password"}
    nothing_read(service)


def cursor(position) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode()


@pytest.mark.parametrize("method", ["list_users", "list_roles"])
def test_a_cursor_identity_never_gave_is_refused_before_any_read(method):
    """casework.cursors: beyond a bigint, a boolean, negative, or another kind of position."""
    service = worker_factory(IdentityService)
    for forged in ({"o": 2 ** 63}, {"o": True}, {"o": -1}, {"b": 1}, {"o": "1"}):
        with pytest.raises(ValidationFailed) as refused:
            getattr(service, method)(caller(permissions=["agency_admin"]),
                                     {"cursor": cursor(forged)})
        assert refused.value.errors == {"cursor": ["not a cursor we gave"]}
    nothing_read(service)


def test_a_reset_request_answers_the_same_when_its_e_mail_cannot_be_queued(monkeypatch):
    """A known account whose reset e-mail notifications cannot take: the request's transaction
    rolls back and it answers as for an unknown account (a 503 would tell that it exists)."""
    from unittest import mock

    from nameko.exceptions import RemoteError

    from services.identity.entrypoints import passwords as entrypoint

    queries = entrypoint.passwords
    monkeypatch.setattr(queries, "portal_for_reset",
                        lambda session, email: {"id": USER, "email": email,
                                                "organization_id": None})
    monkeypatch.setattr(queries, "resets_since", lambda *args: 0)
    monkeypatch.setattr(queries, "void_resets", lambda *args: None)
    inserted = mock.Mock()
    monkeypatch.setattr(queries, "insert_reset", inserted)
    service = worker_factory(IdentityService)
    transaction = service.db.transaction.return_value
    transaction.__exit__.return_value = False  # an exception leaves it, as a real one rolls back
    service.notifications.send_email.side_effect = RemoteError("ServiceUnavailable", "down")
    assert service.request_password_reset({"email": "known@example.org"}) is None
    inserted.assert_called_once()
    assert transaction.__exit__.call_args.args[0] is entrypoint.ResetEmailNotQueued
