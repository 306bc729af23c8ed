"""The scheduling service: availability, sessions, payments, slot suggestions and coverage of
an agency's clients and practitioners (SCH-*).

Entrypoints live in one mixin per area (``entrypoints/``); this class composes them with the
database. What it knows of records and staff comes from their events (``entrypoints/records.py``,
``entrypoints/identity.py``)."""

from __future__ import annotations

from casework.db import Database
from casework.service import CaseworkService

from .entrypoints.availability import AvailabilityEntrypoints
from .entrypoints.identity import IdentityEntrypoints
from .entrypoints.payments import PaymentEntrypoints
from .entrypoints.records import RecordEntrypoints
from .entrypoints.sessions import SessionEntrypoints
from .entrypoints.suggestions import SuggestionEntrypoints
from .models import metadata


class SchedulingService(RecordEntrypoints, IdentityEntrypoints, AvailabilityEntrypoints,
                        SessionEntrypoints, PaymentEntrypoints, SuggestionEntrypoints,
                        CaseworkService):
    name = "scheduling"
    db = Database("scheduling", metadata)
