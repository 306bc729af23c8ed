"""Issue 19, "What one agency can learn about another": ``/metrics`` counts refused logins and
``/ready``'s details name the platform's parts, so both are for operators only (the operator
token), through the gateway, the bus and every service."""

import requests

from casework.config import settings
from tests.fixtures import session_from

LOGIN = "/api/v1/auth/staff/login"


def operator_headers():
    return {"Authorization": f"Bearer {settings().operator_token}"}


def test_metrics_are_served_to_operators_only(gateway_url, operator):
    agency = operator.create_agency()
    refused = session_from().post(f"{gateway_url}{LOGIN}", json={
        "organization": agency["slug"], "email": agency["admin_email"],
        "password": "not the password"})
    assert refused.status_code == 401
    for headers in ({}, {"Authorization": "Bearer wrong-token"}):
        anonymous = requests.get(f"{gateway_url}/metrics", headers=headers)
        assert anonymous.status_code == 401
        assert anonymous.json()["code"] == "unauthenticated"
        assert "casework_" not in anonymous.text
    admin = requests.post(f"{gateway_url}{LOGIN}", json={
        "organization": agency["slug"], "email": agency["admin_email"],
        "password": agency["admin_password"]}).json()["access_token"]
    staff_token = requests.get(f"{gateway_url}/metrics",
                               headers={"Authorization": f"Bearer {admin}"})
    assert staff_token.status_code == 401
    served = requests.get(f"{gateway_url}/metrics", headers=operator_headers())
    assert served.status_code == 200
    assert 'route="staff_login",status="401"' in served.text


def test_ready_details_are_served_to_operators_only(gateway_url):
    public = requests.get(f"{gateway_url}/ready")
    assert public.status_code == 200
    assert public.json() == {"status": "ready"}
    wrong = requests.get(f"{gateway_url}/ready", headers={"Authorization": "Bearer nope"})
    assert wrong.json() == {"status": "ready"}
    detailed = requests.get(f"{gateway_url}/ready", headers=operator_headers())
    assert detailed.status_code == 200
    body = detailed.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"broker", "identity", "records", "invitations",
                                   "notifications", "scheduling"}
    assert set(body["checks"].values()) == {"ok"}
