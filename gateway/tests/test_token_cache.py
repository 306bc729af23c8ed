"""The gateway's token cache and client address, without a broker (QUALITY P1, S3; ID-3)."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from casework.errors import PermissionDenied, Unauthenticated
from gateway.auth import Authenticator, TokenCache, client_address, token_digest


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


CALLER = {"kind": "staff", "organization_id": "o", "user_id": "u", "permissions": []}


def test_an_entry_lives_for_the_cache_ttl():
    clock = Clock()
    cache = TokenCache(10, ttl=2.0, clock=clock)
    cache.put("d", CALLER, seconds_left=3600)
    clock.now += 1.9
    assert cache.get("d") == CALLER
    clock.now += 0.2
    assert cache.get("d") is None


def test_an_entry_never_outlives_its_token():
    clock = Clock()
    cache = TokenCache(10, ttl=2.0, clock=clock)
    cache.put("d", CALLER, seconds_left=0.5)
    clock.now += 0.6
    assert cache.get("d") is None
    cache.put("expired", CALLER, seconds_left=-1)
    assert cache.get("expired") is None and len(cache) == 0


def test_the_cache_is_bounded_and_drops_the_least_recently_used():
    cache = TokenCache(3, ttl=2.0, clock=Clock())
    for name in "abc":
        cache.put(name, CALLER, 60)
    assert cache.get("a") == CALLER  # a is now the most recently used
    cache.put("d", CALLER, 60)
    assert len(cache) == 3
    assert cache.get("b") is None
    assert [cache.get(n) is not None for n in "acd"] == [True, True, True]


def test_forget_evicts_at_once():
    cache = TokenCache(3, ttl=2.0, clock=Clock())
    cache.put("d", CALLER, 60)
    cache.forget("d")
    assert cache.get("d") is None


class FakeIdentity:
    def __init__(self, answer):
        self.answer, self.calls = answer, []

    def authenticate(self, digest):
        self.calls.append(digest)
        if self.answer is None:
            raise Unauthenticated("invalid or expired token")
        return dict(self.answer)


def authenticator(answer):
    identity = FakeIdentity(answer)
    service = SimpleNamespace(rpc=SimpleNamespace(identity=identity))
    return Authenticator(service, "rpc", TokenCache(10, 2.0)), identity


def request(token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return SimpleNamespace(headers=headers, remote_addr="10.0.0.1")


def staff_route(permission=None):
    return SimpleNamespace(audience="staff", permission=permission)


def test_p1_a_cached_token_costs_no_rpc():
    expires = (datetime.now(UTC) + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    auth, identity = authenticator({**CALLER, "permissions": ["view_audit"],
                                    "expires_at": expires})
    for n in range(5):
        caller = auth.authenticate(staff_route("view_audit"), request("tok"), f"req-{n}")
        assert caller["request_id"] == f"req-{n}" and "expires_at" not in caller
    assert identity.calls == [token_digest("tok")]  # the digest, never the token, crosses


def test_permission_and_token_kind_are_checked_on_cached_callers_too():
    expires = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    auth, _ = authenticator({**CALLER, "expires_at": expires})
    auth.authenticate(staff_route(), request("tok"), "r")
    with pytest.raises(PermissionDenied):
        auth.authenticate(staff_route("delete_clients"), request("tok"), "r")
    with pytest.raises(Unauthenticated):
        auth.authenticate(SimpleNamespace(audience="portal", permission=None), request("tok"),
                          "r")


def test_agency_admin_implies_every_permission():
    expires = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    auth, _ = authenticator({**CALLER, "permissions": ["agency_admin"], "expires_at": expires})
    assert auth.authenticate(staff_route("delete_clients"), request("tok"), "r")


def test_refused_tokens_are_not_cached_and_huge_ones_never_reach_identity():
    auth, identity = authenticator(None)
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            auth.authenticate(staff_route(), request("tok"), "r")
    assert len(identity.calls) == 2
    with pytest.raises(Unauthenticated):
        auth.authenticate(staff_route(), request("x" * 10_000), "r")
    assert len(identity.calls) == 2


def test_forwarded_for_counts_only_from_a_trusted_proxy(monkeypatch):
    forwarded = {"X-Forwarded-For": "203.0.113.9, 10.0.0.2"}
    direct = SimpleNamespace(remote_addr="198.51.100.7", headers=forwarded)
    assert client_address(direct) == "198.51.100.7"  # anyone can write the header
    monkeypatch.setattr("gateway.auth.settings", lambda: SimpleNamespace(
        trusted_proxies=frozenset({"10.0.0.1", "10.0.0.2"})))
    proxied = SimpleNamespace(remote_addr="10.0.0.1", headers=forwarded)
    assert client_address(proxied) == "203.0.113.9"
    spoofed = SimpleNamespace(remote_addr="10.0.0.1", headers={"X-Forwarded-For": "nonsense"})
    assert client_address(spoofed) == "10.0.0.1"

