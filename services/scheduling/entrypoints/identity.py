"""What scheduling knows from identity.events: the agency's staff users (its active staff are
the practitioners) and its time zone, in which availability is kept (SCH-1)."""

from __future__ import annotations

from casework.messaging import consumes

from ..queries import clients
from .common import agency_event


def _staff_user(service, event) -> dict:
    data = dict(agency_event(service, event))
    data["name"] = (data.get("name") or " ".join(
        p for p in (data.get("first_name"), data.get("last_name")) if p) or data.get("email"))
    return data


class IdentityEntrypoints:
    @consumes("identity", "staff_user_created", check=_staff_user)
    def on_staff_user_created(self, uow, event):
        clients.remember_staff_user(uow.session, event["organization_id"], event["data"],
                                    event["occurred_at"])

    @consumes("identity", "staff_user_updated", check=_staff_user)
    def on_staff_user_updated(self, uow, event):
        clients.remember_staff_user(uow.session, event["organization_id"], event["data"],
                                    event["occurred_at"])

    @consumes("identity", "organization_created", check=agency_event)
    def on_organization_created(self, uow, event):
        clients.remember_timezone(uow.session, event["data"]["organization_id"],
                                  event["data"].get("timezone") or "UTC", event["occurred_at"])

    @consumes("identity", "organization_updated", check=agency_event)
    def on_organization_updated(self, uow, event):
        """An administrator changed the agency's time zone (its settings)."""
        clients.remember_timezone(uow.session, event["data"]["organization_id"],
                                  event["data"]["timezone"], event["occurred_at"])
