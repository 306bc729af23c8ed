"""The scheduling service: sessions and payments of an agency's records (SCH-*).

Entrypoints live in one mixin per area (``entrypoints/``); this class composes them with the
database."""

from __future__ import annotations

from casework.db import Database
from casework.service import CaseworkService

from .entrypoints.records import RecordEntrypoints
from .models import metadata


class SchedulingService(RecordEntrypoints, CaseworkService):
    name = "scheduling"
    db = Database("scheduling", metadata)
