"""The portal's own account, agency records, requests and access pages in the browser (REQ-1
to REQ-3, ID-4 to ID-6): staff ask through the API, the client fulfils each kind of request in
Chromium (a real PNG and a small PDF uploaded as files, a refused text file, an assessment, an
ROI, a location with the keyboard alone) and the staff API then shows what was provided; the
client edits their details, password and agency record, sees a staff member's view of their
record, reads it in Spanish, and another client's record answers 404. axe on every page and
state (tests/web/flows_portal.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import requests

from tests.e2e.test_portal_invitations import STAFF, agency, record
from tests.e2e.test_requests import QUESTIONS, pdf
from tests.fixtures import wait_for
from tests.web.test_pages import PASSWORD, accepted_token

PORTAL = "/api/v1/portal"
FEATURES = ["profile_editing", "availability", "sessions", "messages", "requests"]


def client_of(url: str, admin, **fields) -> tuple[dict, requests.Session]:
    """A record of ``admin``'s agency whose client accepted the invitation, and the client's
    API session once the record is linked."""
    made = record(url, admin, **fields)
    answer = admin.post(f"{url}{STAFF}/records/{made['id']}/invitation", json={"confirm": True})
    assert answer.status_code == 201, answer.text
    client = requests.Session()
    client.headers["Authorization"] = f"Bearer {accepted_token(url, made['email'])}"
    assert wait_for(lambda: client.get(f"{url}{PORTAL}/records/{made['id']}").status_code == 200,
                    timeout=20)
    return made, client


def noise_png() -> bytes:
    """A real photo-sized PNG (about 1.5 MB: noise does not compress)."""
    import io
    import os

    from PIL import Image

    out = io.BytesIO()
    Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3)).save(out, format="PNG")
    return out.getvalue()


def ask(url: str, admin, record_id: str, **body) -> dict:
    answer = admin.post(f"{url}{STAFF}/records/{record_id}/requests", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_documents_sent_from_the_portal_and_seen_on_the_record(
        web_url, gateway_url, browser, tmp_path):
    """The seed workflow: staff ask for documents through the API; the client uploads a real
    photo and a small PDF in the browser; the staff API lists both documents."""
    url = gateway_url
    admin = agency(url, features=FEATURES)
    made, _client = client_of(url, admin, first_name="Rosa", last_name="Delgado")
    rid = made["id"]
    photo = ask(url, admin, rid, type="document", document_category="identity",
                document_name="Passport")
    letter = ask(url, admin, rid, type="document", document_category="income",
                 document_name="other", other_name="Letter from the council")
    where = ask(url, admin, rid, type="location")
    (tmp_path / "passport.png").write_bytes(photo_bytes := noise_png())
    assert len(photo_bytes) > 1024 * 1024  # more than the web process takes on other pages
    (tmp_path / "big.pdf").write_bytes(b"%PDF-1.7\n" + b"0" * (11 * 1024 * 1024))
    (tmp_path / "letter.pdf").write_bytes(pdf())
    (tmp_path / "notes.txt").write_text("not a document")

    result = browser(
        "portal_sends_documents", web_url=web_url, username=made["email"], password=PASSWORD,
        agency=admin.agency_name, record_id=rid, png_path=str(tmp_path / "passport.png"),
        pdf_path=str(tmp_path / "letter.pdf"), text_path=str(tmp_path / "notes.txt"),
        big_path=str(tmp_path / "big.pdf"), titles={"photo": photo["title"],
                                                    "pdf": letter["title"]})

    assert "Rosa Delgado" in result["record"] and made["case_number"] in result["record"]
    assert result["menu"] == ["Your record", "Messages", "Requests", "When you are available",
                              "Sessions", "Payments", "Who has seen your record"]
    for page in ("availability", "sessions", "payments"):
        assert f"/portal/records/{rid}/{page}" in result["menu_links"]
    assert set(result["open_before"]) == {photo["title"], letter["title"], where["title"]}
    assert "This file cannot be used. Send a PDF" in result["refused"]
    assert "This file cannot be used" in result["refused_field"]
    assert "The file is too large: a PDF can be at most 10 MB" in result["too_large"]
    assert "The file is too large" in result["too_large_field"]
    assert f"{photo['title']} has been sent to {admin.agency_name}" in result["photo_sent"]
    assert result["open_after"] == [where["title"]] and len(result["done_after"]) == 2

    listed = {r["id"]: r for r in admin.get(f"{url}{STAFF}/records/{rid}/requests").json()["items"]}
    assert listed[photo["id"]]["status"] == listed[letter["id"]]["status"] == "fulfilled"
    documents = admin.get(f"{url}{STAFF}/records/{rid}/documents").json()["items"]
    assert sorted(d["content_type"] for d in documents) == ["application/pdf", "image/png"]
    assert {d["request_id"] for d in documents} == {photo["id"], letter["id"]}
    for document in documents:
        got = admin.get(f"{url}{document['url']}" if document["url"].startswith("/")
                        else document["url"])
        assert got.status_code == 200 and got.content[:4] in (b"%PDF", b"\x89PNG")
    [image] = [d for d in documents if d["content_type"] == "image/png"]
    assert image["byte_size"] > 1024 * 1024


def test_an_assessment_an_roi_and_a_location_given_in_the_portal(web_url, gateway_url, browser):
    url = gateway_url
    admin = agency(url, features=["requests"])
    made, _client = client_of(url, admin, first_name="Rosa", last_name="Delgado")
    rid = made["id"]
    survey = admin.post(f"{url}{STAFF}/assessments", json={
        "name": f"Wellbeing {uuid.uuid4().hex[:6]}", "questions": QUESTIONS})
    assert survey.status_code == 201, survey.text
    answers = ask(url, admin, rid, type="assessment", assessment_id=survey.json()["id"])
    where = ask(url, admin, rid, type="location", private=True)
    roi = ask(url, admin, rid, type="roi")
    today = datetime.now(UTC).date()
    starts, expires = today, today + timedelta(days=365)

    result = browser(
        "portal_answers_requests", web_url=web_url, username=made["email"], password=PASSWORD,
        record_id=rid,
        titles={"assessment": answers["title"], "roi": roi["title"], "location": where["title"],
                "location_id": where["id"],
                "roi_starts": [str(starts.day), str(starts.month), str(starts.year)],
                "roi_expiry": [str(expires.day), str(expires.month), str(expires.year)],
                "roi_bad_expiry": [str(starts.day), str(starts.month), str(starts.year - 1)]})

    assert "Write an answer" in result["assessment_empty"]
    assert "Choose yes or no" in result["assessment_empty"]
    assert "Enter a number" in result["assessment_empty"]
    assert "The end date must be" in result["roi_refused"]
    assert "address" in result["focused"] and "latitude" in result["focused"]
    assert result["open_after"] == [] and len(result["done_after"]) == 3
    assert result["again"] == "You have already done this." and result["forms_again"] == 0

    # the staff API: each request fulfilled, with what the client gave
    listed = {r["id"]: r for r in admin.get(f"{url}{STAFF}/records/{rid}/requests").json()["items"]}
    assert all(listed[r["id"]]["status"] == "fulfilled" for r in (answers, where, roi))
    assert listed[answers["id"]]["answers"] == {
        "mood": "Better than last week", "nights": 2, "safe": True, "housing": "Rented"}
    assert listed[where["id"]]["location"] == {
        "latitude": 55.9756, "longitude": -3.171, "address": "1 Harbour Street, Leith"}
    [signed] = admin.get(f"{url}{STAFF}/records/{rid}/rois").json()["items"]
    assert signed["signed_name"] == "Rosa Delgado"
    assert signed["starts_on"] == starts.isoformat()
    assert signed["expires_on"] == expires.isoformat()


def test_account_agency_record_access_and_spanish(web_url, gateway_url, browser):
    url = gateway_url
    admin = agency(url, features=["profile_editing", "requests"])
    made, client = client_of(url, admin, first_name="Rosa", last_name="Delgado")
    _other, _other_client = client_of(url, agency(url), first_name="Otto")
    me = admin.get(f"{url}{STAFF}/me").json()
    staff_name = f"{me['first_name']} {me['last_name']}"
    assert admin.get(f"{url}{STAFF}/records/{made['id']}").status_code == 200  # a staff view
    assert wait_for(lambda: client.get(f"{url}{PORTAL}/records/{made['id']}/access")
                    .json()["items"], timeout=20)
    new_password = "a brand new portal passphrase"

    result = browser("portal_account_and_records", web_url=web_url, username=made["email"],
                     password=PASSWORD, new_password=new_password, agency=admin.agency_name,
                     record_id=made["id"], foreign_record_id=_other["id"],
                     staff_name=staff_name)

    assert "Enter your first name" in result["details_empty"]
    assert "Rosalind Delgado" in result["details"]
    assert "Text message" in result["details"] and "Post" in result["details"]
    assert "Your current password is not right." in result["password_wrong"]
    assert "Your password has been changed." in result["password_changed"]
    assert result["features"] == ["Update your details", "Requests"]
    assert "Enter a real date of birth" in result["bad_date"]
    assert "February 14, 1990" in result["record"]
    assert any(staff_name in row and "Looked at your record" in row for row in result["access"])
    assert result["spanish_access"] == "Quién ha visto su registro"
    assert any("Consultó su registro" in row for row in result["spanish_rows"])
    assert "Su registro" in result["spanish_record"] and "Fecha de nacimiento" in \
        result["spanish_record"]
    assert result["foreign"] == "Página no encontrada"

    # through the API: the global record changed, the new password signs in, the old one not,
    # and the agency record took the date of birth
    login = requests.post(f"{url}/api/v1/auth/portal/login",
                          json={"username": made["email"], "password": new_password}, timeout=30)
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    mine = requests.get(f"{url}{PORTAL}/me", headers={"Authorization": f"Bearer {token}"},
                        timeout=30).json()["global_record"]
    assert mine["first_name"] == "Rosalind"
    assert set(mine["preferred_contact_methods"]) == {"sms", "post"}
    assert requests.post(f"{url}/api/v1/auth/portal/login", timeout=30, json={
        "username": made["email"], "password": PASSWORD}).status_code == 401
    assert admin.get(f"{url}{STAFF}/records/{made['id']}").json()["date_of_birth"] == \
        "1990-02-14"
