"""The records service: organisation records (clients and employees) and everything on them.

Entrypoints live in one mixin per area (``entrypoints/``): they read the caller
(``casework.callers``), load requests and dump replies with the contract (``contracts.records``),
apply the rules of ``domain.py`` and run the SQL of ``queries/``. This class composes them with
the database and the RPC clients of the scheduling service (asked before a delete, REC-9)
and of identity (an agency's portal features, ID-6)."""

from __future__ import annotations

from casework.db import Database
from casework.messaging import UnroutedExternalEvents
from casework.rpc import ServiceClient
from casework.service import CaseworkService

from .entrypoints.agency import AgencyEntrypoints, ImportEntrypoints
from .entrypoints.catalogue import CatalogueEntrypoints
from .entrypoints.contacts import ContactEntrypoints
from .entrypoints.details import DetailEntrypoints
from .entrypoints.global_records import GlobalRecordEntrypoints
from .entrypoints.groups import GroupEntrypoints
from .entrypoints.inbound import InboundEntrypoints
from .entrypoints.navigators import NavigatorEntrypoints
from .entrypoints.portal import PortalAccessEntrypoints
from .entrypoints.recipients import RecipientEntrypoints
from .entrypoints.records import RecordEntrypoints
from .entrypoints.requests import RequestEntrypoints
from .entrypoints.scheduling_events import SchedulingEventEntrypoints
from .entrypoints.statuses import StatusEntrypoints
from .models import metadata

# what a misspelt name word needs to match a name word (REC-11, search.py): a word similarity of
# 0.5 ("lovlace" finds "Lovelace" at 0.55, "thomps" finds "Thompson"), or a similarity of 0.33
# for a whole word with two letters swapped ("jonhson" finds "Johnson" at 0.333, where its word
# similarity is as low). Lower, short names that are not the one meant come in ("mark" and
# "mary" for "margret" at 0.3), each bringing thousands of records to rank in a large agency.
NAME_WORD_SIMILARITY = "0.5"
NAME_SIMILARITY = "0.33"


class RecordsService(RecordEntrypoints, StatusEntrypoints, DetailEntrypoints,
                     CatalogueEntrypoints, GroupEntrypoints, NavigatorEntrypoints,
                     ContactEntrypoints, AgencyEntrypoints, ImportEntrypoints,
                     InboundEntrypoints, GlobalRecordEntrypoints, PortalAccessEntrypoints,
                     SchedulingEventEntrypoints, RecipientEntrypoints, RequestEntrypoints,
                     UnroutedExternalEvents, CaseworkService):
    name = "records"
    db = Database("records", metadata,
                  session_settings={"pg_trgm.word_similarity_threshold": NAME_WORD_SIMILARITY,
                                    "pg_trgm.similarity_threshold": NAME_SIMILARITY})
    scheduling = ServiceClient("scheduling")
    identity = ServiceClient("identity")  # an agency's portal settings (ID-6)
