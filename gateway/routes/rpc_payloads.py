"""How the records-owned routes hand requests to the records service and its answers back."""

from __future__ import annotations


def plain(values: dict) -> dict:
    """Loaded query values as JSON for RPC (UUIDs, dates as strings)."""
    return {k: (str(v) if v is not None and not isinstance(v, (int, str)) else v)
            for k, v in values.items()}


def json_of(call) -> dict:
    """The request's JSON as sent: the gateway checked it, the service checks it again."""
    return call.request.get_json()


def added(result: dict):
    """201 when the record joined (a group, its navigators), 200 when it was there already."""
    return (201 if result["added"] else 200), result["record"]
