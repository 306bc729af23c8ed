"""The client portal's own account and agency records (ID-4 to ID-6, REQ-3), on the portal's
blueprint (web/portal.py imports this module): editing the global record and changing one's
password; an agency record (what the agency lets the client see, editing what it allows, its
features); the record's requests and their fulfilment (an assessment, a location, a release of
information, a document uploaded as the file itself); and who at the agency read or changed
the record. Every text is translatable; the Spanish is in web/translations/es_portal.py."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from uuid import UUID

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DecimalField,
    EmailField,
    FieldList,
    FormField,
    PasswordField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)
from wtforms.widgets import CheckboxInput, ListWidget

from web.common import SessionEnded, call, field_errors, gateway
from web.gateway import Answer, Unavailable, forwarded_for
from web.portal import (
    PASSWORD_MIN,
    PhoneForm,
    _agency_record,
    _refused,
    _sign_in,
    blueprint,
    portal_required,
)

CONTACT_METHODS = (("email", _l("E-mail")), ("phone", _l("Phone call")),
                   ("sms", _l("Text message")), ("post", _l("Post")),
                   ("portal", _l("This portal")))
RECORD_STATUSES = {"active": _l("Open"), "inactive": _l("Inactive"), "closed": _l("Closed")}
FEATURE_NAMES = {"profile_editing": _l("Update your details"),
                 "availability": _l("When you are available"),
                 "sessions": _l("Your sessions and payments"),
                 "messages": _l("Messages"), "requests": _l("Requests")}
ACCESS_ACTIONS = {"viewed": _l("Looked at your record"),
                  "found_in_search": _l("Found your record in a search"),
                  "exported": _l("Exported your record"),
                  "created": _l("Created your record"), "changed": _l("Changed your record"),
                  "deleted": _l("Deleted your record"), "restored": _l("Restored your record")}
REQUEST_KINDS = {"assessment": _l("Questions to answer"), "document": _l("A document"),
                 "location": _l("Your location"), "roi": _l("Permission to share information")}
REQUEST_STATUSES = {"requested": _l("To do"), "fulfilled": _l("Done"),
                    "cancelled": _l("Withdrawn")}
# a document as the API takes it (API.md: a PDF up to 10 MiB, an image up to 5 MiB); the upload
# page alone takes a body that large (MAX_CONTENT_LENGTH stays 1 MiB everywhere else)
MAX_PDF = 10 * 1024 * 1024
MAX_IMAGE = 5 * 1024 * 1024
UPLOAD_LIMIT = MAX_PDF + 256 * 1024  # the file, the form's other fields and multipart framing
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
ACCESS_PAGE = 25
TOO_LARGE = _l("The file is too large: a PDF can be at most 10 MB and a photo at most 5 MB.")


@blueprint.app_template_filter("day")
def day(value: str | None) -> str:
    if not value:
        return ""
    try:
        return format_date(date.fromisoformat(value[:10]), "long")
    except ValueError:
        return value


@blueprint.app_context_processor
def names():
    return {"contact_method_names": dict(CONTACT_METHODS), "record_status_names": RECORD_STATUSES,
            "feature_names": FEATURE_NAMES, "access_actions": ACCESS_ACTIONS,
            "request_kinds": REQUEST_KINDS, "request_statuses": REQUEST_STATUSES}


@blueprint.url_value_preprocessor
def larger_uploads(endpoint, values):
    """The document upload takes up to ``UPLOAD_LIMIT`` (before CSRF reads the form)."""
    if endpoint == "portal.fulfil_request" and request.method == "POST":
        request.max_content_length = UPLOAD_LIMIT


@blueprint.errorhandler(413)
def too_large(error):
    """Over ``UPLOAD_LIMIT`` (the body is not read): the upload's own page again, saying so
    near the file field; any other page's form, the error page."""
    if request.endpoint == "portal.fulfil_request":
        _drain()
        return redirect(f"{request.path}?refused=too_large", 303)
    return render_template(
        "error.html", title=_("The file is too large"),
        message=_("A PDF can be at most 10 MB and a photo at most 5 MB. Go back and choose a "
                  "smaller file.")), 413


def _drain(limit: int = 64 * 1024 * 1024) -> None:
    """Read the refused body through before answering: a browser still sending it would see
    the connection reset instead of the answer (up to ``limit``; beyond, it may)."""
    length = request.content_length or 0
    stream = request.environ.get("wsgi.input")
    if stream is None or length > limit:
        return
    while length > 0:
        chunk = stream.read(min(65536, length))
        if not chunk:
            return
        length -= len(chunk)


# --- the global record (ID-4) and the password ------------------------------------------------

class MultiCheckbox(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DetailsForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[
        DataRequired(_l("Enter your first name")), Length(max=200)])
    last_name = StringField(_l("Last name"), validators=[
        DataRequired(_l("Enter your last name")), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter your e-mail address")), Length(max=320)])
    preferred_contact_methods = MultiCheckbox(_l("How do you want to be contacted?"),
                                              choices=CONTACT_METHODS)


DETAIL_FIELDS = {"first_name": "first_name", "last_name": "last_name", "email": "email",
                 "preferred_contact_methods": "preferred_contact_methods"}
EMAIL_FORMAT = _l("Enter an e-mail address in the right format, like name@example.org")


def _show_errors(form, answer: Answer, names: dict[str, str]) -> str | None:
    """The API's 422 near each field; what names no field, as the page's problem."""
    problem = None
    for name in field_errors(answer, names):
        field = getattr(form, name, None) if name else None
        if field is not None:
            field.errors = [EMAIL_FORMAT if name == "email" else _("Check this answer.")]
        else:
            problem = _("Check the details you gave.")
    if not form.errors and not problem:
        problem = _("Check the details you gave.")
    return problem


@blueprint.route("/me/details", methods=["GET", "POST"])
@portal_required
def details():
    me = call("GET", "/api/v1/portal/me")
    if not me.ok:
        abort(503)
    record = me.body["global_record"]
    form = DetailsForm(data=record) if request.method == "GET" else DetailsForm()
    problem = None
    if form.validate_on_submit():
        answer = call("PATCH", "/api/v1/portal/me", json_body={
            "first_name": form.first_name.data.strip(), "last_name": form.last_name.data.strip(),
            "email": form.email.data.strip(),
            "preferred_contact_methods": list(form.preferred_contact_methods.data or [])})
        if answer.ok:
            flash(_("Your details have been saved."), "success")
            return redirect(url_for("portal.home"))
        if answer.status == 422:
            problem = _show_errors(form, answer, DETAIL_FIELDS)
        else:
            problem = _("Your details could not be saved. Try again later.")
    return render_template("portal/details.html", form=form, problem=problem,
                           username=me.body["username"], title=_("Change your details")), \
        400 if problem or form.errors else 200


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Your current password"), validators=[
        DataRequired(_l("Enter your current password")), Length(max=1024)])
    new_password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Enter a new password")),
        Length(min=PASSWORD_MIN, max=1024,
               message=_l("Your password must be at least 12 characters long"))])
    confirm = PasswordField(_l("Type the new password again"), validators=[
        DataRequired(_l("Type the new password again")),
        EqualTo("new_password", _l("The passwords do not match"))])


@blueprint.route("/password", methods=["GET", "POST"])
@portal_required
def password():
    """``POST /auth/password``: every token of the account stops working, this session's too;
    the page signs in again with the new password so that the client stays signed in here."""
    form = PasswordChangeForm()
    problem = None
    if form.validate_on_submit():
        token = session.get("token")
        if not token:
            raise SessionEnded()
        # not ``authenticated``: a wrong current password answers 401 too, which must not end
        # the session
        answer = call("POST", "/api/v1/auth/password", token=token, authenticated=False,
                      json_body={"current_password": form.current_password.data,
                                 "new_password": form.new_password.data})
        if answer.ok:
            username = session.get("username")
            again = call("POST", "/api/v1/auth/portal/login", authenticated=False, json_body={
                "username": username or "", "password": form.new_password.data})
            if again.ok and username:
                _sign_in(again.body, username)
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("portal.home"))
            session.clear()
            session.regenerate()
            flash(_("Your password has been changed. Sign in with your new password."))
            return redirect(url_for("portal.login"))
        if answer.code == "invalid_credentials":
            form.current_password.errors = [_("Your current password is not right.")]
        elif answer.status == 401:
            raise SessionEnded()
        elif answer.status == 429:
            problem = _("Too many failed attempts. Wait a few minutes and try again.")
        elif answer.status == 422:
            form.new_password.errors = [_("Choose another password of at least 12 "
                                          "characters.")]
        else:
            problem = _("Something went wrong. Try again later.")
    return render_template("portal/password.html", form=form, problem=problem,
                           title=_("Change your password")), \
        400 if problem or form.errors else 200


# --- an agency record (ID-6) ------------------------------------------------------------------

def _portal_record(record_id: UUID) -> dict:
    answer = call("GET", f"/api/v1/portal/records/{record_id}")
    _refused(answer)
    return answer.body


def _records() -> list[dict]:
    """The client's agency records, for moving between them."""
    me = call("GET", "/api/v1/portal/me")
    if not me.ok:
        abort(503)
    return me.body.get("records", [])


def _linked(record_id: UUID) -> tuple[dict, list[dict]]:
    """The client's agency record ``record_id`` as /portal/me lists it (404 when not theirs),
    and all of them (one call)."""
    records = _records()
    for link in records:
        if link.get("record_id") == str(record_id):
            return link, records
    abort(404)


@blueprint.get("/records/<uuid:record_id>")
@portal_required
def record(record_id: UUID):
    shown = _portal_record(record_id)
    return render_template("portal/record.html", record=shown, record_id=record_id,
                           records=_records(), here="record",
                           title=_("Your record at %(agency)s",
                                   agency=shown["organization_name"]))


class RecordForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[
        DataRequired(_l("Enter your first name")), Length(max=200)])
    last_name = StringField(_l("Last name"), validators=[
        DataRequired(_l("Enter your last name")), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[Optional(), Length(max=320)])
    phones = FieldList(FormField(PhoneForm), min_entries=1, max_entries=10)
    preferred_contact_methods = MultiCheckbox(_l("How do you want to be contacted?"),
                                              choices=CONTACT_METHODS)
    birth_day = StringField(_l("Day"), validators=[Optional(), Length(max=2)])
    birth_month = StringField(_l("Month"), validators=[Optional(), Length(max=2)])
    birth_year = StringField(_l("Year"), validators=[Optional(), Length(max=4)])


def _parts(value: str | None) -> dict:
    if not value:
        return {}
    year, month, day_ = value[:10].split("-")
    return {"year": year, "month": str(int(month)), "day": str(int(day_))}


def read_date(day_: str | None, month: str | None, year: str | None) -> date | None:
    """A date typed in three boxes; None when all are empty; ValueError when not a date."""
    parts = [(p or "").strip() for p in (day_, month, year)]
    if not any(parts):
        return None
    if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
        raise ValueError("not a date")
    return date(int(parts[2]), int(parts[1]), int(parts[0]))


RECORD_FIELDS = {"first_name": "first_name", "last_name": "last_name", "email": "email",
                 "preferred_contact_methods": "preferred_contact_methods",
                 "date_of_birth": "birth_day"}


@blueprint.route("/records/<uuid:record_id>/edit", methods=["GET", "POST"])
@portal_required
def edit_record(record_id: UUID):
    shown = _portal_record(record_id)
    if "profile_editing" not in shown.get("features", []):
        abort(403)
    if request.method == "GET":
        born = _parts(shown.get("date_of_birth"))
        blank = [{"type": "mobile", "number": ""}] if len(shown["phones"]) < 10 else []
        form = RecordForm(data={**shown, "phones": shown["phones"] + blank,
                                "birth_day": born.get("day"), "birth_month": born.get("month"),
                                "birth_year": born.get("year")})
    else:
        form = RecordForm()
    problem = None
    if form.validate_on_submit():
        try:
            born = read_date(form.birth_day.data, form.birth_month.data, form.birth_year.data)
        except ValueError:
            born = None
            form.birth_day.errors = [_("Enter a real date of birth, like 27 3 1980")]
        if born and born > date.today():
            form.birth_day.errors = [_("The date of birth must be in the past")]
        if not form.errors:
            answer = call("PATCH", f"/api/v1/portal/records/{record_id}", json_body={
                "first_name": form.first_name.data.strip(),
                "last_name": form.last_name.data.strip(),
                "email": (form.email.data or "").strip() or None,
                "phones": [{"type": e.form.type.data, "number": e.form.number.data.strip()}
                           for e in form.phones if (e.form.number.data or "").strip()],
                "preferred_contact_methods": list(form.preferred_contact_methods.data or []),
                "date_of_birth": born.isoformat() if born else None})
            if answer.ok:
                flash(_("Your record at %(agency)s has been saved.",
                        agency=shown["organization_name"]), "success")
                return redirect(url_for("portal.record", record_id=record_id))
            if answer.status in (403, 404):
                _refused(answer)
            if answer.status == 422:
                problem = _show_errors(form, answer, RECORD_FIELDS)
            else:
                problem = _("Your details could not be saved. Try again later.")
    return render_template("portal/record_edit.html", form=form, problem=problem,
                           record=shown, record_id=record_id,
                           title=_("Change your record at %(agency)s",
                                   agency=shown["organization_name"])), \
        400 if problem or form.errors else 200


# --- who viewed or changed the record (ID-6, REC-15) ------------------------------------------

@blueprint.get("/records/<uuid:record_id>/access")
@portal_required
def access(record_id: UUID):
    link, records = _linked(record_id)
    cursor = request.args.get("cursor", "")[:500]
    answer = call("GET", f"/api/v1/portal/records/{record_id}/access",
                  params={"limit": ACCESS_PAGE, "cursor": cursor})
    _refused(answer)
    return render_template("portal/access.html", link=link, record_id=record_id,
                           entries=answer.body["items"], next_cursor=answer.body.get("next_cursor"),
                           first_page=not cursor, records=records, here="access",
                           title=_("Who has seen your record at %(agency)s",
                                   agency=link["organization_name"]))


# --- requests (REQ-1 to REQ-3) ----------------------------------------------------------------

def _all_requests(record_id: UUID) -> list[dict]:
    """The record's requests, open ones first (the API's order), every page of them."""
    items: list[dict] = []
    cursor = ""
    for _page in range(20):
        answer = call("GET", f"/api/v1/portal/records/{record_id}/requests",
                      params={"limit": 500, "cursor": cursor})
        _refused(answer)
        items.extend(answer.body["items"])
        cursor = answer.body.get("next_cursor") or ""
        if not cursor:
            break
    return items


@blueprint.get("/records/<uuid:record_id>/requests")
@portal_required
def record_requests(record_id: UUID):
    link, records = _linked(record_id)
    items = _all_requests(record_id)
    return render_template(
        "portal/requests.html", link=link, record_id=record_id, records=records,
        here="requests", open=[r for r in items if r["status"] == "requested"],
        done=[r for r in items if r["status"] == "fulfilled"],
        title=_("Requests from %(agency)s", agency=link["organization_name"]))


class Number(DecimalField):
    """A number typed in any way a person writes it (a decimal comma too), refused in the
    page's own words."""

    def __init__(self, label, message, **kwargs):
        super().__init__(label, places=None, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = Decimal(valuelist[0].strip().replace(",", "."))
        except InvalidOperation:
            self.data = None
            raise ValueError(str(self.message)) from None
        if not self.data.is_finite():
            self.data = None
            raise ValueError(str(self.message))


class LocationForm(FlaskForm):
    address = TextAreaField(_l("Address (optional)"), validators=[Optional(), Length(max=500)])
    latitude = Number(_l("Latitude"), _l("Enter the latitude, a number from -90 to 90"),
                      validators=[
        InputRequired(_l("Enter the latitude, a number from -90 to 90")),
        NumberRange(-90, 90, _l("Enter the latitude, a number from -90 to 90"))])
    longitude = Number(_l("Longitude"), _l("Enter the longitude, a number from -180 to 180"),
                       validators=[
        InputRequired(_l("Enter the longitude, a number from -180 to 180")),
        NumberRange(-180, 180, _l("Enter the longitude, a number from -180 to 180"))])


class RoiForm(FlaskForm):
    starts_day = StringField(_l("Day"))
    starts_month = StringField(_l("Month"))
    starts_year = StringField(_l("Year"))
    expires_day = StringField(_l("Day"))
    expires_month = StringField(_l("Month"))
    expires_year = StringField(_l("Year"))
    signed_name = StringField(_l("Your full name"), validators=[
        DataRequired(_l("Type your full name to sign")), Length(max=200)])


class DocumentForm(FlaskForm):
    document = FileField(_l("Choose a file or take a photo"))


def _assessment_form(questions: list[dict]):
    """A form of the assessment's questions, one field each by its kind (``q-<id>``)."""

    class AssessmentForm(FlaskForm):
        pass

    for question in questions:
        label, name = question["text"], f"q_{question['id']}"
        kind = question["kind"]
        if kind == "number":
            field = Number(label, _l("Enter a number, like 3 or 2.5"), validators=[
                InputRequired(_l("Enter a number, like 3 or 2.5"))])
        elif kind == "yes_no":
            field = RadioField(label, choices=[("yes", _l("Yes")), ("no", _l("No"))],
                               validators=[InputRequired(_l("Choose yes or no"))])
        elif kind == "choice":
            field = RadioField(label, choices=[(c, c) for c in question["choices"] or []],
                               validators=[InputRequired(_l("Choose an answer"))])
        else:
            field = TextAreaField(label, validators=[
                DataRequired(_l("Write an answer")),
                Length(max=5000, message=_l("Your answer must be 5,000 characters or fewer"))])
        setattr(AssessmentForm, name, field)
    return AssessmentForm()


def _answer(question: dict, field):
    if question["kind"] == "number":
        value: Decimal = field.data
        return int(value) if value == value.to_integral_value() else float(value)
    if question["kind"] == "yes_no":
        return field.data == "yes"
    return field.data.strip() if question["kind"] == "text" else field.data


def _roi_dates(form: RoiForm) -> tuple[date | None, date | None]:
    found = []
    for prefix, box in (("starts", "starts_day"), ("expires", "expires_day")):
        try:
            value = read_date(*(getattr(form, f"{prefix}_{p}").data
                                for p in ("day", "month", "year")))
        except ValueError:
            value = None
            getattr(form, box).errors = [_("Enter a real date, like 27 3 2027")]
        else:
            if value is None:
                getattr(form, box).errors = [_("Enter a date")]
        found.append(value)
    starts, expires = found
    if starts and expires and expires < starts:
        form.expires_day.errors = [_("The end date must be on or after the start date")]
    elif expires and expires < date.today():
        form.expires_day.errors = [_("The end date must be today or later")]
    return starts, expires


def _upload(request_id: UUID, data: bytes, content_type: str) -> Answer:
    """The file itself as the body of ``POST /portal/requests/{id}/fulfil`` (API.md), with the
    content type the browser gave it; the service decides by its bytes."""
    token = session.get("token")
    if not token:
        raise SessionEnded()
    headers = {"Accept": "application/json", "Authorization": f"Bearer {token}",
               "Content-Type": content_type or "application/octet-stream",
               "X-Forwarded-For": forwarded_for(request.environ)}
    from flask import g

    if g.get("request_id"):
        headers["X-Request-Id"] = g.request_id
    link = gateway()
    try:
        response = link.pool.request(
            "POST", f"{link.base_url}/api/v1/portal/requests/{request_id}/fulfil", body=data,
            headers=headers)
    except Exception as exc:  # urllib3's errors: the gateway did not answer
        raise Unavailable(str(exc)) from exc
    body = None
    if response.data and "json" in response.headers.get("Content-Type", ""):
        try:
            body = json.loads(response.data)
        except ValueError:
            body = None
    if response.status == 401:
        session.clear()
        session.regenerate()
        raise SessionEnded()
    if response.status in (502, 503, 504) and not isinstance(body, dict):
        raise Unavailable(f"the gateway answered {response.status}")
    return Answer(response.status, body, dict(response.headers))


def _find_request(record_id: UUID, request_id: UUID) -> dict:
    for item in _all_requests(record_id):
        if item["id"] == str(request_id):
            return item
    abort(404)


def _closed(record_id: UUID):
    flash(_("This request has already been answered or was withdrawn."))
    return redirect(url_for("portal.record_requests", record_id=record_id))


@blueprint.route("/records/<uuid:record_id>/requests/<uuid:request_id>",
                 methods=["GET", "POST"])
@portal_required
def fulfil_request(record_id: UUID, request_id: UUID):
    link = _agency_record(record_id)
    wanted = _find_request(record_id, request_id)
    kind = wanted["type"]
    if wanted["status"] != "requested" and request.method == "POST":
        return _closed(record_id)
    questions = (wanted.get("assessment") or {}).get("questions", [])
    if kind == "assessment":
        form = _assessment_form(questions)
    elif kind == "location":
        form = LocationForm()
    elif kind == "roi":
        form = RoiForm()
    else:
        form = DocumentForm()
    problem, status = None, 200
    if request.method == "GET" and kind == "document" and \
            request.args.get("refused") == "too_large":
        form.document.errors = [TOO_LARGE]
        status = 400
    if form.validate_on_submit():
        body, upload = None, None
        if kind == "assessment":
            body = {"answers": {q["id"]: _answer(q, getattr(form, f"q_{q['id']}"))
                                for q in questions}}
        elif kind == "location":
            body = {"latitude": float(form.latitude.data), "longitude": float(form.longitude.data),
                    "address": (form.address.data or "").strip() or None}
        elif kind == "roi":
            starts, expires = _roi_dates(form)
            if not form.errors:
                body = {"starts_on": starts.isoformat(), "expires_on": expires.isoformat(),
                        "signed_name": form.signed_name.data.strip()}
        else:
            upload = form.document.data
            if not upload or not upload.filename:
                form.document.errors = [_("Choose a file, or take a photo")]
        if not form.errors:
            if upload is not None:
                data = upload.read(MAX_PDF + 1)
                declared = (upload.mimetype or "").lower()
                if len(data) > MAX_PDF or (declared in IMAGE_TYPES and len(data) > MAX_IMAGE):
                    answer = Answer(413, {"code": "payload_too_large"})
                else:
                    answer = _upload(request_id, data, declared)
            else:
                answer = call("POST", f"/api/v1/portal/requests/{request_id}/fulfil",
                              json_body=body)
            if answer.ok:
                flash(_("Thank you: %(what)s has been sent to %(agency)s.",
                        what=wanted["title"], agency=link["organization_name"]), "success")
                return redirect(url_for("portal.record_requests", record_id=record_id))
            if answer.code == "request_closed":
                return _closed(record_id)
            problem, status = _fulfil_problem(form, kind, questions, answer)
    if form.errors and status == 200:
        status = 400
    return render_template(f"portal/fulfil_{kind}.html", form=form, problem=problem,
                           request_=wanted, link=link, record_id=record_id, questions=questions,
                           title=wanted["title"]), status


def _fulfil_problem(form, kind, questions, answer: Answer) -> tuple[str | None, int]:
    """What the API's refusal means, in plain words: near the field it concerns, else as the
    page's problem."""
    if answer.status in (403, 404):
        _refused(answer)
    if answer.status == 413 and kind == "document":
        form.document.errors = [TOO_LARGE]
        return None, 413
    if answer.status == 415 and kind == "document":
        text = _("This file cannot be used. Send a PDF (not protected by a password) or a "
                 "photo (JPEG, PNG, GIF or WebP).")
        form.document.errors = [text]
        return None, 415
    if answer.status == 422:
        if kind == "assessment":
            by_id = {f"answers.{q['id']}": f"q_{q['id']}" for q in questions}
            for key in answer.errors:
                name = by_id.get(key)
                if name:
                    getattr(form, name).errors = [_("Check this answer.")]
        elif kind == "roi":
            if "expires_on" in answer.errors:
                form.expires_day.errors = [_("The end date must be today or later, and on or "
                                             "after the start date")]
        elif kind == "location":
            for name in ("latitude", "longitude", "address"):
                if name in answer.errors:
                    getattr(form, name).errors = [_("Check this answer.")]
        return (None if form.errors else _("Check your answers.")), 422
    return _("Your answer could not be sent. Try again later."), 503

