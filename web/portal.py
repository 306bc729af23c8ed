"""The client portal, under /portal: accepting an invitation (the e-mail's link), login, logout,
a forgotten password and the reset link (the same link serves staff), joining an agency through
its global invitation link, the portal home (the global record and each agency record), editing
one's phone numbers, and the message threads of an agency record (NOT-5, NOT-6).
Every text is translatable (gettext: web/translations), in the language the client picks."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import nh3
from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    EmailField,
    FieldList,
    FormField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from contracts.messages import MESSAGE_TAGS
from web.app import LANGUAGE_COOKIE, LANGUAGES
from web.common import (
    SessionEnded,
    call,
    field_errors,
    local_path,
    login_required,
    portal_menu,
)

blueprint = Blueprint("portal", __name__, url_prefix="/portal")
portal_required = login_required("portal.login")
portal_menu("portal.home", _l("Your details"))

PASSWORD_MIN = 12
PHONE = r"^\+?[0-9 ()\-.]{3,30}$"
PHONE_TYPES = (("mobile", _l("Mobile")), ("home", _l("Home")), ("work", _l("Work")),
               ("other", _l("Other")))
STATUS_NAMES = {"enrollment_pending": _l("Enrolment pending"), "active": _l("Active"),
                "banned": _l("No access")}


class LoginForm(FlaskForm):
    username = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter your e-mail address")), Length(max=320)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Enter your password")), Length(max=1024)])


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("Create a password"), validators=[
        DataRequired(_l("Enter a password")),
        Length(min=PASSWORD_MIN, max=1024,
               message=_l("Your password must be at least 12 characters long"))])
    confirm = PasswordField(_l("Type your password again"), validators=[
        DataRequired(_l("Type your password again")),
        EqualTo("password", _l("The passwords do not match"))])


class ExistingPasswordForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[
        DataRequired(_l("Enter your password")), Length(max=1024)])


class PhoneForm(FlaskForm):
    class Meta:
        csrf = False  # a part of PhonesForm, which has the token

    type = SelectField(_l("Type"), choices=PHONE_TYPES, default="mobile")
    number = StringField(_l("Number"), validators=[
        Optional(), Regexp(PHONE, message=_l(
            "Enter a phone number using digits, spaces and ( ) - . only"))])


class PhonesForm(FlaskForm):
    phones = FieldList(FormField(PhoneForm), min_entries=1, max_entries=10)


class LanguageForm(FlaskForm):
    language = SelectField(_l("Language"), choices=list(LANGUAGES.items()))


@blueprint.errorhandler(SessionEnded)
def session_ended(error):
    flash(_("Your session has ended. Sign in again."))
    return redirect(url_for("portal.login"))


@blueprint.app_context_processor
def language_form():
    from flask_babel import get_locale

    form = LanguageForm(formdata=None, language=str(get_locale() or "en"))
    return {"language_form": form, "status_names": STATUS_NAMES}


@blueprint.post("/language")
def language():
    form = LanguageForm()
    back = local_path(request.form.get("next"), "/portal") or url_for("portal.home")
    response = make_response(redirect(back))
    if form.validate_on_submit():
        response.set_cookie(LANGUAGE_COOKIE, form.language.data, max_age=365 * 24 * 3600,
                            path="/portal", httponly=True, samesite="Lax",
                            secure=request.is_secure)
    return response


@blueprint.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    if len(token) > 200:
        abort(404)
    found = call("GET", f"/api/v1/invitations/{token}", authenticated=False)
    if not found.ok:
        return render_template("portal/invitation_invalid.html",
                               title=_("This invitation link does not work")), 404
    invitation = found.body
    existing = bool(invitation.get("existing_account"))
    form = ExistingPasswordForm() if existing else NewPasswordForm()
    problem = None
    if form.validate_on_submit():
        answer = call("POST", f"/api/v1/invitations/{token}/accept", authenticated=False,
                      json_body={"password": form.password.data})
        if answer.ok:
            _sign_in(answer.body, invitation.get("email"))
            flash(_("Your account is ready."), "success")
            return redirect(url_for("portal.home"))
        if answer.status == 404:
            return render_template("portal/invitation_invalid.html",
                                   title=_("This invitation link does not work")), 404
        if answer.status == 401:
            problem = _("The password is not right for your existing account.")
        elif answer.status == 429:
            problem = _("Too many failed attempts. Wait a few minutes and try again.")
        elif answer.status == 422:
            problem = field_errors(answer, {"password": "password"}).get("password") or \
                _("Choose another password.")
        else:
            problem = _("Something went wrong. Try again later.")
    return render_template("portal/invitation.html", form=form, invitation=invitation,
                           existing=existing, problem=problem, token=token,
                           title=_("Set up your account")), \
        400 if problem or form.errors else 200


def _sign_in(body: dict, username: str | None) -> None:
    session.clear()
    session.regenerate()
    session.update(token=body["access_token"], expires_at=body.get("expires_at"),
                   username=username)


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    problem = None
    if form.validate_on_submit():
        answer = call("POST", "/api/v1/auth/portal/login", authenticated=False, json_body={
            "username": form.username.data.strip(), "password": form.password.data})
        if answer.ok:
            _sign_in(answer.body, form.username.data.strip())
            return redirect(local_path(request.args.get("next"), "/portal/")
                            or url_for("portal.home"))
        if answer.status == 429:
            problem = _("Too many failed attempts. Wait a few minutes and try again.")
        else:
            problem = _("Enter the right e-mail address and password.")
    return render_template("portal/login.html", form=form, problem=problem,
                           title=_("Sign in")), 400 if problem or form.errors else 200


@blueprint.post("/logout")
@portal_required
def logout():
    try:
        call("POST", "/api/v1/auth/logout")
    except SessionEnded:
        pass
    session.clear()
    session.regenerate()  # the signed-out id is deleted, never reused
    flash(_("You have signed out."))
    return redirect(url_for("portal.login"))


@blueprint.get("/")
@portal_required
def home():
    me = call("GET", "/api/v1/portal/me")
    if not me.ok:
        abort(503)
    return render_template("portal/home.html", me=me.body, title=_("Your details"))


@blueprint.route("/me/phones", methods=["GET", "POST"])
@portal_required
def phones():
    me = call("GET", "/api/v1/portal/me")
    if not me.ok:
        abort(503)
    current = me.body["global_record"]["phones"]
    if request.method == "GET":
        blank = [{"type": "mobile", "number": ""}] if len(current) < 10 else []
        form = PhonesForm(data={"phones": current + blank})
    else:
        form = PhonesForm()
    problem = None
    if form.validate_on_submit():
        wanted = [{"type": entry.form.type.data, "number": entry.form.number.data.strip()}
                  for entry in form.phones if (entry.form.number.data or "").strip()]
        answer = call("PATCH", "/api/v1/portal/me", json_body={"phones": wanted})
        if answer.ok:
            flash(_("Your phone numbers have been saved."), "success")
            return redirect(url_for("portal.home"))
        problem = field_errors(answer, {}).get("", None) or field_errors(
            answer, {"phones": ""}).get("") or _("Your phone numbers could not be saved.")
    return render_template("portal/phones.html", form=form, problem=problem,
                           title=_("Your phone numbers")), 400 if problem or form.errors else 200


# --- a forgotten password, and the e-mailed reset link (staff and clients alike) --------------

class ForgottenForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter your e-mail address")), Length(max=320)])


@blueprint.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """Asks for a reset link: the answer is the same page whether or not the account exists
    (the API answers 202 alike)."""
    form = ForgottenForm()
    if form.validate_on_submit():
        answer = call("POST", "/api/v1/auth/password-reset", authenticated=False,
                      json_body={"email": form.email.data.strip()})
        if answer.ok or answer.status == 429:
            return render_template("portal/reset_sent.html", email=form.email.data.strip(),
                                   title=_("Check your e-mail"))
        form.email.errors = [_("Enter an e-mail address in the right format, like "
                               "name@example.org")]
    return render_template("portal/forgot_password.html", form=form,
                           title=_("Reset your password")), 400 if form.errors else 200


@blueprint.route("/password-reset/<token>", methods=["GET", "POST"])
def password_reset(token: str):
    """The e-mail's link: a new password. The API has no way to look a link up before using
    it, so a used, superseded or expired link is told when the form is sent."""
    if len(token) > 200:
        abort(404)
    form = NewPasswordForm()
    problem = None
    if form.validate_on_submit():
        answer = call("POST", f"/api/v1/auth/password-reset/{token}", authenticated=False,
                      json_body={"password": form.password.data})
        if answer.ok:
            # every token of the account stops working: this browser's portal session too
            session.clear()
            session.regenerate()
            return redirect(url_for("portal.password_changed"))
        if answer.status == 404:
            return render_template("portal/reset_invalid.html",
                                   title=_("This password reset link does not work")), 404
        if answer.status == 422:
            problem = field_errors(answer, {"password": "password"}).get("password") or \
                _("Choose another password.")
        else:
            problem = _("Something went wrong. Try again later.")
    return render_template("portal/password_reset.html", form=form, problem=problem,
                           title=_("Choose a new password")), \
        400 if problem or form.errors else 200


@blueprint.get("/password-changed")
def password_changed():
    return render_template("portal/password_changed.html",
                           title=_("Your password has been changed"))


# --- joining an agency through its global invitation link (INV-5) --------------------------------

class JoinForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[
        DataRequired(_l("Enter your first name")), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[
        DataRequired(_l("Enter your last name")), Length(max=100)])
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("Enter your e-mail address")), Length(max=320)])
    phone = StringField(_l("Phone number (optional)"), validators=[
        Optional(), Regexp(PHONE, message=_l(
            "Enter a phone number using digits, spaces and ( ) - . only"))])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Enter a password")), Length(max=1024)])


JOIN_FIELDS = {"first_name": "first_name", "last_name": "last_name", "email": "email",
               "phones": "phone", "password": "password"}


@blueprint.route("/join/<slug>", methods=["GET", "POST"])
def join(slug: str):
    if len(slug) > 200:
        abort(404)
    found = call("GET", f"/api/v1/join/{slug}", authenticated=False)
    if not found.ok:
        return render_template("portal/join_invalid.html",
                               title=_("This link to join does not work")), 404
    agency = found.body["organization_name"]
    form = JoinForm()
    problem = None
    if form.validate_on_submit():
        phone = (form.phone.data or "").strip()
        answer = call("POST", f"/api/v1/join/{slug}", authenticated=False, json_body={
            "first_name": form.first_name.data.strip(), "last_name": form.last_name.data.strip(),
            "email": form.email.data.strip(),
            "phones": [{"type": "mobile", "number": phone}] if phone else [],
            "password": form.password.data})
        if answer.ok:
            return render_template("portal/join_sent.html", agency=agency,
                                   title=_("Your request has been sent"))
        if answer.status == 404:
            return render_template("portal/join_invalid.html",
                                   title=_("This link to join does not work")), 404
        if answer.status == 401:
            form.password.errors = [_("This e-mail address already has an account: enter "
                                      "that account's password.")]
        elif answer.status == 429:
            problem = _("Too many failed attempts. Wait a few minutes and try again.")
        elif answer.status == 422:
            for name, text in field_errors(answer, JOIN_FIELDS).items():
                if name:
                    getattr(form, name).errors = [text]
                else:
                    problem = text
            if not form.errors and not problem:
                problem = _("Check the details you gave.")
        else:
            problem = _("Something went wrong. Try again later.")
    return render_template("portal/join.html", form=form, agency=agency, problem=problem,
                           title=_("Ask to join %(agency)s", agency=agency)), \
        400 if problem or form.errors else 200


# --- message threads (NOT-5, NOT-6) ---------------------------------------------------------------

# What a message body may hold: the API stores bodies already sanitised by nh3 to the
# contract's MESSAGE_TAGS without attributes (API.md "Messages"); they are cleaned again here with
# the same list before being marked safe, so that the page never trusts stored HTML on its own
# word.
BODY_MAX = 20_000


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Your message"), validators=[
        DataRequired(_l("Write your message")),
        Length(max=BODY_MAX, message=_l("Your message must be 20,000 characters or fewer"))])


class NewThreadForm(MessageForm):
    staff_user_id = RadioField(_l("Who do you want to write to?"), choices=[],
                               validate_choice=False,
                               validators=[DataRequired(_l("Choose who to write to"))])


@blueprint.app_template_filter("message_html")
def message_html(body: str | None) -> Markup:
    """A message's body as HTML: bold, italic and lists only (see MESSAGE_TAGS)."""
    return Markup(nh3.clean(body or "", tags=set(MESSAGE_TAGS), attributes={}))  # noqa: S704


@blueprint.app_template_filter("when")
def when(value: str | None) -> str:
    if not value:
        return ""
    try:
        return format_datetime(datetime.fromisoformat(value), "medium")
    except ValueError:
        return value


def _agency_record(record_id: UUID) -> dict:
    """The client's agency record ``record_id`` as /portal/me lists it (404 when not theirs)."""
    me = call("GET", "/api/v1/portal/me")
    if not me.ok:
        abort(503)
    for link in me.body.get("records", []):
        if link.get("record_id") == str(record_id):
            return link
    abort(404)


def _refused(answer) -> None:
    if answer.status in (404, 422):  # 422: a cursor that is not the API's (a typed address)
        abort(404)
    if answer.status == 403:
        abort(403)
    if not answer.ok:
        abort(503)


@blueprint.get("/records/<uuid:record_id>/threads")
@portal_required
def threads(record_id: UUID):
    link = _agency_record(record_id)
    answer = call("GET", f"/api/v1/portal/records/{record_id}/threads",
                  params={"limit": 50, "cursor": request.args.get("cursor", "")[:500]})
    _refused(answer)
    return render_template("portal/threads.html", link=link, record_id=record_id,
                           threads=answer.body["items"],
                           next_cursor=answer.body.get("next_cursor"),
                           title=_("Messages with %(agency)s",
                                   agency=link["organization_name"]))


@blueprint.route("/threads/<uuid:thread_id>", methods=["GET", "POST"])
@portal_required
def thread(thread_id: UUID):
    form = MessageForm()
    problem = None
    if form.validate_on_submit():
        answer = call("POST", f"/api/v1/portal/threads/{thread_id}/messages",
                      json_body={"body": form.body.data})
        if answer.ok:
            flash(_("Your message has been sent."), "success")
            return redirect(url_for("portal.thread", thread_id=thread_id))
        if answer.status in (403, 404):
            _refused(answer)
        problem = field_errors(answer, {"body": "body"}).get("body") if answer.status == 422 \
            else None
        problem = problem or _("Your message could not be sent. Try again later.")
    shown = call("GET", f"/api/v1/portal/threads/{thread_id}")
    _refused(shown)
    link = _agency_record(UUID(shown.body["record_id"]))
    return render_template("portal/thread.html", thread=shown.body, link=link, form=form,
                           problem=problem,
                           title=_("Messages with %(name)s",
                                   name=shown.body.get("staff_name") or
                                   link["organization_name"])), \
        400 if problem or form.errors else 200


def _care_team(record_id: UUID, threads: list[dict]) -> list[tuple[str, str]]:
    """Whom the client may choose to write to: their practitioners and navigators (where the
    agency gives ``sessions``) and the staff of their threads. The API decides: it refuses
    anyone outside the care team or not accepting client-initiated contact."""
    people: dict[str, str] = {}
    practitioners = call("GET", f"/api/v1/portal/records/{record_id}/practitioners")
    if practitioners.ok:
        for person in practitioners.body.get("items", []):
            people[person["id"]] = person.get("name") or person.get("email") or ""
    for item in threads:
        people.setdefault(item["staff_user_id"], item.get("staff_name") or "")
    return sorted(people.items(), key=lambda pair: pair[1].lower())


@blueprint.route("/records/<uuid:record_id>/threads/new", methods=["GET", "POST"])
@portal_required
def new_thread(record_id: UUID):
    link = _agency_record(record_id)
    listed = call("GET", f"/api/v1/portal/records/{record_id}/threads", params={"limit": 100})
    _refused(listed)
    form = NewThreadForm()
    form.staff_user_id.choices = _care_team(record_id, listed.body["items"])
    problem, status = None, 200
    if form.validate_on_submit():
        status = 400
        answer = call("POST", f"/api/v1/portal/records/{record_id}/threads", json_body={
            "staff_user_id": form.staff_user_id.data, "body": form.body.data})
        if answer.ok:
            flash(_("Your message has been sent."), "success")
            return redirect(url_for("portal.thread", thread_id=answer.body["id"]))
        if answer.code == "contact_not_allowed":
            status = 403
            problem = _("This person cannot be contacted through the portal. Choose someone "
                        "else, or wait for your agency to write to you.")
        elif answer.status == 422:
            errors = field_errors(answer, {"body": "body", "staff_user_id": "staff_user_id"})
            for name, text in errors.items():
                if name:
                    getattr(form, name).errors = [text]
            problem = errors.get("") or (None if form.errors else _("Check your message."))
        else:
            _refused(answer)
            problem = _("Your message could not be sent. Try again later.")
    return render_template("portal/new_thread.html", form=form, link=link, record_id=record_id,
                           problem=problem, title=_("Write to your care team")), \
        status if problem or form.errors else 200


# the global record's editing, the password, agency records, requests and who viewed a record:
# web/portal_records.py, on this blueprint
from web import portal_records  # noqa: E402, F401
