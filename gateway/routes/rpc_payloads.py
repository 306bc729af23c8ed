"""How the records-owned routes turn the records service's answers into HTTP answers."""

from __future__ import annotations


def added(result: dict):
    """201 when the record joined (a group, its navigators), 200 when it was there already
    (``contracts.records.RecordJoinedSchema``)."""
    return (201 if result["added"] else 200), result["record"]
