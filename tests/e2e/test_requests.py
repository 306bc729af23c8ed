"""Requests to clients end to end (REQ-1 to REQ-3), through the gateway, the bus and the database:
staff ask a client with a portal account for an assessment, a document, a location or a release
of information (ROI); the client fulfils each once in the portal; ``request_fulfilled`` reaches
the bus for the requester's notification, and what was provided shows on the record. Also the
mass-sending RPC ``records.create_requests`` (BRIEF contract 2)."""

from __future__ import annotations

import io
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from kombu import Connection, Exchange, Queue
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject, TextStringObject

from casework.errors import ValidationFailed
from tests.e2e.test_bus_permissions import rpc_as
from tests.e2e.test_portal_invitations import (
    STAFF,
    accept,
    agency,
    client_session,
    invited_token,
    linked,
    record,
)
from tests.e2e.test_records_support import sql
from tests.fixtures import add_staff_member, signed, wait_for

PORTAL = "/api/v1/portal"
QUESTIONS = [
    {"id": "mood", "text": "How do you feel?", "kind": "text"},
    {"id": "nights", "text": "Nights slept rough this month", "kind": "number"},
    {"id": "safe", "text": "Do you feel safe?", "kind": "yes_no"},
    {"id": "housing", "text": "Where do you live?", "kind": "choice",
     "choices": ["Own home", "Rented", "Shelter", "Street"]},
]


def today():
    return datetime.now(UTC).date()


def portal_client(url: str, admin, made: dict):
    client = client_session(accept(url, invited_token(url, admin, made)))
    assert wait_for(lambda: linked(url, client, made["id"]))
    return client


def setup(url: str, features=("requests",)):
    admin = agency(url, features=list(features))
    mine = record(url, admin)
    return admin, mine, portal_client(url, admin, mine)


def ask(url: str, staff, record_id: str, **body):
    return staff.post(f"{url}{STAFF}/records/{record_id}/requests", json=body)


def assessment(url: str, admin, **extra) -> dict:
    made = admin.post(f"{url}{STAFF}/assessments", json={
        "name": f"Wellbeing {uuid.uuid4().hex[:6]}", "questions": QUESTIONS, **extra})
    assert made.status_code == 201, made.text
    return made.json()


def fulfil(url: str, client, request_id: str, **kwargs):
    return client.post(f"{url}{PORTAL}/requests/{request_id}/fulfil", **kwargs)


def pdf(*, script: bool = False, password: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if script:  # an action run when the file opens
        writer.root_object[NameObject("/OpenAction")] = DictionaryObject({
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hello');")})
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@contextmanager
def events_of(bus_users: dict, *names: str):
    """A spy queue of our own on records.events (as an outside system would bind one)."""
    with Connection(bus_users["external"]) as conn:
        exchange = Exchange("records.events", "topic", durable=True, passive=True)
        queue = Queue(f"external.tests.requests-{uuid.uuid4().hex[:8]}", exchange=exchange,
                      routing_key="#", auto_delete=True)
        inbox = conn.SimpleQueue(queue)
        received: list[dict] = []

        def take(count: int, timeout: float = 10.0) -> list[dict]:
            deadline = time.monotonic() + timeout
            while len([e for e in received if e["type"].split(".")[1] in names]) < count:
                assert time.monotonic() < deadline, f"events seen: {received}"
                try:
                    message = inbox.get(timeout=max(0.1, deadline - time.monotonic()))
                except inbox.Empty:
                    continue
                received.append(message.payload)
                message.ack()
            return [e for e in received if e["type"].split(".")[1] in names]

        try:
            yield take
        finally:
            inbox.close()


# --- REQ-1 / REQ-3: an assessment ------------------------------------------------------------

def test_req1_req3_an_assessment_is_asked_answered_once_and_shown_on_the_record(
        portal_url, bus_users, engine):
    url = portal_url
    admin, mine, client = setup(url)
    made = assessment(url, admin)
    assert made["requestable"] is True and made["questions"][3]["choices"][0] == "Own home"
    listed = admin.get(f"{url}{STAFF}/assessments?requestable=true").json()["items"]
    assert [a["id"] for a in listed] == [made["id"]]

    # only administrators define assessments; any staff member of the agency may ask
    member = add_staff_member(url, admin, [])
    assert member.post(f"{url}{STAFF}/assessments", json={
        "name": "X", "questions": QUESTIONS}).status_code == 403
    bad = admin.post(f"{url}{STAFF}/assessments", json={"name": "Bad", "questions": [
        {"id": "q", "text": "Pick", "kind": "choice", "choices": ["only one"]},
        {"id": "q", "text": "Again", "kind": "text", "choices": ["x", "y"]}]})
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error", bad.text

    # not requestable, or another agency's: refused
    hidden = assessment(url, admin, requestable=False)
    refused = ask(url, admin, mine["id"], type="assessment", assessment_id=hidden["id"])
    assert refused.status_code == 422 and "assessment_id" in refused.json()["errors"]
    other = agency(url, features=["requests"])
    theirs = assessment(url, other)
    assert ask(url, admin, mine["id"], type="assessment",
               assessment_id=theirs["id"]).status_code == 422
    assert ask(url, admin, mine["id"], type="assessment").status_code == 422  # no id

    with events_of(bus_users, "request_created", "request_fulfilled") as take:
        sent = ask(url, member, mine["id"], type="assessment", assessment_id=made["id"],
                   private=True)
        assert sent.status_code == 201, sent.text
        request = sent.json()
        assert request["status"] == "requested" and request["private"] is True
        assert request["title"] == f"Assessment: {made['name']}"
        assert request["requested_by"] == member.user_id

        # the client sees it with its questions
        page = client.get(f"{url}{PORTAL}/records/{mine['id']}/requests")
        assert page.status_code == 200, page.text
        (seen,) = page.json()["items"]
        assert seen["id"] == request["id"] and seen["assessment"]["questions"][0]["id"] == "mood"

        wrong = fulfil(url, client, request["id"], json={"answers": {
            "mood": "", "nights": "three", "safe": "yes", "housing": "Castle", "extra": 1}})
        assert wrong.status_code == 422, wrong.text
        assert set(wrong.json()["errors"]) == {"answers.mood", "answers.nights", "answers.safe",
                                               "answers.housing", "answers.extra"}
        missing = fulfil(url, client, request["id"], json={"answers": {"mood": "ok"}})
        assert missing.status_code == 422 and "answers.safe" in missing.json()["errors"]
        location_shaped = fulfil(url, client, request["id"], json={"latitude": 1, "longitude": 2})
        assert location_shaped.status_code == 422, location_shaped.text

        answers = {"mood": "Better", "nights": 2, "safe": True, "housing": "Shelter"}
        done = fulfil(url, client, request["id"], json={"answers": answers})
        assert done.status_code == 200, done.text
        assert done.json()["status"] == "fulfilled" and done.json()["fulfilled_at"]

        created, fulfilled = take(2)
        assert created["type"] == "records.request_created"
        assert fulfilled["type"] == "records.request_fulfilled"
        assert fulfilled["organization_id"] == admin.organization_id
        assert fulfilled["data"] == {
            "request_id": request["id"], "record_id": mine["id"], "type": "assessment",
            "requested_by": member.user_id, "private": True, "title": request["title"],
            "fulfilled_at": fulfilled["data"]["fulfilled_at"]}

    # once only
    again = fulfil(url, client, request["id"], json={"answers": answers})
    assert again.status_code == 409 and again.json()["code"] == "request_closed", again.text

    # the record shows the answers, privately marked
    (shown,) = admin.get(f"{url}{STAFF}/records/{mine['id']}/requests").json()["items"]
    assert shown["status"] == "fulfilled" and shown["answers"] == answers
    assert shown["private"] is True
    assert admin.get(f"{url}{STAFF}/records/{mine['id']}/requests?status=requested"
                     ).json()["items"] == []
    actions = [a for (a,) in sql(engine, "SELECT action FROM records.audit_entries "
                                 "WHERE record_id = :r ORDER BY id", r=mine["id"])]
    assert "request_sent" in actions and "request_fulfilled" in actions
    assert "requests_read" in actions


# --- REQ-1 / REQ-3: documents ----------------------------------------------------------------

def test_req1_req3_documents_are_checked_by_content_and_downloadable(portal_url):
    url = portal_url
    admin, mine, client = setup(url)
    categories = admin.get(f"{url}{STAFF}/document-categories")
    assert categories.status_code == 200
    assert {"category": "address", "names": ["Proof of address", "Utility bill",
                                             "Tenancy agreement"]} in categories.json()["items"]

    for body, field in (({"document_category": "address", "document_name": "Passport"},
                         "document_name"),
                        ({"document_category": "address", "document_name": "other"},
                         "other_name"),
                        ({"document_category": "nowhere", "document_name": "Utility bill"},
                         "document_category"),
                        ({"document_category": "address"}, "document_name")):
        refused = ask(url, admin, mine["id"], type="document", **body)
        assert refused.status_code == 422 and field in refused.json()["errors"], refused.text

    named = ask(url, admin, mine["id"], type="document", document_category="address",
                document_name="Proof of address", private=True)
    assert named.status_code == 201, named.text
    assert named.json()["title"] == "Document: Proof of address"
    other = ask(url, admin, mine["id"], type="document", document_category="other",
                document_name="other", other_name="Library card")
    assert other.status_code == 201 and other.json()["title"] == "Document: Library card"
    request_id, image_request = named.json()["id"], other.json()["id"]

    def upload(data: bytes, content_type: str, target: str = request_id):
        return fulfil(url, client, target, data=data, headers={"Content-Type": content_type})

    # JSON for a document, a declared type not accepted, content that is no document
    assert fulfil(url, client, request_id, json={"answers": {}}).status_code == 415
    assert upload(b"hello", "text/plain").status_code == 415
    assert upload(b"not a pdf at all", "application/pdf").status_code == 415
    broken = upload(b"%PDF-1.7\n" + b"\x00garbage" * 100, "application/pdf")
    assert broken.status_code == 415 and "parse" in broken.json()["detail"], broken.text
    encrypted = upload(pdf(password="secret"), "application/pdf")
    assert encrypted.status_code == 415 and "encrypted" in encrypted.json()["detail"]
    scripted = upload(pdf(script=True), "application/pdf")
    assert scripted.status_code == 415 and "JavaScript" in scripted.json()["detail"]
    too_big = upload(b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024), "application/pdf")
    assert too_big.status_code == 413 and too_big.json()["code"] == "payload_too_large"

    document = pdf()
    done = upload(document, "application/octet-stream")  # the bytes decide
    assert done.status_code == 200, done.text
    assert upload(document, "application/pdf").status_code == 409  # once only
    picture = upload(png(), "image/png", image_request)
    assert picture.status_code == 200, picture.text

    listed = admin.get(f"{url}{STAFF}/records/{mine['id']}/documents").json()["items"]
    assert [(d["name"], d["category"], d["content_type"], d["private"]) for d in listed] == [
        ("Library card", "other", "image/png", False),
        ("Proof of address", "address", "application/pdf", True)]
    pdf_item = listed[1]
    assert pdf_item["byte_size"] == len(document)
    download = admin.get(f"{url}{pdf_item['url']}")
    assert download.status_code == 200 and download.content == document
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="document-{pdf_item["id"]}.pdf"')
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(admin.get(f"{url}{listed[0]['url']}").content))
    assert image.format == "PNG" and image.size == (8, 8)  # re-encoded, same pixels
    (fulfilled,) = [r for r in admin.get(f"{url}{STAFF}/records/{mine['id']}/requests").json()[
        "items"] if r["id"] == request_id]
    assert fulfilled["document_id"] == pdf_item["id"]

    # another agency's staff: 404 for the record's documents like an unknown record
    stranger = agency(url)
    assert stranger.get(f"{url}{pdf_item['url']}").status_code == 404
    assert stranger.get(f"{url}{STAFF}/records/{mine['id']}/documents").status_code == 404
    assert admin.get(f"{url}{STAFF}/records/{mine['id']}/documents/{uuid.uuid4()}"
                     ).status_code == 404


# --- REQ-2: releases of information ----------------------------------------------------------

def test_req2_an_active_roi_refuses_a_new_roi_request_until_7_days_before_it_expires(
        portal_url, engine):
    url = portal_url
    admin, mine, client = setup(url)
    first = ask(url, admin, mine["id"], type="roi")
    assert first.status_code == 201, first.text
    assert first.json()["title"] == "Release of information"
    assert ask(url, admin, mine["id"], type="roi", private=True).status_code == 422

    inverted = fulfil(url, client, first.json()["id"], json={
        "starts_on": str(today()), "expires_on": str(today() - timedelta(days=1)),
        "signed_name": "Cleo Client"})
    assert inverted.status_code == 422 and "expires_on" in inverted.json()["errors"]
    expired = fulfil(url, client, first.json()["id"], json={
        "starts_on": str(today() - timedelta(days=30)),
        "expires_on": str(today() - timedelta(days=1)), "signed_name": "Cleo Client"})
    assert expired.status_code == 422, expired.text
    signed_roi = fulfil(url, client, first.json()["id"], json={
        "starts_on": str(today()), "expires_on": str(today() + timedelta(days=90)),
        "signed_name": "Cleo Client"})
    assert signed_roi.status_code == 200, signed_roi.text

    (roi,) = admin.get(f"{url}{STAFF}/records/{mine['id']}/rois").json()["items"]
    assert roi["active"] is True and roi["signed_name"] == "Cleo Client"
    assert roi["request_id"] == first.json()["id"]

    refused = ask(url, admin, mine["id"], type="roi")
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "roi_active"
    assert refused.json()["rois_url"] == f"/api/v1/staff/records/{mine['id']}/rois"
    assert refused.json()["rois_url"] in refused.json()["detail"]
    # other kinds of request are not held up by the ROI
    assert ask(url, admin, mine["id"], type="location").status_code == 201

    # within 7 days of its expiry, a renewal may be asked for
    sql(engine, "UPDATE records.client_rois SET expires_on = :d WHERE id = :i",
        d=today() + timedelta(days=7), i=roi["id"])
    renewal = ask(url, admin, mine["id"], type="roi")
    assert renewal.status_code == 201, renewal.text
    # an ROI that has not started yet is not active
    sql(engine, "UPDATE records.client_rois SET starts_on = :s, expires_on = :d WHERE id = :i",
        s=today() + timedelta(days=3), d=today() + timedelta(days=90), i=roi["id"])
    assert ask(url, admin, mine["id"], type="roi").status_code == 201


def test_req3_a_location_is_provided_and_shown(portal_url):
    url = portal_url
    admin, mine, client = setup(url)
    sent = ask(url, admin, mine["id"], type="location", private=True)
    assert sent.status_code == 201 and sent.json()["title"] == "Location"
    out_of_range = fulfil(url, client, sent.json()["id"], json={"latitude": 91,
                                                                "longitude": 0})
    assert out_of_range.status_code == 422 and "latitude" in out_of_range.json()["errors"]
    unknown = fulfil(url, client, sent.json()["id"], json={"latitude": 1, "longitude": 2,
                                                           "colour": "red"})
    assert unknown.status_code == 422, unknown.text
    assert fulfil(url, client, sent.json()["id"], data=b"{not json",
                  headers={"Content-Type": "application/json"}).status_code == 400
    done = fulfil(url, client, sent.json()["id"], json={
        "latitude": 51.5072, "longitude": -0.1276, "address": "Trafalgar Square, London"})
    assert done.status_code == 200, done.text
    (shown,) = admin.get(f"{url}{STAFF}/records/{mine['id']}/requests").json()["items"]
    assert shown["location"] == {"latitude": 51.5072, "longitude": -0.1276,
                                 "address": "Trafalgar Square, London"}
    assert shown["private"] is True and shown["status"] == "fulfilled"


# --- who may be asked, and who may fulfil ----------------------------------------------------

def test_req1_only_clients_with_a_portal_account_active_and_an_agency_portal_with_requests(
        portal_url):
    url = portal_url
    admin, mine, client = setup(url)
    plain = record(url, admin)  # no portal account
    refused = ask(url, admin, plain["id"], type="location")
    assert refused.status_code == 409 and refused.json()["code"] == "no_portal_account"
    assert ask(url, admin, str(uuid.uuid4()), type="location").status_code == 404
    assert ask(url, admin, "not-an-id", type="location").status_code == 404
    assert ask(url, admin, mine["id"], type="letter").status_code == 422

    for status in ("inactive", "closed"):
        assert admin.put(f"{url}{STAFF}/records/{mine['id']}/status",
                         json={"status": status}).status_code == 200
        inactive = ask(url, admin, mine["id"], type="location")
        assert inactive.status_code == 409 and inactive.json()["code"] == "client_inactive"
    assert admin.put(f"{url}{STAFF}/records/{mine['id']}/status",
                     json={"status": "active"}).status_code == 200

    assert admin.patch(f"{url}{STAFF}/settings",
                       json={"portal_features": ["messages"]}).status_code == 200
    off = ask(url, admin, mine["id"], type="location")
    assert off.status_code == 409 and off.json()["code"] == "portal_not_enabled"
    assert admin.patch(f"{url}{STAFF}/settings",
                       json={"portal_features": ["requests"]}).status_code == 200
    assert ask(url, admin, mine["id"], type="location").status_code == 201


def test_req3_a_client_fulfils_only_their_own_open_requests_while_allowed(portal_url):
    url = portal_url
    admin, mine, client = setup(url)
    theirs = record(url, admin)
    other_client = portal_client(url, admin, theirs)
    body = {"latitude": 1.5, "longitude": 2.5}
    sent = ask(url, admin, mine["id"], type="location").json()
    their_request = ask(url, admin, theirs["id"], type="location").json()

    # another client's request, or an unknown one: the same 404
    assert fulfil(url, other_client, sent["id"], json=body).status_code == 404
    assert fulfil(url, client, their_request["id"], json=body).status_code == 404
    assert fulfil(url, client, str(uuid.uuid4()), json=body).status_code == 404
    assert client.get(f"{url}{PORTAL}/records/{theirs['id']}/requests").status_code == 404
    # staff tokens are not portal tokens
    assert fulfil(url, admin, sent["id"], json=body).status_code in (401, 403)

    # the agency's requests feature off, then its portal off: 403
    assert admin.patch(f"{url}{STAFF}/settings",
                       json={"portal_features": ["messages"]}).status_code == 200
    assert fulfil(url, client, sent["id"], json=body).status_code == 403
    assert client.get(f"{url}{PORTAL}/records/{mine['id']}/requests").status_code == 403
    assert admin.patch(f"{url}{STAFF}/settings", json={
        "portal_enabled": False, "portal_features": ["requests"]}).status_code == 200
    assert fulfil(url, client, sent["id"], json=body).status_code == 403
    assert admin.patch(f"{url}{STAFF}/settings",
                       json={"portal_enabled": True}).status_code == 200

    # banned there: 403
    assert admin.put(f"{url}{STAFF}/records/{mine['id']}/portal-status",
                     json={"portal_status": "banned"}).status_code == 200
    assert fulfil(url, client, sent["id"], json=body).status_code == 403
    assert admin.put(f"{url}{STAFF}/records/{mine['id']}/portal-status",
                     json={"portal_status": "active"}).status_code == 200

    # a cancelled request leaves the client's list and cannot be fulfilled
    cancelled = admin.post(f"{url}{STAFF}/records/{mine['id']}/requests/{sent['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert admin.post(f"{url}{STAFF}/records/{mine['id']}/requests/{sent['id']}/cancel"
                      ).status_code == 409
    assert client.get(f"{url}{PORTAL}/records/{mine['id']}/requests").json()["items"] == []
    assert fulfil(url, client, sent["id"], json=body).status_code == 404
    assert fulfil(url, other_client, their_request["id"], json=body).status_code == 200
    assert admin.post(f"{url}{STAFF}/records/{theirs['id']}/requests/{their_request['id']}"
                      "/cancel").json()["code"] == "request_closed"


# --- mass sending: records.create_requests (BRIEF contract 2) --------------------------------

def test_create_requests_gives_a_result_per_id_and_is_idempotent_by_key(
        portal_url, bus_users, engine):
    url = portal_url
    admin, mine, client = setup(url)
    plain = record(url, admin)
    inactive = record(url, admin)
    signed_up = portal_client(url, admin, inactive)
    assert signed_up and admin.put(f"{url}{STAFF}/records/{inactive['id']}/status",
                                   json={"status": "inactive"}).status_code == 200
    unknown = str(uuid.uuid4())
    caller = signed({"kind": "staff", "organization_id": admin.organization_id,
                     "user_id": admin.user_id, "permissions": [], "request_id": "mass-1"})
    payload = {"key": "send-1", "record_ids": [mine["id"], plain["id"], inactive["id"], unknown],
               "request": {"type": "document", "document_category": "income",
                           "document_name": "Payslip"}}
    with rpc_as(bus_users["gateway"], "gateway") as rpc:
        first = rpc.records.create_requests(caller, payload)["results"]
        again = rpc.records.create_requests(caller, payload)["results"]
    assert [(r["record_id"], r["outcome"], r["code"]) for r in first] == [
        (mine["id"], "sent", None), (plain["id"], "skipped", "no_portal_account"),
        (inactive["id"], "skipped", "client_inactive"), (unknown, "failed", "not_found")]
    assert first[0]["request_id"] and [r["request_id"] for r in first[1:]] == [None] * 3
    assert again == first  # the same request answered, nothing new
    assert sql(engine, "SELECT count(*) FROM records.client_requests WHERE record_id = :r",
               r=mine["id"])[0][0] == 1
    assert sql(engine, "SELECT count(*) FROM records.outbox WHERE routing_key = "
               "'request_created' AND payload->'data'->>'record_id' = :r",
               r=mine["id"])[0][0] == 1
    (seen,) = client.get(f"{url}{PORTAL}/records/{mine['id']}/requests").json()["items"]
    assert seen["title"] == "Document: Payslip"

    # another key is another send; an id given twice is refused before anything is made
    with rpc_as(bus_users["gateway"], "gateway") as rpc:
        other = rpc.records.create_requests(caller, {**payload, "key": "send-2"})["results"]
        with pytest.raises(ValidationFailed):
            rpc.records.create_requests(caller, {**payload, "key": "send-3",
                                                 "record_ids": [mine["id"], mine["id"]]})
    assert other[0]["outcome"] == "sent" and other[0]["request_id"] != first[0]["request_id"]
    assert sql(engine, "SELECT count(*) FROM records.client_requests WHERE record_id = :r",
               r=mine["id"])[0][0] == 2


def test_create_requests_for_10000_records_in_one_call(portal_url, bus_users, engine):
    """10,000 records with portal accounts (made in SQL: the invitation path is covered
    above), asked in one call: one request, audit row and event each; the repeat makes none."""
    url = portal_url
    admin = agency(url, features=["requests"])
    org = admin.organization_id
    sql(engine, """
        INSERT INTO records.records (id, organization_id, kind, first_name, last_name,
            case_number, status, portal_status, search_text, name_text, sort_name)
        SELECT gen_random_uuid(), CAST(:o AS uuid), 'client', 'Mass', 'Client ' || n,
               'M-' || n, 'active', 'active', 'mass client ' || n, 'mass client ' || n,
               'client ' || n || ' mass'
        FROM generate_series(1, 10000) AS n""", o=org)
    ids = [str(i) for (i,) in sql(engine, "SELECT id FROM records.records WHERE "
                                          "organization_id = :o ORDER BY case_number", o=org)]
    assert len(ids) == 10000
    caller = signed({"kind": "staff", "organization_id": org, "user_id": admin.user_id,
                     "permissions": [], "request_id": "mass-10k"})
    payload = {"key": "mass-10k", "record_ids": ids, "request": {"type": "location"}}
    with rpc_as(bus_users["gateway"], "gateway", timeout=60) as rpc:
        started = time.perf_counter()
        results = rpc.records.create_requests(caller, payload)["results"]
        first_call = time.perf_counter() - started
        started = time.perf_counter()
        repeat = rpc.records.create_requests(caller, payload)["results"]
        second_call = time.perf_counter() - started
    print(f"create_requests, 10,000 records: {first_call:.2f} s; repeat {second_call:.2f} s")
    assert [r["record_id"] for r in results] == ids
    assert {r["outcome"] for r in results} == {"sent"}
    assert repeat == results
    counts = sql(engine, """
        SELECT (SELECT count(*) FROM records.client_requests WHERE organization_id = :o),
               (SELECT count(*) FROM records.audit_entries WHERE organization_id = :o
                  AND action = 'request_sent'),
               (SELECT count(*) FROM records.outbox WHERE routing_key = 'request_created'
                  AND payload->>'organization_id' = CAST(:o AS text))""", o=org)[0]
    assert tuple(counts) == (10000, 10000, 10000)
    unpublished = ("SELECT count(*) FROM records.outbox WHERE routing_key = 'request_created' "
                   "AND published_at IS NULL AND payload->>'organization_id' = CAST(:o AS text)")
    assert wait_for(lambda: sql(engine, unpublished, o=org)[0][0] == 0, timeout=30)


def test_req3_concurrent_fulfilments_of_one_request_one_wins(portal_url, bus_users, engine):
    """Twenty fulfilments of one request at once: one 200, the others 409 ``request_closed``;
    one ROI, one audit row and one ``request_fulfilled`` event."""
    from concurrent.futures import ThreadPoolExecutor

    url = portal_url
    admin, mine, client = setup(url)
    sent = ask(url, admin, mine["id"], type="roi").json()
    body = {"starts_on": str(today()), "expires_on": str(today() + timedelta(days=30)),
            "signed_name": "Cleo Client"}
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: fulfil(url, client, sent["id"], json=body),
                                range(20)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [409] * 19, [a.text for a in answers if a.status_code != 409]
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"request_closed"}
    counts = sql(engine, """
        SELECT (SELECT count(*) FROM records.client_rois WHERE record_id = :r),
               (SELECT count(*) FROM records.audit_entries WHERE record_id = :r
                  AND action = 'request_fulfilled'),
               (SELECT count(*) FROM records.outbox WHERE routing_key = 'request_fulfilled'
                  AND payload->'data'->>'request_id' = CAST(:q AS text))""",
                 r=mine["id"], q=sent["id"])[0]
    assert tuple(counts) == (1, 1, 1)


def test_req3_a_pdf_near_the_10_mib_limit_is_accepted_whole(portal_url):
    """The document limit is the API's (10 MiB for a PDF), not the RPC's: 9 MB goes through
    the gateway, the bus and the database and comes back byte for byte."""
    url = portal_url
    admin, mine, client = setup(url)
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    stream = StreamObject()
    stream.set_data(b"0123456789" * 900_000)
    writer.pages[0][NameObject("/Extra")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    document = out.getvalue()
    assert 9_000_000 < len(document) < 10 * 1024 * 1024
    sent = ask(url, admin, mine["id"], type="document", document_category="income",
               document_name="Bank statement").json()
    done = fulfil(url, client, sent["id"], data=document,
                  headers={"Content-Type": "application/pdf"})
    assert done.status_code == 200, done.text
    (listed,) = admin.get(f"{url}{STAFF}/records/{mine['id']}/documents").json()["items"]
    assert listed["byte_size"] == len(document)
    assert admin.get(f"{url}{listed['url']}").content == document
