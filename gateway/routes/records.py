"""Staff routes of API.md "Staff: records"."""

from __future__ import annotations

from ..routing import route
from ..schemas.records import (
    RecordCreateSchema,
    RecordPageSchema,
    RecordSchema,
    RecordSearchQuerySchema,
)


def _plain(values: dict) -> dict:
    return {k: (str(v) if v is not None and not isinstance(v, (int, str)) else v)
            for k, v in values.items()}


class RecordRoutes:
    @route("POST", "/api/v1/staff/records", audience="staff", body=RecordCreateSchema(),
           responses={201: RecordSchema}, tag="records")
    def create_record(self, call, body):
        """Create a client or employee record; a case number is generated when none is given."""
        return 201, self.rpc.records.create_record(call.caller, call.request.get_json())

    @route("GET", "/api/v1/staff/records", audience="staff", query=RecordSearchQuerySchema(),
           responses={200: RecordPageSchema}, tag="records")
    def search_records(self, call, query):
        """Global search (REC-11) by partial or misspelt name, case number, e-mail or phone."""
        return self.rpc.records.search_records(call.caller, _plain(query))

    @route("GET", "/api/v1/staff/records/<record_id>", audience="staff",
           responses={200: RecordSchema}, tag="records")
    def get_record(self, call, record_id):
        """One record, as REC-1 shows it. The read is audited (REC-15)."""
        return self.rpc.records.get_record(call.caller, record_id)
