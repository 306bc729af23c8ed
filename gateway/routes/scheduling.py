"""Staff routes of API.md "Staff: scheduling": availability of clients and staff users (SCH-1),
sessions (SCH-2, SCH-4), payments (SCH-5), slot suggestions and matches (SCH-6) and coverage
(SCH-7). The portal's scheduling routes come with the portal."""

from __future__ import annotations

from contracts.scheduling import (
    AvailabilityBodySchema,
    AvailabilitySchema,
    CoverageSchema,
    MatchesQuerySchema,
    MatchesSchema,
    PaymentCreateSchema,
    PaymentPageSchema,
    PaymentQuerySchema,
    PaymentSchema,
    SessionCreatedSchema,
    SessionCreateSchema,
    SessionPageSchema,
    SessionPatchSchema,
    SessionQuerySchema,
    SessionSchema,
    SlotsQuerySchema,
    SlotsSchema,
)

from ..routing import route

SESSION = "/api/v1/staff/sessions/<session_id>"


class SchedulingRoutes:
    @route("GET", "/api/v1/staff/records/<record_id>/availability", audience="staff",
           responses={200: AvailabilitySchema}, tag="scheduling")
    def get_record_availability(self, call, record_id):
        """A client's weekly availability in the agency's time zone (SCH-1); a blank day is
        unavailable."""
        return self.rpc.scheduling.get_availability(call.caller, "client", record_id)

    @route("PUT", "/api/v1/staff/records/<record_id>/availability", audience="staff",
           body=AvailabilityBodySchema(), responses={200: AvailabilitySchema},
           tag="scheduling")
    def put_record_availability(self, call, record_id, body):
        """Replace a client's weekly availability (SCH-1): inverted or overlapping intervals
        are refused with 422 naming them."""
        return self.rpc.scheduling.put_availability(call.caller, "client", record_id, body)

    @route("GET", "/api/v1/staff/users/<user_id>/availability", audience="staff",
           responses={200: AvailabilitySchema}, tag="scheduling")
    def get_user_availability(self, call, user_id):
        """A staff user's (practitioner's) weekly availability (SCH-1)."""
        return self.rpc.scheduling.get_availability(call.caller, "practitioner", user_id)

    @route("PUT", "/api/v1/staff/users/<user_id>/availability", audience="staff",
           body=AvailabilityBodySchema(), responses={200: AvailabilitySchema},
           tag="scheduling")
    def put_user_availability(self, call, user_id, body):
        """Replace a staff user's weekly availability: one's own, or anyone's with
        ``schedule_any_client`` (SCH-1)."""
        return self.rpc.scheduling.put_availability(call.caller, "practitioner", user_id, body)

    @route("GET", "/api/v1/staff/sessions", audience="staff", query=SessionQuerySchema(),
           responses={200: SessionPageSchema}, tag="scheduling")
    def list_sessions(self, call, query):
        """Sessions by time (cancelled ones included unless ``status`` says otherwise)."""
        return self.rpc.scheduling.list_sessions(call.caller, query)

    @route("POST", "/api/v1/staff/sessions", audience="staff", body=SessionCreateSchema(),
           responses={201: SessionCreatedSchema}, errors=(409,), tag="scheduling")
    def create_session(self, call, body):
        """Book a session, optionally weekly for ``repeat_weeks`` (SCH-2): 409
        ``client_inactive`` (SCH-4), 409 ``practitioner_busy`` unless ``force``; its
        practitioners become navigators of its clients."""
        return 201, self.rpc.scheduling.create_session(call.caller, body)

    @route("GET", SESSION, audience="staff", responses={200: SessionSchema}, tag="scheduling")
    def get_session(self, call, session_id):
        """One session."""
        return self.rpc.scheduling.get_session(call.caller, session_id)

    @route("PATCH", SESSION, audience="staff", body=SessionPatchSchema(),
           responses={200: SessionSchema}, errors=(409,), tag="scheduling")
    def update_session(self, call, session_id, body):
        """Change a scheduled session; the booking rules apply to what is added or moved."""
        return self.rpc.scheduling.update_session(call.caller, session_id, body)

    @route("DELETE", SESSION, audience="staff", responses={204: None}, tag="scheduling")
    def cancel_session(self, call, session_id):
        """Cancel a session; it stays in the history with status ``cancelled``."""
        self.rpc.scheduling.cancel_session(call.caller, session_id)
        return 204, None

    @route("GET", "/api/v1/staff/payments", audience="staff", query=PaymentQuerySchema(),
           responses={200: PaymentPageSchema}, tag="scheduling")
    def list_payments(self, call, query):
        """Payments, newest first, of one client or all (SCH-5)."""
        return self.rpc.scheduling.list_payments(call.caller, query)

    @route("POST", "/api/v1/staff/payments", audience="staff", body=PaymentCreateSchema(),
           responses={201: PaymentSchema}, errors=(409,), tag="scheduling")
    def record_payment(self, call, body):
        """Record a client's payment (SCH-5); 409 ``client_inactive`` (SCH-4)."""
        return 201, self.rpc.scheduling.record_payment(call.caller, body)

    @route("DELETE", "/api/v1/staff/payments/<payment_id>", audience="staff",
           responses={204: None}, tag="scheduling")
    def delete_payment(self, call, payment_id):
        """Delete a payment recorded in error: it no longer shows nor counts (REC-9)."""
        self.rpc.scheduling.delete_payment(call.caller, payment_id)
        return 204, None

    @route("GET", "/api/v1/staff/scheduling/slots", audience="staff", query=SlotsQuerySchema(),
           responses={200: SlotsSchema}, errors=(409,), tag="scheduling")
    def suggest_slots(self, call, query):
        """Free times in the local date range when the client and every practitioner are
        available and none has a session, at least ``duration_minutes`` long (SCH-6)."""
        return self.rpc.scheduling.suggest_slots(call.caller, query)

    @route("GET", "/api/v1/staff/scheduling/matches", audience="staff",
           query=MatchesQuerySchema(), responses={200: MatchesSchema}, errors=(409,),
           tag="scheduling")
    def match_practitioners(self, call, query):
        """Practitioners ranked by how much of their free availability overlaps the
        client's in the range (SCH-6)."""
        return self.rpc.scheduling.match_practitioners(call.caller, query)

    @route("GET", "/api/v1/staff/scheduling/coverage", audience="staff",
           responses={200: CoverageSchema}, tag="scheduling")
    def coverage(self, call):
        """Clients and practitioners available in each hour of the agency's week (SCH-7)."""
        return self.rpc.scheduling.coverage(call.caller)
