"""Rules of records, their contacts and images, free of I/O (no nameko, SQLAlchemy or marshmallow
here)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import uuid
import warnings
from datetime import date, datetime
from enum import StrEnum
from struct import error as struct_error

from PIL import Image, ImageOps

from casework.errors import (
    NoClientAccount,
    PayloadTooLarge,
    RecordHasFinancialLinks,
    UnsupportedMediaType,
    ValidationFailed,
)

MAX_CUSTOM_FIELDS = 50  # custom fields of one record


class RecordKind(StrEnum):
    CLIENT = "client"
    EMPLOYEE = "employee"


class RecordStatus(StrEnum):
    PROSPECT = "prospect"
    ACTIVE = "active"
    INACTIVE = "inactive"
    CLOSED = "closed"


class PortalStatus(StrEnum):
    ENROLLMENT_PENDING = "enrollment_pending"
    ACTIVE = "active"
    BANNED = "banned"


class Permission(StrEnum):
    AGENCY_ADMIN = "agency_admin"
    CASE_NUMBERS = "case_numbers"
    DELETE_CLIENTS = "delete_clients"
    VIEW_AUDIT = "view_audit"
    MANAGE_GROUPS = "manage_groups"


# --- case numbers (REC-3) -------------------------------------------------------------------

CASE_NUMBER_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_/.]{0,49}")  # the whole number


def generated_case_number(sequence: int) -> str:
    """The case number given when none is (REC-3): ``C-000123``, unique per agency."""
    return f"C-{sequence:06d}"


def check_case_number(value: str) -> str:
    value = (value or "").strip()
    if not CASE_NUMBER_PATTERN.fullmatch(value):
        raise ValidationFailed(
            "case number is invalid",
            {"case_number": ["1 to 50 letters, digits, '-', '_', '/' or '.'"]},
        )
    return value


# --- what search matches (REC-11) -----------------------------------------------------------

def phone_digits(phones: list[dict]) -> list[str]:
    return ["".join(ch for ch in p.get("number", "") if ch.isdigit()) for p in phones or []]


def search_text(first_name: str, last_name: str, email: str | None, case_number: str,
                phones: list[dict]) -> str:
    """The text substring search matches: name, e-mail, case number and phone digits."""
    parts = [first_name, last_name, email or "", case_number, *phone_digits(phones)]
    return " ".join(p.strip().lower() for p in parts if p and p.strip())


def name_text(first_name: str, last_name: str) -> str:
    """The text a misspelt name is compared with (trigram word similarity)."""
    return f"{first_name.strip()} {last_name.strip()}".lower()


def sort_name(first_name: str, last_name: str) -> str:
    return f"{last_name.strip()} {first_name.strip()}".lower()


def search_columns(record: dict) -> dict:
    """The derived search columns of a record, from its current values."""
    return {
        "search_text": search_text(record["first_name"], record["last_name"], record["email"],
                                   record["case_number"], record["phones"]),
        "name_text": name_text(record["first_name"], record["last_name"]),
        "sort_name": sort_name(record["first_name"], record["last_name"]),
    }


def normalise_query(q: str) -> str:
    q = " ".join(q.lower().split())
    digits = "".join(ch for ch in q if ch.isdigit())
    # "+44 (0)20 7946-0000" should match the stored digits
    if digits and len(digits) >= 5 and not any(ch.isalpha() for ch in q):
        return digits
    return q


# --- changes and the audit trail (REC-15) ---------------------------------------------------

def plain(value):
    """A value as the audit trail and events store it (JSON)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def changes(old: dict, new: dict) -> dict:
    """``{field: {"old": .., "new": ..}}`` for every field of ``new`` whose value differs."""
    return {
        name: {"old": plain(old.get(name)), "new": plain(value)}
        for name, value in new.items()
        if plain(old.get(name)) != plain(value)
    }


def merge_custom_fields(current: dict, patch: dict) -> dict:
    """PATCH semantics for custom fields (RFC 7396): a key set to null is removed. The limit of
    fields holds for the record, not only for one request (two PATCHes of 50 new names each
    used to leave 100)."""
    merged = dict(current or {})
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    if len(merged) > MAX_CUSTOM_FIELDS:
        raise ValidationFailed(f"a record has at most {MAX_CUSTOM_FIELDS} custom fields",
                               {"custom_fields": [f"at most {MAX_CUSTOM_FIELDS} on the record; "
                                                  "remove some (null) to add others"]})
    return merged


# --- client types, warning indicators (REC-4, REC-14) ---------------------------------------

def check_client_type(client_type_id: str | None, agency_type_count: int,
                      chosen: dict | None) -> None:
    """A type can be set only once the agency has types, and only to one of its active ones."""
    if client_type_id is None:
        return
    if agency_type_count == 0:
        raise ValidationFailed("the agency has no client types yet", {"client_type_id": [
            "an agency administrator defines client types before records can have one"]})
    if chosen is None or not chosen["active"]:
        raise ValidationFailed("unknown or inactive client type", {"client_type_id": [
            "not one of this agency's active client types"]})


def check_warning_indicators(requested: list[str], known: dict[str, bool],
                             current: set[str]) -> None:
    """Each indicator must be the agency's; newly selected ones must be active (REC-14).
    ``known`` maps the agency's indicator ids among ``requested`` to whether they are active."""
    unusable = [i for i in requested
                if i not in known or (not known[i] and i not in current)]
    if unusable:
        raise ValidationFailed("unknown or inactive warning indicators", {
            "warning_indicator_ids": [f"{i} is not one of this agency's active warning indicators"
                                      for i in unusable]})


# --- statuses (REC-5, REC-6) ----------------------------------------------------------------

def check_portal_status_change(current: str | None) -> None:
    if current is None:
        raise NoClientAccount(
            "portal status applies only to a record with a client account; invite the client "
            "to the portal first")


def portal_status_after_enrollment(current: str | None) -> str | None:
    """The agency's enrollment programme reported the client enrolled (REC-6): pending turns
    active; an active or banned client is left as they are (a ban is never lifted this way)."""
    if current == PortalStatus.ENROLLMENT_PENDING:
        return PortalStatus.ACTIVE.value
    return None


# --- delete (REC-9) -------------------------------------------------------------------------

def check_deletable(links: dict) -> None:
    sessions, payments = links.get("sessions", 0), links.get("payments", 0)
    if sessions or payments:
        held = " and ".join(part for part in (
            f"{sessions} session{'s' * (sessions != 1)}" if sessions else "",
            f"{payments} payment{'s' * (payments != 1)}" if payments else "") if part)
        raise RecordHasFinancialLinks(
            f"this record has financial information ({held}) and cannot be deleted; set its "
            "status to inactive or prospect instead",
            # (extra members cross RPC as strings, so the counts stay in the detail)
            extra={"suggested_statuses": [RecordStatus.INACTIVE.value,
                                          RecordStatus.PROSPECT.value]})


# --- bulk group membership (REC-7) ----------------------------------------------------------

def check_bulk(add: list[str], remove: list[str]) -> tuple[list[str], list[str]]:
    """Each list without repeats (first occurrence kept); an id in both lists is refused."""
    add, remove = list(dict.fromkeys(add)), list(dict.fromkeys(remove))
    both = set(add) & set(remove)
    if both:
        raise ValidationFailed("a record cannot be both added and removed", {
            "remove": [f"{i} is also in add" for i in sorted(both)]})
    return add, remove


# --- contacts and their links (REC-12) -----------------------------------------------------

class ContactType(StrEnum):
    GENERAL = "general"
    EMERGENCY = "emergency"
    NEXT_OF_KIN = "next_of_kin"
    GUARDIAN = "guardian"
    PROFESSIONAL = "professional"
    # the contact's address becomes mandatory: it serves as an additional address of the client
    ADDITIONAL_ADDRESS = "additional_address"
    # the contact may be chosen as the billing contact of the client's funding
    FINANCE_BILLING = "finance_billing"


def has_address(address: dict | None) -> bool:
    return bool(address and (address.get("line1") or "").strip())


def check_contact(contact: dict) -> None:
    if not ((contact.get("last_name") or "").strip()
            or (contact.get("organisation_name") or "").strip()):
        raise ValidationFailed("a contact needs a name", {
            "last_name": ["a last name or an organisation name is required"]})


def check_link(contact_types: list[str], address: dict | None) -> None:
    if ContactType.ADDITIONAL_ADDRESS in contact_types and not has_address(address):
        raise ValidationFailed("an additional-address contact needs an address", {
            "contact_types": ["additional_address needs the contact's address: add it to the "
                              "contact first"]})


def check_address_kept(address: dict | None, linked_as_additional_address: int) -> None:
    """A contact that is some client's additional address cannot lose its address."""
    if linked_as_additional_address and not has_address(address):
        raise ValidationFailed("the contact's address is in use", {
            "address": [f"required: the contact is an additional address of "
                        f"{linked_as_additional_address} client(s)"]})


def contact_search_text(contact: dict) -> str:
    phones = ["".join(ch for ch in p.get("number", "") if ch.isdigit())
              for p in contact.get("phones") or []]
    parts = [contact.get("first_name"), contact.get("last_name"),
             contact.get("organisation_name"), contact.get("email"), *phones]
    return " ".join(p.strip().lower() for p in parts if p and p.strip())


def link_facts(link: dict) -> dict:
    """What a link makes possible, so clients need not re-derive the rules."""
    types = link.get("contact_types") or []
    return {
        "billing_eligible": ContactType.FINANCE_BILLING in types,
        # inviting a contact to become a connection (a system user) needs a connection role
        # and somewhere to send the invitation
        "can_invite_as_connection": bool(link.get("connection_role")
                                         and link.get("contact", {}).get("email")),
    }


# --- images (REC-2) -------------------------------------------------------------------------
# What an upload is, decided by its bytes, never by its name or the content type it claims: the
# bytes must decode (Pillow) as the format their signature names, within a pixel bound, and what
# is stored is the image re-encoded from its pixels, so nothing else rides along (an HTML page
# after the image, EXIF metadata such as a phone's GPS position, comments, colour profiles).

MAX_IMAGE_BYTES = 5 * 1024 * 1024
# Pixels of all frames together. A decompression bomb (a huge image of one colour, small on
# disk) is refused from its header, before anything is decoded; 25 megapixels is more than a
# 5 MiB photo holds, and keeps the decode of one upload well under a second.
MAX_IMAGE_PIXELS = 25_000_000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS  # Pillow's own guard, for anything opened elsewhere
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
# What a client may declare: one of the accepted types, or "I don't know" (the bytes decide).
DECLARABLE_IMAGE_TYPES = (*IMAGE_TYPES, "application/octet-stream")
IMAGE_PATH = "/api/v1/staff/records/{}/image"  # where the gateway serves a record's image
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF",
                  "image/webp": "WEBP"}


def image_url(record_id) -> str:
    return IMAGE_PATH.format(record_id)


def sniff(data: bytes) -> str | None:
    """The image type of ``data`` by its magic bytes, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_image(data: bytes, declared: str | None) -> str:
    """The content type the bytes say, or the typed refusal (413, 415). Cheap: the bytes are
    not decoded here (``clean_image`` does)."""
    if len(data) > MAX_IMAGE_BYTES:
        raise PayloadTooLarge(f"an image may be at most {MAX_IMAGE_BYTES // (1024 * 1024)} MiB; "
                              f"this one is {len(data)} bytes")
    declared = (declared or "").split(";")[0].strip().lower()
    if declared and declared not in DECLARABLE_IMAGE_TYPES:
        raise UnsupportedMediaType(
            f"{declared} is not accepted; send a JPEG, PNG, GIF or WebP image")
    if not data:
        raise UnsupportedMediaType("the body is empty; send a JPEG, PNG, GIF or WebP image")
    detected = sniff(data)
    if detected is None:
        raise UnsupportedMediaType(
            "the content is not a JPEG, PNG, GIF or WebP image (checked by its bytes)")
    return detected


# --- CSV import (issue 18) ------------------------------------------------------------------

def import_key(row: dict) -> str:
    """The row key of an imported row: a digest of its values as a record would hold them
    (names and e-mail compared without case or surrounding spaces), so that the same row
    imported again is recognised, with or without a case number."""

    def text(value):
        return " ".join(str(value).split()).lower() if value is not None else None

    values = {
        "kind": row.get("kind"), "first_name": text(row.get("first_name")),
        "last_name": text(row.get("last_name")), "email": text(row.get("email")),
        "date_of_birth": plain(row.get("date_of_birth")),
        "case_number": text(row.get("case_number")),
        "phones": sorted(phone_digits(row.get("phones") or [])),
    }
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def person_key(row: dict) -> tuple | None:
    """Same name and date of birth: the same person (None without a date of birth)."""
    if not row.get("date_of_birth"):
        return None
    return (" ".join(row["first_name"].split()).lower(), " ".join(row["last_name"].split()).lower(),
            plain(row["date_of_birth"]))


def refusal(errors: dict) -> str:
    """A refused row's reason, one clause per field, as a person reads it."""
    parts = []
    for field, messages in sorted(errors.items()):
        if isinstance(messages, dict):  # nested (phones.0.number)
            messages = [f"{k}: {v}" for k, v in messages.items()]
        text = "; ".join(str(m) for m in (messages if isinstance(messages, list) else [messages]))
        parts.append(f"{field}: {text}")
    return "; ".join(parts)
def clean_image(data: bytes, declared: str | None) -> tuple[str, bytes]:
    """REC-2: the content type and the bytes to store: the upload decoded and re-encoded in its
    own format, without any metadata. Refusals: 413 ``payload_too_large`` (more than 5 MiB, or
    more than MAX_IMAGE_PIXELS pixels: a decompression bomb), 415 ``unsupported_media_type``
    (not an accepted type, or bytes that do not decode as the image their signature names)."""
    content_type = check_image(data, declared)
    name = PILLOW_FORMATS[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[name])
            _check_pixels(image)
            frames = _decoded_frames(image)
        return content_type, _encode(frames, name, image.info)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError,
            struct_error) as exc:
        raise UnsupportedMediaType(
            f"the content does not decode as the {name} image its first bytes announce "
            f"({type(exc).__name__}); send a complete JPEG, PNG, GIF or WebP image") from None


def _too_many_pixels() -> PayloadTooLarge:
    return PayloadTooLarge(f"an image may have at most {MAX_IMAGE_PIXELS:,} pixels (all frames "
                           "together)")


def _check_pixels(image) -> None:
    """From the header alone: nothing is decoded before this passes."""
    width, height = image.size
    if width * height * getattr(image, "n_frames", 1) > MAX_IMAGE_PIXELS:
        raise _too_many_pixels()


def _decoded_frames(image) -> list:
    """Every frame, decoded into a copy that keeps the pixels and none of the file's metadata,
    the first turned upright by its EXIF orientation before that is dropped."""
    frames = []
    for index in range(getattr(image, "n_frames", 1)):
        image.seek(index)
        image.load()
        frame = ImageOps.exif_transpose(image) if index == 0 else image.copy()
        frame.info = {}
        frames.append(frame)
    return frames


def _encode(frames: list, name: str, info: dict) -> bytes:
    out = io.BytesIO()
    first = frames[0]
    options: dict = {}
    if name == "JPEG":
        if first.mode not in ("L", "RGB", "CMYK"):
            frames = [f.convert("RGB") for f in frames]
            first = frames[0]
        options = {"quality": 90}
    elif name == "WEBP":
        options = {"quality": 90, "lossless": bool(info.get("lossless"))}
    if "transparency" in info and name in ("PNG", "GIF") and first.mode in ("P", "L", "RGB"):
        options["transparency"] = info["transparency"]
    if len(frames) > 1:
        options.update(save_all=True, append_images=frames[1:],
                       duration=info.get("duration", 100), loop=info.get("loop", 0))
    # no exif=, icc_profile=, comment= or pnginfo=: the metadata stays behind
    first.save(out, format=name, **options)
    return out.getvalue()


# --- likely duplicates (INV-6, API.md "Duplicates") -----------------------------------------

# what each reason adds to a candidate's score; the grades follow FHIR's $match
MATCH_WEIGHTS = {"same_email": 0.5, "same_phone": 0.4, "same_name": 0.4, "similar_name": 0.25,
                 "sounds_alike": 0.15, "same_date_of_birth": 0.3}
CERTAIN, PROBABLE = 0.9, 0.5


def soundex(word: str) -> str:
    """American Soundex of a word ("Robert" and "Rupert" give R163)."""
    codes = {**dict.fromkeys("bfpv", "1"), **dict.fromkeys("cgjkqsxz", "2"),
             **dict.fromkeys("dt", "3"), "l": "4", **dict.fromkeys("mn", "5"), "r": "6"}
    letters = [ch for ch in word.lower() if ch.isalpha()]
    if not letters:
        return ""
    result, last = letters[0].upper(), codes.get(letters[0], "")
    for ch in letters[1:]:
        code = codes.get(ch, "")
        if code and code != last:
            result += code
        if ch not in "hw":
            last = code
    return (result + "000")[:4]


PHONE_KEY_DIGITS = 9  # "+44 7700 900555" and "07700 900555" are one number


def phone_key(number: str | None) -> str:
    """The last digits of a phone number: the same number written with a country code or with
    a trunk prefix ends the same."""
    digits = "".join(ch for ch in number or "" if ch.isdigit())
    return digits[-PHONE_KEY_DIGITS:]


def person_of(record: dict) -> dict:
    """What the matcher looks for of a record being created: its names, date of birth, e-mail
    and first (primary) phone number."""
    phones = record.get("phones") or []
    return {"first_name": record.get("first_name"), "last_name": record.get("last_name"),
            "date_of_birth": record.get("date_of_birth"), "email": record.get("email"),
            "phone": phones[0]["number"] if phones else None}


def match_reasons(person: dict, candidate: dict) -> list[str]:
    """Why ``candidate`` (a record, with its ``name_similarity`` to the person) may be the same
    person as ``person`` (first_name, last_name, date_of_birth, email, phone)."""
    return person_matcher(person)(candidate)


def person_matcher(person: dict):
    """``match_reasons`` for one person and many candidates: what the person gives is read
    once, not once per candidate (a page of candidates in a large agency, P10)."""
    email = (person.get("email") or "").strip().lower()
    phone = phone_key(person.get("phone"))
    phone = phone if len(phone) >= 5 else ""
    first, last = (person.get("first_name") or "").strip(), (person.get("last_name") or "").strip()
    named = name_text(first, last) if first or last else None
    sounds = (soundex(first), soundex(last)) if first and last else None
    dob = str(person["date_of_birth"]) if person.get("date_of_birth") else None

    def reasons_for(candidate: dict) -> list[str]:
        reasons = []
        if email and email == (candidate["email"] or "").strip().lower():
            reasons.append("same_email")
        if phone and phone in {phone_key(p) for p in phone_digits(candidate["phones"])}:
            reasons.append("same_phone")
        if named is not None:
            if named == candidate["name_text"]:
                reasons.append("same_name")
            else:
                if (candidate.get("name_similarity") or 0) >= 0.4:
                    reasons.append("similar_name")
                if sounds and sounds[0] == soundex(candidate["first_name"]) and \
                        sounds[1] == soundex(candidate["last_name"]):
                    reasons.append("sounds_alike")
        if dob and candidate["date_of_birth"] and dob == str(candidate["date_of_birth"]):
            reasons.append("same_date_of_birth")
        return reasons

    return reasons_for


def graded(reasons: list[str]) -> tuple[str, float] | None:
    """How sure: ``certain``, ``probable`` or ``possible`` with a score in 0..1; None when the
    reasons say nothing (a birthday alone is no match)."""
    if not reasons or reasons == ["same_date_of_birth"]:
        return None
    score = round(min(1.0, sum(MATCH_WEIGHTS[r] for r in reasons)), 2)
    grade = "certain" if score >= CERTAIN else "probable" if score >= PROBABLE else "possible"
    return grade, score


# --- what a client sees of the audit trail of their record (ID-6, REC-15) --------------------

# each staff action on a record, as the portal words it (contracts.records.ACCESS_ACTIONS); an
# action not named here is a change, or a view when it reads (``*_read``): a new action shows
# to the client from the day it is written, never hidden for want of a word
ACCESS_WORDS = {
    "records_searched": "found_in_search",
    "record_exported": "exported",
    "record_created": "created",
    "record_deleted": "deleted",
    "record_restored": "restored",
}


def access_action(action: str) -> str:
    """``viewed``, ``found_in_search``, ``exported``, ``created``, ``changed``, ``deleted`` or
    ``restored``: what the client is told a staff member did, never which part (a staff-only
    note's read is ``viewed``, its change ``changed``)."""
    word = ACCESS_WORDS.get(action)
    if word is not None:
        return word
    return "viewed" if action.endswith("_read") else "changed"


# --- requests to clients and what fulfils them (REQ-1 to REQ-3) -----------------------------

ROI_RENEWAL_DAYS = 7  # REQ-2: an ROI expiring within this many days may be renewed
REQUEST_FEATURE = "requests"  # the agency's portal feature that shows clients their requests
INACTIVE_STATUSES = (RecordStatus.INACTIVE, RecordStatus.CLOSED)  # no requests to them
PDF_TYPE = "application/pdf"
MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_ANSWER_LENGTH = 5000
DOCUMENT_PATH = "/api/v1/staff/records/{}/documents/{}"
ROIS_PATH = "/api/v1/staff/records/{}/rois"
DECLARABLE_DOCUMENT_TYPES = (PDF_TYPE, *DECLARABLE_IMAGE_TYPES)
EXTENSIONS = {PDF_TYPE: "pdf", "image/jpeg": "jpg", "image/png": "png", "image/gif": "gif",
              "image/webp": "webp"}
# what a PDF may not carry: scripts, and actions that start programs or fetch and send data
PDF_ACTIONS = frozenset({"/JavaScript", "/Launch", "/ImportData", "/SubmitForm",
                         "/RichMediaExecute"})
PDF_SCRIPT_KEYS = frozenset({"/JS", "/JavaScript"})


def request_title(kind: str, *, assessment_name: str | None = None,
                  document_name: str | None = None, other_name: str | None = None) -> str:
    """What a request is called on the record, in the portal and in notifications."""
    if kind == "assessment":
        return f"Assessment: {assessment_name}"[:300]
    if kind == "document":
        return f"Document: {other_name if document_name == 'other' else document_name}"[:300]
    return {"location": "Location", "roi": "Release of information"}[kind]


def check_answers(questions: list[dict], answers: dict) -> dict:
    """REQ-3: every question answered once, each by its kind (text, number, yes_no, choice);
    the answers as stored. 422 naming each question (``answers.<id>``) otherwise."""
    by_id = {q["id"]: q for q in questions}
    errors: dict[str, list[str]] = {}
    for key in answers:
        if key not in by_id:
            errors[f"answers.{key}"] = ["not a question of this assessment"]
    for question in questions:
        value, kind = answers.get(question["id"]), question["kind"]
        problem = None
        if value is None:
            problem = "an answer is required"
        elif kind == "text":
            if not isinstance(value, str) or not value.strip():
                problem = "a text answer"
            elif len(value) > MAX_ANSWER_LENGTH:
                problem = f"at most {MAX_ANSWER_LENGTH} characters"
            elif any(ch == "\x00" for ch in value):
                problem = "a text answer without NUL characters"
        elif kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                    value != value or value in (float("inf"), float("-inf")):
                problem = "a number"
        elif kind == "yes_no":
            if not isinstance(value, bool):
                problem = "true (yes) or false (no)"
        elif kind == "choice":
            if not isinstance(value, str) or value not in question["choices"]:
                problem = "one of: " + ", ".join(question["choices"])
        if problem:
            errors[f"answers.{question['id']}"] = [problem]
    if errors:
        raise ValidationFailed("the answers do not fit the assessment's questions", errors)
    return {q["id"]: answers[q["id"]] for q in questions}


def check_roi(starts_on: date, expires_on: date, today: date) -> None:
    if expires_on < starts_on:
        raise ValidationFailed("the release of information ends before it starts",
                               {"expires_on": ["on or after starts_on"]})
    if expires_on < today:
        raise ValidationFailed("the release of information has already expired",
                               {"expires_on": ["today or later"]})


def roi_blocks(starts_on: date, expires_on: date, today: date) -> bool:
    """REQ-2: an ROI that is active today and does not expire within 7 days refuses a new ROI
    request."""
    return starts_on <= today <= expires_on and (expires_on - today).days > ROI_RENEWAL_DAYS


def document_url(record_id, document_id) -> str:
    return DOCUMENT_PATH.format(record_id, document_id)


def rois_url(record_id) -> str:
    return ROIS_PATH.format(record_id)


def document_filename(document_id, content_type: str) -> str:
    """The download's file name: made of the id only, never of what a client typed, so the
    Content-Disposition header needs no escaping."""
    return f"document-{document_id}.{EXTENSIONS.get(content_type, 'bin')}"


def check_document(data: bytes, declared: str | None) -> str:
    """The cheap refusals of a document (413, 415) and its type by its bytes: a PDF, or an
    image as record images are (REC-2). Nothing is parsed here (``clean_document`` does)."""
    declared = (declared or "").split(";")[0].strip().lower()
    if declared and declared not in DECLARABLE_DOCUMENT_TYPES:
        raise UnsupportedMediaType(
            f"{declared} is not accepted; send a PDF or a JPEG, PNG, GIF or WebP image")
    if data.startswith(b"%PDF-"):
        if len(data) > MAX_PDF_BYTES:
            raise PayloadTooLarge(f"a PDF may be at most {MAX_PDF_BYTES // (1024 * 1024)} MiB; "
                                  f"this one is {len(data)} bytes")
        return PDF_TYPE
    if not data:
        raise UnsupportedMediaType("the body is empty; send a PDF or an image")
    if sniff(data) is None:
        raise UnsupportedMediaType(
            "the content is not a PDF, JPEG, PNG, GIF or WebP (checked by its bytes)")
    return check_image(data, declared if declared != PDF_TYPE else None)


def clean_document(data: bytes, declared: str | None) -> tuple[str, bytes]:
    """The content type and the bytes to store: a PDF as sent once it parses (pypdf), is not
    encrypted and carries no script or launch action; an image re-encoded from its pixels
    (``clean_image``). Refusals: 413 ``payload_too_large``, 415 ``unsupported_media_type``."""
    content_type = check_document(data, declared)
    if content_type != PDF_TYPE:
        return clean_image(data, None)
    check_pdf(data)
    return PDF_TYPE, data


def check_pdf(data: bytes) -> None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UnsupportedMediaType("an encrypted PDF is not accepted; send it without a "
                                       "password")
        if len(reader.pages) < 1:
            raise UnsupportedMediaType("the PDF has no pages")
        found = _pdf_active_content(reader)
    except UnsupportedMediaType:
        raise
    except Exception as exc:  # noqa: BLE001  untrusted input: any parser failure is a refusal
        raise UnsupportedMediaType(
            f"the content does not parse as a PDF ({type(exc).__name__})") from None
    if found:
        raise UnsupportedMediaType(f"a PDF with active content ({found}) is not accepted")


def _pdf_active_content(reader) -> str | None:
    """The first script or dangerous action in any object of the file (its trailer, every
    numbered object, those in object streams included, and what they hold directly), or None."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    def objects():
        yield reader.trailer
        for generation, numbers in reader.xref.items():
            for number in numbers:
                yield reader.get_object(IndirectObject(number, generation, reader))
        for number in reader.xref_objStm:
            yield reader.get_object(IndirectObject(number, 0, reader))

    for top in objects():
        pending, seen = [top], 0
        while pending:
            item = pending.pop()
            seen += 1
            if seen > 100_000:
                return "too deeply nested objects"
            if isinstance(item, IndirectObject):
                continue  # visited as a numbered object of its own
            if isinstance(item, DictionaryObject):
                keys = {str(k) for k in item.keys()}
                if keys & PDF_SCRIPT_KEYS:
                    return "JavaScript"
                action = item.get("/S")
                if action is not None and not isinstance(action, IndirectObject) and \
                        str(action) in PDF_ACTIONS:
                    return str(action).lstrip("/")
                pending.extend(item.values())
            elif isinstance(item, ArrayObject):
                pending.extend(item)
    return None
