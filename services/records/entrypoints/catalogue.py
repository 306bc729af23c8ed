"""An agency's client types (REC-4) and warning indicators (REC-14): any staff member reads
them (to choose one), agency administrators define them."""

from __future__ import annotations

from casework import cursors
from casework.callers import administrator, known_id, staff
from casework.dumping import page_dumper
from casework.errors import CaseworkError, NotFound
from casework.rpc import rpc
from casework.validation import load
from contracts.common import ListQuerySchema
from contracts.records import (
    ClientTypeCreateSchema,
    ClientTypePatchSchema,
    ClientTypeSchema,
    WarningIndicatorCreateSchema,
    WarningIndicatorPatchSchema,
    WarningIndicatorSchema,
)

from ..models import client_types, warning_indicators
from ..queries import catalogue, records
from .common import one_dumper

list_query = ListQuerySchema()


class Catalogue:
    """The four operations on one kind of catalogue item."""

    def __init__(self, table, what: str, create_schema, patch_schema, out_schema):
        self.table, self.what = table, what
        self.create_schema, self.patch_schema = create_schema, patch_schema
        self.dump_page, self.out = page_dumper(out_schema), one_dumper(out_schema)

    def list(self, db, caller, params) -> dict:
        caller = staff(caller)
        page = load(list_query, params)
        offset = cursors.offset(page["cursor"])
        with db.read() as session:
            rows = catalogue.list_items(session, self.table, caller.organization_id,
                                        offset=offset, limit=page["limit"])
        items, next_cursor = cursors.offset_page(rows, offset, page["limit"])
        return {"items": self.dump_page(items), "next_cursor": next_cursor}

    def create(self, db, caller, payload) -> dict:
        caller = administrator(caller)
        data = load(self.create_schema, payload)
        with db.transaction() as uow:
            row = catalogue.create(uow.session, self.table, caller.organization_id,
                                   {**data, "id": records.new_id()})
        return self.out(row)

    def update(self, db, caller, item_id, payload) -> dict:
        caller = administrator(caller)
        item_id = known_id(item_id, self.what)
        data = load(self.patch_schema, payload)
        with db.transaction() as uow:
            row = (catalogue.change(uow.session, self.table, caller.organization_id, item_id,
                                    data) if data else
                   catalogue.get(uow.session, self.table, caller.organization_id, item_id))
        if row is None:
            raise NotFound(f"{self.what} not found")
        return self.out(row)

    def delete(self, db, caller, item_id) -> dict:
        """An unused item is deleted. One that records use is deactivated instead: those
        records keep it (nothing orphaned), nobody can choose it any more, and an
        administrator can reactivate it with PATCH."""
        caller = administrator(caller)
        item_id = known_id(item_id, self.what)
        org = caller.organization_id
        with db.transaction() as uow:
            if catalogue.get(uow.session, self.table, org, item_id) is None:
                raise NotFound(f"{self.what} not found")
            if catalogue.in_use(uow.session, self.table, org, item_id):
                row = catalogue.change(uow.session, self.table, org, item_id, {"active": False})
                return {"deleted": False, "item": self.out(row)}
            catalogue.remove(uow.session, self.table, org, item_id)
        return {"deleted": True, "item": None}


CLIENT_TYPES = Catalogue(client_types, "client type", ClientTypeCreateSchema(),
                         ClientTypePatchSchema(), ClientTypeSchema())
WARNING_INDICATORS = Catalogue(warning_indicators, "warning indicator",
                               WarningIndicatorCreateSchema(), WarningIndicatorPatchSchema(),
                               WarningIndicatorSchema())


class CatalogueEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def list_client_types(self, caller, params):
        return CLIENT_TYPES.list(self.db, caller, params)

    @rpc(expected_exceptions=CaseworkError)
    def create_client_type(self, caller, payload):
        return CLIENT_TYPES.create(self.db, caller, payload)

    @rpc(expected_exceptions=CaseworkError)
    def update_client_type(self, caller, client_type_id, payload):
        return CLIENT_TYPES.update(self.db, caller, client_type_id, payload)

    @rpc(expected_exceptions=CaseworkError)
    def delete_client_type(self, caller, client_type_id):
        return CLIENT_TYPES.delete(self.db, caller, client_type_id)

    @rpc(expected_exceptions=CaseworkError)
    def list_warning_indicators(self, caller, params):
        return WARNING_INDICATORS.list(self.db, caller, params)

    @rpc(expected_exceptions=CaseworkError)
    def create_warning_indicator(self, caller, payload):
        return WARNING_INDICATORS.create(self.db, caller, payload)

    @rpc(expected_exceptions=CaseworkError)
    def update_warning_indicator(self, caller, indicator_id, payload):
        return WARNING_INDICATORS.update(self.db, caller, indicator_id, payload)

    @rpc(expected_exceptions=CaseworkError)
    def delete_warning_indicator(self, caller, indicator_id):
        return WARNING_INDICATORS.delete(self.db, caller, indicator_id)
