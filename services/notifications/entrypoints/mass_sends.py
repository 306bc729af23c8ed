"""Mass sending (NOT-7): a message or a request to a group or a list of up to 10,000 clients,
as background work with progress and a result per recipient.

- Who may: administrators of the agency (``agency_admin``): a mass send speaks to thousands of
  clients in the agency's name at once.
- ``create_mass_send`` asks records once who the recipients are (``message_recipients``: one
  statement for 10,000), decides what it can at once (a message is skipped for a record with no
  portal account, a banned client, an inactive or closed record, an employee record; an id
  that is not the agency's live record fails ``not_found``) and stores one row per recipient
  with the send, in one transaction: 202 with its id.
- ``run_mass_sends`` (a timer in every notifications instance) claims the next pending
  recipients of each running send, ``BATCH`` at a time, with ``FOR UPDATE SKIP LOCKED`` (so
  instances share the work), and does each batch in the claiming transaction: a message with
  one statement (threads, messages, e-mails, events, outcomes: ``queries.mass_sends``), a
  request with one call of records' ``create_requests`` (keyed by the send: a repeat answers the
  requests made first) and one statement for the outcomes. A worker killed mid-way leaves its
  batch pending and uncommitted; the next claim does it, once.
- ``get_mass_send``: ``{total, done, failed, results}``; ``done`` counts the sent and the
  skipped."""

from __future__ import annotations

import logging

from nameko.timer import timer

from casework import callers
from casework.config import settings
from casework.errors import CaseworkError, NotFound, ServiceUnavailable
from casework.rpc import rpc
from casework.validation import load
from contracts.messages import MassSendCreatedSchema, MassSendCreateSchema, MassSendSchema

from .. import domain
from ..queries import mass_sends, organizations
from ..sender import smtp_settings
from .messages import clean_body

log = logging.getLogger(__name__)

CREATE = MassSendCreateSchema()
CREATED = MassSendCreatedSchema()
MASS_SEND = MassSendSchema()
BATCH = 1000  # recipients per claim (one statement each)
TICK = 0.5  # seconds between looks for pending work


def decide(kind: str, found: list[dict], missing: list[str]) -> list[dict]:
    """Each recipient's row as created: pending, or decided already."""
    rows = []
    for item in found:
        code = (domain.recipient_skip(item["kind"], item["status"], item["portal_status"])
                if kind == "message" else
                ("not_a_client" if item["kind"] != "client" else None))
        rows.append({"record_id": str(item["record_id"]),
                     "outcome": "skipped" if code else "pending", "code": code,
                     "email": item["email"], "first_name": item["first_name"] or item["name"]})
    rows.extend({"record_id": str(i), "outcome": "failed", "code": "not_found", "email": None,
                 "first_name": None} for i in missing)
    return rows


class MassSendEntrypoints:
    @rpc(expected_exceptions=CaseworkError)
    def create_mass_send(self, caller, payload):
        raw, caller = caller, callers.administrator(caller)
        data = load(CREATE, payload)
        kind = "message" if data["message"] is not None else "request"
        body = clean_body(data["message"]["body"]) if kind == "message" else None
        if data["group_id"] is not None:
            query = {"group_id": str(data["group_id"])}
        else:
            query = {"record_ids": [str(i) for i in data["record_ids"]]}
        found = self.records.message_recipients(raw, query)
        rows = decide(kind, found["items"], found["missing"])
        mass_send_id = domain.new_id()
        stored_caller = {"kind": "staff", "organization_id": caller.organization_id,
                         "user_id": caller.user_id, "permissions": sorted(caller.permissions)}
        with self.db.transaction() as uow:
            mass_sends.create(uow.session, {
                "id": mass_send_id, "organization_id": caller.organization_id,
                "created_by": caller.user_id, "caller": stored_caller, "kind": kind,
                # the request as sent (its JSON), checked by the contract above; records checks
                # it again when it makes it
                "body": body, "request": payload.get("request") if kind == "request" else None,
                "total": len(rows),
                "status": "running" if any(r["outcome"] == "pending" for r in rows)
                else "done"}, rows)
        return CREATED.dump({"id": mass_send_id})

    @rpc(expected_exceptions=CaseworkError)
    def get_mass_send(self, caller, mass_send_id):
        caller = callers.administrator(caller)
        mass_send_id = callers.known_id(mass_send_id, "mass send")
        with self.db.read() as session:
            found = mass_sends.get(session, caller.organization_id, mass_send_id)
            if found is None:
                raise NotFound("mass send not found")
            results = mass_sends.results(session, mass_send_id)
        done = sum(1 for r in results if r["outcome"] in ("sent", "skipped"))
        failed = sum(1 for r in results if r["outcome"] == "failed")
        return MASS_SEND.dump({**found, "done": done, "failed": failed, "results": results})

    # --- the background work ---------------------------------------------------------------

    @timer(interval=TICK)
    def run_mass_sends(self):
        """Every running send, batch after batch, until nothing is pending."""
        with self.db.read() as session:
            running = mass_sends.running(session)
        for send in running:
            try:
                while self._batch(send):
                    pass
            except ServiceUnavailable as exc:  # records or the database: the next tick
                log.warning("mass send %s waits: %s", send["id"], exc)
                return

    def _batch(self, send: dict) -> int:
        """One batch of ``send`` in one transaction; the number of recipients it did."""
        with self.db.transaction() as uow:
            claimed = mass_sends.claim(uow.session, send["id"], BATCH)
            if not claimed:
                mass_sends.finish_if_done(uow.session, send["id"])
                return 0
            if send["kind"] == "message":
                self._send_messages(uow, send, claimed)
            else:
                self._send_requests(uow, send, claimed)
        if send["kind"] == "message":
            self.mail_sender.wake()
        return len(claimed)

    def _send_messages(self, uow, send: dict, claimed: list[dict]) -> None:
        org = str(send["organization_id"])
        agency = organizations.get_agency(uow.session, org)
        smtp = smtp_settings()
        domain_name = smtp.mail_from.rpartition("@")[2]
        portal_url = settings().portal_url
        values = {name: [] for name in ("record_ids", "thread_ids", "message_ids", "email_ids",
                                        "to_addresses", "subjects", "texts", "htmls",
                                        "header_ids")}
        from_name = None
        for row in claimed:
            thread_id, email_id = domain.new_id(), domain.new_id()
            values["record_ids"].append(row["record_id"])
            values["thread_ids"].append(thread_id)
            values["message_ids"].append(domain.new_id())
            values["email_ids"].append(email_id)
            values["header_ids"].append(domain.message_id(email_id, domain_name))
            if row["email"]:
                rendered = domain.render("new_message", {
                    "organization_name": agency.name if agency else "Your agency",
                    "first_name": row["first_name"] or "there",
                    "link": domain.portal_thread_link(portal_url, thread_id)}, agency)
                from_name = rendered.from_name
                values["to_addresses"].append(row["email"])
                values["subjects"].append(rendered.subject)
                values["texts"].append(rendered.text)
                values["htmls"].append(rendered.html)
            else:  # no address: the message waits in the portal, no e-mail tells of it
                for name in ("to_addresses", "subjects", "texts", "htmls"):
                    values[name].append(None)
        done = mass_sends.send_messages(uow.session, {
            **values, "organization_id": org, "staff_user_id": str(send["created_by"]),
            "mass_send_id": str(send["id"]), "body": send["body"],
            "from_name": from_name or domain.PLATFORM_NAME,
            "correlation_id": f"mass-send-{send['id']}"})
        uow.stored_by_statement("message_posted", {
            "thread_id": values["thread_ids"][0], "message_id": values["message_ids"][0],
            "record_id": values["record_ids"][0], "author": "staff",
            "author_id": send["created_by"], "staff_user_id": send["created_by"]},
            done["events"])

    def _send_requests(self, uow, send: dict, claimed: list[dict]) -> None:
        """One call of records' ``create_requests`` for the batch, as the send's maker."""
        ids = [str(r["record_id"]) for r in claimed]
        caller = callers.sign({**send["caller"], "request_id": f"mass-send-{send['id']}"})
        try:
            answer = self.records.create_requests(caller, {
                "key": f"mass_send:{send['id']}", "record_ids": ids,
                "request": send["request"]})
        except ServiceUnavailable:  # records or the broker: the batch waits for the next tick
            raise
        except CaseworkError as exc:
            # records refuses the request itself (an unknown assessment, a bad field): every
            # recipient fails with the reason, which the send's results show
            log.warning("mass send %s: records refused the request: %s", send["id"], exc)
            outcomes = self._failed_all(ids, "request_refused")
        except Exception:  # not an answer records gives (no such method in this build...)
            log.exception("mass send %s: the request could not be made", send["id"])
            outcomes = self._failed_all(ids, "request_failed")
        else:
            outcomes = [{"record_id": str(r["record_id"]), "outcome": r["outcome"],
                         "code": r.get("code"), "request_id": r.get("request_id")}
                        for r in answer["results"]]
        mass_sends.record_outcomes(uow.session, str(send["id"]), outcomes)

    @staticmethod
    def _failed_all(ids: list[str], code: str) -> list[dict]:
        return [{"record_id": i, "outcome": "failed", "code": code, "request_id": None}
                for i in ids]
