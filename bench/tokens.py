"""A staff member of the benchmark's agency, with a real token from the identity service.

The agency is created once through the operator route (API.md "Operator") and kept in the
benchmark database between runs, so that the bulk datasets generated for it can be kept too;
its administrator logs in through POST /api/v1/auth/staff/login. While the identity service is
not there yet (the operator route answers 404), the gateway's placeholder staff token is used and
every results file says so.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

import requests

SLUG = "bench-agency"
EMAIL = "bench.admin@example.org"
PASSWORD = "bench-password-0123456789"
# the placeholder token's agency: fixed, so that kept datasets match it between runs
PLACEHOLDER_ORG = "5f1c9d1e-0b6a-4d8e-9a57-2f6f0c1b7a01"
PLACEHOLDER_USER = "5f1c9d1e-0b6a-4d8e-9a57-2f6f0c1b7a02"


@dataclass
class Staff:
    token: str
    organization_id: str
    user_id: str
    source: str  # how the token was obtained, for the results files

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def operator_token() -> str:
    return os.environ.get("CASEWORK_OPERATOR_TOKEN", "dev-operator-token")


def remembered_agency(engine, organization_id: str | None = None) -> str | None:
    """The agency's id, kept in the benchmark database: the operator route gives it only when it
    creates the agency, and later runs find the agency already there (409)."""
    from sqlalchemy import text

    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS public.bench_agency "
                          "(slug text PRIMARY KEY, organization_id uuid NOT NULL)"))
        if organization_id:
            conn.execute(text("INSERT INTO public.bench_agency VALUES (:s, :o) ON CONFLICT (slug) "
                              "DO UPDATE SET organization_id = EXCLUDED.organization_id"),
                         {"s": SLUG, "o": organization_id})
        found = conn.execute(text("SELECT organization_id FROM public.bench_agency "
                                  "WHERE slug = :s"), {"s": SLUG}).scalar()
    return str(found) if found else None


def login(base_url: str, engine) -> Staff:
    created = requests.post(
        f"{base_url}/api/v1/operator/organizations", timeout=30,
        headers={"Authorization": f"Bearer {operator_token()}"},
        json={"name": "Benchmark Agency", "slug": SLUG, "timezone": "Europe/London",
              "admin": {"email": EMAIL, "first_name": "Bench", "last_name": "Admin",
                        "password": PASSWORD}})
    if created.status_code in (404, 405):
        return placeholder()
    if created.status_code not in (201, 409):
        raise RuntimeError(f"bench: creating the agency answered {created.status_code}: "
                           f"{created.text[:500]}")
    answer = requests.post(f"{base_url}/api/v1/auth/staff/login", timeout=30,
                           json={"organization": SLUG, "email": EMAIL, "password": PASSWORD})
    if answer.status_code != 200:
        raise RuntimeError(f"bench: staff login answered {answer.status_code}: "
                           f"{answer.text[:500]}")
    body = answer.json()
    user = body.get("user") or {}
    organization_id = remembered_agency(
        engine, user.get("organization_id")
        or (created.json().get("id") if created.status_code == 201 else None))
    if not organization_id:
        raise RuntimeError("bench: the login answer names no organization_id; cannot place "
                           "the benchmark's records in the agency")
    return Staff(body["access_token"], str(organization_id), str(user.get("id", "")),
                 "real login (operator-created agency, POST /api/v1/auth/staff/login)")


def placeholder() -> Staff:
    token = f"dev-staff:{PLACEHOLDER_ORG}:{PLACEHOLDER_USER}:agency_admin"
    return Staff(token, PLACEHOLDER_ORG, PLACEHOLDER_USER,
                 "PLACEHOLDER dev-staff token (the identity service's operator and login routes "
                 "are not there yet: POST /api/v1/operator/organizations answered 404)")


def random_org() -> str:
    return str(uuid.uuid4())
