"""The scheduling service's contract: its RPC requests and replies, list pages and events."""

from __future__ import annotations

from marshmallow import Schema, fields


class FinancialLinksSchema(Schema):
    """``financial_links``' reply (RPC only; records asks it before a delete, REC-9): how many
    sessions and payments the agency holds for a record."""

    record_id = fields.UUID(required=True)
    sessions = fields.Integer(required=True)
    payments = fields.Integer(required=True)
