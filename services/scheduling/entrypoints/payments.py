"""Payments per client (SCH-5): amount in minor units, currency, date, method and optionally
the session paid for. Inactive clients cannot record payments (SCH-4). A deleted payment no
longer keeps its client from being deleted (REC-9)."""

from __future__ import annotations

import uuid

from casework import callers, cursors
from casework.errors import CaseworkError, NotFound, ValidationFailed
from casework.rpc import rpc
from casework.validation import load
from contracts.scheduling import (
    PaymentCreateSchema,
    PaymentPageSchema,
    PaymentQuerySchema,
    PaymentSchema,
)

from .. import domain
from ..queries import clients, payments, sessions

PAYMENT_CREATE = PaymentCreateSchema()
PAYMENT_QUERY = PaymentQuerySchema()
PAYMENT = PaymentSchema()
PAYMENT_PAGE = PaymentPageSchema()


class PaymentEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def record_payment(self, caller, payload):
        caller = callers.staff(caller)
        data = load(PAYMENT_CREATE, payload)
        org, client_id = caller.organization_id, str(data["client_id"])
        session_id = str(data["session_id"]) if data["session_id"] else None
        with self.db.transaction() as uow:
            domain.check_clients([client_id], clients.live_clients(uow.session, org,
                                                                   [client_id]), "client_id")
            if session_id and not sessions.attends(uow.session, org, session_id, client_id):
                raise ValidationFailed("not a session of this client", {
                    "session_id": ["not a session this client attends"]})
            row = payments.insert_payment(uow.session, org, {
                "id": str(uuid.uuid4()), "client_id": client_id,
                "amount_minor": data["amount_minor"],
                "currency": data["currency"], "paid_on": data["paid_on"],
                "method": data["method"], "session_id": session_id,
                "recorded_by": caller.user_id})
            uow.emit("payment_recorded", {
                "payment_id": row["id"], "client_id": client_id,
                "amount_minor": row["amount_minor"], "currency": row["currency"],
                "paid_on": row["paid_on"], "session_id": session_id}, organization_id=org)
        return PAYMENT.dump(row)

    @rpc(expected_exceptions=CaseworkError)
    def list_payments(self, caller, params):
        caller = callers.staff(caller)
        query = load(PAYMENT_QUERY, params)
        offset, limit = cursors.offset(query.get("cursor")), query["limit"]
        with self.db.read() as session:
            rows = payments.page(session, caller.organization_id,
                                 client_id=str(query["client_id"]) if query.get("client_id")
                                 else None, offset=offset, limit=limit)
        items, next_cursor = cursors.offset_page(rows, offset, limit)
        return PAYMENT_PAGE.dump({"items": items, "next_cursor": next_cursor})

    @rpc(expected_exceptions=CaseworkError)
    def delete_payment(self, caller, payment_id):
        caller = callers.staff(caller)
        payment_id = callers.known_id(payment_id, "payment")
        with self.db.transaction() as uow:
            if not payments.delete_payment(uow.session, caller.organization_id, payment_id,
                                           caller.user_id):
                raise NotFound("payment not found")
