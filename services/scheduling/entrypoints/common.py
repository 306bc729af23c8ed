"""What scheduling's entrypoints share."""

from __future__ import annotations

from casework.events import InvalidEvent


def agency_event(service, event) -> dict:
    """An event about one agency: its envelope must name the agency (dead-lettered otherwise)."""
    if event["organization_id"] is None:
        raise InvalidEvent("the envelope names no organization_id")
    return event["data"]


def text_ids(values) -> list[str]:
    """Ids as canonical text, each once, in the order given."""
    return list(dict.fromkeys(str(v) for v in values))
