"""The rules of requests to clients (REQ-1 to REQ-3), without I/O: answers checked against the
questions' kinds, the ROI rule of REQ-2, and documents checked by their content (a PDF parsed by
pypdf: refused when it does not parse, is encrypted or carries scripts or launch actions)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from casework.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from services.records import domain

QUESTIONS = [
    {"id": "mood", "text": "How?", "kind": "text", "choices": None},
    {"id": "n", "text": "How many?", "kind": "number", "choices": None},
    {"id": "ok", "text": "Safe?", "kind": "yes_no", "choices": None},
    {"id": "where", "text": "Where?", "kind": "choice", "choices": ["Home", "Street"]},
]


def test_req3_answers_fit_every_question_by_its_kind():
    good = {"mood": "fine", "n": 2.5, "ok": False, "where": "Home"}
    assert domain.check_answers(QUESTIONS, good) == good
    with pytest.raises(ValidationFailed) as refused:
        domain.check_answers(QUESTIONS, {"mood": "x" * 5001, "n": True, "ok": 1,
                                         "where": "home", "other": "?"})
    assert set(refused.value.errors) == {"answers.mood", "answers.n", "answers.ok",
                                         "answers.where", "answers.other"}
    with pytest.raises(ValidationFailed) as missing:
        domain.check_answers(QUESTIONS, {"mood": "  ", "n": float("nan")})
    assert set(missing.value.errors) == {"answers.mood", "answers.n", "answers.ok",
                                         "answers.where"}


def test_req2_an_roi_blocks_while_active_and_expiring_after_7_days():
    today = date(2026, 11, 30)
    assert domain.roi_blocks(today, today + timedelta(days=8), today)
    assert not domain.roi_blocks(today, today + timedelta(days=7), today)
    assert not domain.roi_blocks(today + timedelta(days=1), today + timedelta(days=90), today)
    assert not domain.roi_blocks(today - timedelta(days=90), today - timedelta(days=1), today)
    with pytest.raises(ValidationFailed):
        domain.check_roi(today, today - timedelta(days=1), today)
    with pytest.raises(ValidationFailed):
        domain.check_roi(today - timedelta(days=9), today - timedelta(days=2), today)


def test_req1_titles():
    assert domain.request_title("assessment", assessment_name="Wellbeing") == \
        "Assessment: Wellbeing"
    assert domain.request_title("document", document_name="Payslip") == "Document: Payslip"
    assert domain.request_title("document", document_name="other", other_name="Card") == \
        "Document: Card"
    assert domain.request_title("roi") == "Release of information"


def pdf(change=None, password=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    if change:
        change(writer)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def action(kind: str, **more) -> DictionaryObject:
    return DictionaryObject({NameObject("/S"): NameObject(kind), **{
        NameObject(f"/{k}"): TextStringObject(v) for k, v in more.items()}})


def open_action(kind: str, **more):
    def change(writer):
        writer.root_object[NameObject("/OpenAction")] = action(kind, **more)
    return change


def annotation_action(writer):
    """A link whose action (a direct dictionary inside the annotation) runs a script."""
    link = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4),
        NameObject("/A"): action("/JavaScript", JS="app.alert(1)")})
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])


def names_tree(writer):
    writer.root_object[NameObject("/Names")] = DictionaryObject({
        NameObject("/JavaScript"): DictionaryObject({NameObject("/Names"): ArrayObject([
            TextStringObject("x"), action("/JavaScript", JS="app.alert(1)")])})})


def test_a_plain_pdf_is_stored_as_sent_and_the_bytes_decide_its_type():
    document = pdf()
    assert domain.clean_document(document, "application/octet-stream") == (
        "application/pdf", document)
    assert domain.clean_document(document, None) == ("application/pdf", document)


@pytest.mark.parametrize("change, said", [
    (open_action("/JavaScript", JS="app.alert(1)"), "JavaScript"),
    (open_action("/Launch", F="calc.exe"), "Launch"),
    (open_action("/SubmitForm", F="http://example.org"), "SubmitForm"),
    (annotation_action, "JavaScript"),
    (names_tree, "JavaScript"),
])
def test_a_pdf_with_scripts_or_launch_actions_is_refused(change, said):
    with pytest.raises(UnsupportedMediaType) as refused:
        domain.clean_document(pdf(change), "application/pdf")
    assert said in str(refused.value)


def test_encrypted_broken_and_foreign_content_is_refused():
    with pytest.raises(UnsupportedMediaType, match="encrypted"):
        domain.clean_document(pdf(password="pw"), "application/pdf")
    for broken in (b"%PDF-1.7\n", b"%PDF-1.7\n1 0 obj << /Type /Catalog", pdf()[:200]):
        with pytest.raises(UnsupportedMediaType):
            domain.clean_document(broken, "application/pdf")
    with pytest.raises(UnsupportedMediaType):
        domain.clean_document(b"MZ\x90\x00 an executable", "application/pdf")
    with pytest.raises(UnsupportedMediaType):
        domain.clean_document(pdf(), "text/html")
    with pytest.raises(UnsupportedMediaType):
        domain.clean_document(b"", None)
    with pytest.raises(PayloadTooLarge):
        domain.clean_document(b"%PDF-1.7\n" + b"0" * domain.MAX_PDF_BYTES, None)


def test_an_image_document_is_re_encoded_as_record_images_are():
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (1, 2, 3)).save(out, format="JPEG", comment=b"secret")
    content_type, data = domain.clean_document(out.getvalue(), "image/jpeg")
    assert content_type == "image/jpeg" and b"secret" not in data
    assert domain.document_filename("abc", "image/jpeg") == "document-abc.jpg"
