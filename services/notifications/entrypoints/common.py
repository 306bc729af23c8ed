"""What the notifications service's entrypoints share."""

from __future__ import annotations

from casework.events import InvalidEvent


def agency_event(service, event) -> dict:
    """An event about one agency: its envelope must name the agency (dead-lettered otherwise,
    with the reason: an operator sees it in ``casework dead-letters list``)."""
    if event["organization_id"] is None:
        raise InvalidEvent("the envelope names no organization_id")
    return event["data"]


def staff_user_data(service, event) -> dict:
    """A staff user event's data with a display name (its name, else first and last name,
    else its e-mail)."""
    data = dict(agency_event(service, event))
    data["name"] = (data.get("name") or " ".join(
        p for p in (data.get("first_name"), data.get("last_name")) if p) or data.get("email"))
    return data
