"""Portal accounts and client login (ID-4, ID-5; QUALITY S2, S3): accounts are made by the
identity RPC ``create_portal_account`` that the invitations service will call."""

import pytest
import requests
from nameko.standalone.rpc import ClusterRpcClient
from sqlalchemy import text

from casework.config import settings
from casework.errors import AccountExists, ValidationFailed
from tests.fixtures import session_from

LOGIN = "/api/v1/auth/portal/login"


def test_id5_an_account_logs_in_with_its_e_mail_as_username_and_sees_its_global_record(
        gateway_url, portal_client, engine):
    client = portal_client(email="Cleo.Client@Example.org")
    assert client.username == "cleo.client@example.org"
    me = client.get(f"{gateway_url}/api/v1/portal/me")
    assert me.status_code == 200
    body = me.json()
    assert (body["account_id"], body["username"]) == (client.account_id, client.username)
    record = body["global_record"]
    assert (record["id"], record["first_name"], record["last_name"], record["email"]) == (
        client.global_record_id, "Cleo", "Client", "Cleo.Client@Example.org")
    again = requests.post(f"{gateway_url}{LOGIN}", json={"username": "CLEO.client@example.org",
                                                          "password": client.password})
    assert again.status_code == 200
    assert set(again.json()) == {"access_token", "token_type", "expires_at"}
    with engine.connect() as conn:
        event = conn.execute(text(
            "SELECT payload FROM identity.outbox WHERE routing_key = 'portal_account_created'"
            " AND payload->'data'->>'account_id' = :a"), {"a": client.account_id}).scalar_one()
    assert event["data"] == {"account_id": client.account_id,
                             "global_record_id": client.global_record_id,
                             "username": "cleo.client@example.org",
                             "first_name": "Cleo", "active": True}
    assert client.password not in str(event)


def test_id5_one_person_one_account(gateway_url, portal_client):
    client = portal_client()
    with ClusterRpcClient() as rpc, pytest.raises(AccountExists):
        rpc.identity.create_portal_account({
            "email": client.username.upper(), "password": "another long password",
            "first_name": "Second", "last_name": "Try"})


def test_s2_portal_passwords_need_12_characters(gateway_url, platform_config):
    with ClusterRpcClient() as rpc, pytest.raises(ValidationFailed) as refused:
        rpc.identity.create_portal_account({"email": "short@example.org", "password": "short",
                                            "first_name": "S", "last_name": "P"})
    assert list(refused.value.errors) == ["password"]


def test_id3_portal_login_answers_the_same_for_unknown_username_and_wrong_password(
        gateway_url, portal_client):
    client = portal_client()
    caller = session_from()
    wrong = caller.post(f"{gateway_url}{LOGIN}",
                        json={"username": client.username, "password": "not the password"})
    unknown = caller.post(f"{gateway_url}{LOGIN}",
                          json={"username": "nobody@example.org", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "invalid_credentials"


def test_s2_portal_login_is_throttled_per_account(gateway_url, portal_client):
    client = portal_client()
    for _ in range(settings().login_max_failures_per_account):
        assert session_from().post(f"{gateway_url}{LOGIN}", json={
            "username": client.username, "password": "wrong password"}).status_code == 401
    locked = session_from().post(f"{gateway_url}{LOGIN}", json={
        "username": client.username, "password": client.password})
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) >= 1


def test_s3_portal_logout_revokes_the_token(gateway_url, portal_client):
    client = portal_client()
    me = f"{gateway_url}/api/v1/portal/me"
    assert client.get(me).status_code == 200
    assert client.post(f"{gateway_url}/api/v1/auth/logout").status_code == 204
    assert client.get(me).status_code == 401


def test_portal_routes_refuse_no_token(gateway_url):
    answer = requests.get(f"{gateway_url}/api/v1/portal/me")
    assert answer.status_code == 401
    assert answer.json()["code"] == "unauthenticated"
