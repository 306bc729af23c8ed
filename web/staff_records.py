"""The staff console's record workflows (REC-1 to REC-15), everything a staff member does on one
client record: creating one (with its possible duplicates first), the record page's changes
(image, case number, client type, statuses, details), groups one by one and in bulk, navigators,
the direct invitation's resend, delete and restore, contacts (search first), staff-only notes and
the audit trail. Every change goes through the gateway's API, which decides."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from uuid import UUID

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError

from web.common import SessionEnded, call, gateway, local_path, login_required, staff_menu
from web.gateway import Unavailable, forwarded_for

blueprint = Blueprint("records", __name__, url_prefix="/staff")
staff_required = login_required("staff.login")
staff_menu("records.new_record", "New record")
staff_menu("records.deleted", "Deleted records", permission="agency_admin")

API = "/api/v1/staff"
STATUSES = (("prospect", "Prospect"), ("active", "Active"), ("inactive", "Inactive"),
            ("closed", "Closed"))
PORTAL_STATUSES = (("enrollment_pending", "Enrollment pending: can use the portal"),
                   ("active", "Active: can use the portal"),
                   ("banned", "Banned: cannot reach this agency's record"))
PHONE_TYPES = (("mobile", "Mobile"), ("home", "Home"), ("work", "Work"), ("other", "Other"))
CONTACT_TYPES = (("general", "General"), ("emergency", "Emergency"),
                 ("next_of_kin", "Next of kin"), ("guardian", "Guardian"),
                 ("professional", "Professional"),
                 ("additional_address", "Additional address (the address is needed)"),
                 ("finance_billing", "Finance / billing"))
REASONS = {"same_email": "same e-mail address", "same_phone": "same phone number",
           "same_name": "same name", "similar_name": "similar name",
           "sounds_alike": "name sounds alike", "same_date_of_birth": "same date of birth"}
PHONE_ROWS = 3
MAX_IMAGE_BYTES = 5 * 1024 * 1024
CODES = {
    "duplicate_case_number": "This case number is already used by another record of the "
                             "agency. Choose another one.",
    "permission_denied": "Your role does not allow this. Ask your agency administrator.",
    "forbidden": "Your role does not allow this. Ask your agency administrator.",
    "no_client_account": "This record has no portal account, so it has no portal status.",
    "record_has_financial_links": "This record has sessions or payments, so it cannot be "
                                  "deleted. Set its status to inactive or prospect instead.",
}


class Posted(FlaskForm):
    """Only the CSRF check: the pages read their few fields themselves."""


@blueprint.record_once
def _upload_checks_its_own_token(state) -> None:
    """The image upload is bigger than the site's 1 MiB form limit: CSRFProtect would read
    (and refuse) the body before the view raises the limit, so the view checks the token
    itself (``checked_post``) after raising it."""
    state.app.extensions["csrf"].exempt("web.staff_records.change_image")


@blueprint.errorhandler(413)
def too_large(error):
    return render_template("error.html", title="The file is too big",
                           message="An image must be 5 MB or smaller. Go back and choose a "
                                   "smaller one."), 413


@blueprint.errorhandler(SessionEnded)
def session_ended(error):
    flash("Your session has ended. Sign in again.")
    return redirect(url_for("staff.login", next=local_path(request.full_path, "/staff/")))


def checked_post() -> None:
    """The form's CSRF token (CSRFProtect checks it first everywhere but the image upload);
    a bad one gets the site's "Your form expired" page."""
    if not Posted().validate_on_submit():
        raise CSRFError("The CSRF token is missing or invalid.")


def refused(answer, default: str) -> str:
    """A plain sentence for an API refusal."""
    if answer.code in CODES:
        return CODES[answer.code]
    if answer.status == 403:
        return CODES["forbidden"]
    detail = (answer.body or {}).get("detail") if isinstance(answer.body, dict) else None
    return sentence(detail) if detail else default


def sentence(text: str) -> str:
    text = str(text).strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def api_errors(answer, names: dict[str, str]) -> dict[str, str]:
    """The API's ``errors`` as one plain sentence per form field (``names``: API field -> form
    field id); the rest under the first form field."""
    out: dict[str, str] = {}
    for key, messages in (answer.errors or {}).items():
        root = key.split(".")[0]
        target = names.get(key) or names.get(root) or next(iter(names.values()))
        out.setdefault(target, sentence(first_message(messages)))
    return out


def first_message(messages) -> str:
    if isinstance(messages, list) and messages:
        return first_message(messages[0])
    if isinstance(messages, dict) and messages:
        return first_message(next(iter(messages.values())))
    return str(messages)


def fetch_record(record_id: UUID) -> dict:
    answer = call("GET", f"{API}/records/{record_id}")
    if answer.status == 404:
        abort(404)
    if answer.status == 403:
        abort(403)
    if not answer.ok:
        abort(503)
    return answer.body


def items(path: str, **params) -> list | None:
    """A list the page shows beside the record, or None when the API refused it."""
    answer = call("GET", path, params={"limit": 500, **params})
    return answer.body.get("items", []) if answer.ok else None


def back_to(record_id: UUID, anchor: str = ""):
    return redirect(url_for("staff.record", record_id=record_id) + (f"#{anchor}" if anchor
                                                                     else ""))


# --- the record page ---------------------------------------------------------------------------

def record_page(record_id: UUID, view: dict, **extra):
    """The record page's context: the record with its groups, navigators, contacts and notes."""
    groups = items(f"{API}/groups")
    users = items(f"{API}/users") if _can("agency_admin") else None
    notes = call("GET", f"{API}/records/{record_id}/notes")
    contacts = call("GET", f"{API}/records/{record_id}/contacts")
    member_of = {g["id"] for g in view["groups"]}
    assigned = {n["user_id"] for n in view["navigators"]}
    me = session.get("user") or {}
    if users is None:
        candidates = [] if me.get("id") in assigned else [
            {"id": me.get("id"), "name": f"Me ({me.get('name') or me.get('email')})"}]
    else:
        candidates = [{"id": u["id"], "name": f"{u['name']} ({u['email']})"} for u in users
                      if u.get("active") and u["id"] not in assigned]
    return render_template(
        "staff/record.html", record=view, form=extra.pop("form", None) or Posted(),
        title=view["name"], other_groups=[g for g in groups or () if g["id"] not in member_of],
        navigator_choices=candidates, notes=notes.body if notes.ok else None,
        contacts=contacts.body.get("items", []) if contacts.ok else None, **extra)


def _can(permission: str) -> bool:
    return permission in (session.get("user") or {}).get("permissions", ())


# --- create a record ---------------------------------------------------------------------------

def person_form() -> tuple[dict, dict]:
    """The fields of the create and details forms as typed, and the errors found before asking
    the API (a date that is not one)."""
    form = request.form
    values = {key: form.get(key, "").strip()[:320] for key in (
        "first_name", "last_name", "email", "dob-day", "dob-month", "dob-year", "case_number",
        "kind")}
    values["phones"] = [{"number": form.get(f"phone-{i}-number", "").strip()[:40],
                         "type": form.get(f"phone-{i}-type", "mobile")}
                        for i in range(10) if i < PHONE_ROWS or f"phone-{i}-number" in form]
    errors: dict[str, str] = {}
    if not values["first_name"]:
        errors["first_name"] = "Enter the first name"
    if not values["last_name"]:
        errors["last_name"] = "Enter the last name"
    values["date_of_birth"] = None
    parts = [values["dob-day"], values["dob-month"], values["dob-year"]]
    if any(parts):
        try:
            born = date(int(parts[2]), int(parts[1]), int(parts[0]))
            if born > date.today() or born.year < 1900:
                raise ValueError
            values["date_of_birth"] = born.isoformat()
        except ValueError:
            errors["dob-day"] = "Enter a real date of birth in the past, like 27 3 1985"
    return values, errors


def person_body(values: dict) -> dict:
    return {"first_name": values["first_name"], "last_name": values["last_name"],
            "email": values["email"] or None, "date_of_birth": values["date_of_birth"],
            "phones": [p for p in values["phones"] if p["number"]]}


PERSON_FIELDS = {"first_name": "first_name", "last_name": "last_name", "email": "email",
                 "date_of_birth": "dob-day", "phones": "phone-0-number",
                 "case_number": "case_number", "kind": "kind"}


FRIENDLY = {"email": "Enter an e-mail address in the right format, like name@example.org",
            "phone": "Enter a phone number of digits, spaces and ()-., like 07700 900123"}


def phone_errors(answer, errors: dict) -> None:
    """A phone's error under its own row (``phones: {"1": ...}`` names the second), and plain
    sentences for a malformed e-mail or phone."""
    phones = (answer.errors or {}).get("phones")
    if isinstance(phones, dict):
        errors.pop("phone-0-number", None)
        for key in phones:
            if str(key).isdigit():
                errors[f"phone-{key}-number"] = FRIENDLY["phone"]
    elif "phone-0-number" in errors:
        errors["phone-0-number"] = FRIENDLY["phone"] if "digits" in errors["phone-0-number"] \
            else errors["phone-0-number"]
    if "email" in errors and "valid" in errors["email"].lower():
        errors["email"] = FRIENDLY["email"]


@blueprint.route("/records/new", methods=["GET", "POST"])
@staff_required
def new_record():
    values = {"kind": "client", "phones": [{"number": "", "type": "mobile"}] * PHONE_ROWS}
    errors: dict[str, str] = {}
    duplicates = None
    if request.method == "POST":
        checked_post()
        values, errors = person_form()
        if not errors and request.form.get("confirmed") != "yes":
            duplicates = possible_duplicates(values)
        if not errors and not duplicates:
            body = {**person_body(values), "kind": values["kind"] or "client",
                    "case_number": values["case_number"] or None}
            answer = call("POST", f"{API}/records", json_body=body)
            if answer.ok:
                made = answer.body
                flash(f"Record created for {made.get('name') or values['first_name']}, case "
                      f"number {made.get('case_number')}.", "success")
                later = [d for d in made.get("possible_duplicates") or ()]
                if later:
                    session["created_duplicates"] = {"record_id": made["id"], "items": later}
                return redirect(url_for("staff.record", record_id=made["id"]))
            errors = api_errors(answer, PERSON_FIELDS)
            phone_errors(answer, errors)
            if not errors:
                errors["first_name"] = refused(answer, "The record could not be created.")
            elif answer.code == "duplicate_case_number":
                errors["case_number"] = CODES["duplicate_case_number"]
    status = 400 if errors else 200
    return render_template("staff/records/new.html", values=values, errors=errors,
                           duplicates=duplicates, form=Posted(), phone_types=PHONE_TYPES,
                           reasons=REASONS, title="New record"), status


def possible_duplicates(values: dict) -> list:
    params = {"first_name": values["first_name"], "last_name": values["last_name"],
              "date_of_birth": values["date_of_birth"], "email": values["email"] or None,
              "phone": next((p["number"] for p in values["phones"] if p["number"]), None)}
    answer = call("GET", f"{API}/records/duplicates", params=params)
    return answer.body.get("items", []) if answer.ok else []


# --- the record's own fields -------------------------------------------------------------------

def field_page(record_id: UUID, template: str, title: str, **context):
    view = fetch_record(record_id)
    errors = context.pop("errors", {})
    return render_template(f"staff/records/{template}", record=view, form=Posted(),
                           errors=errors, title=f"{title}: {view['name']}", **context), \
        400 if errors else 200


@blueprint.route("/records/<uuid:record_id>/case-number", methods=["GET", "POST"])
@staff_required
def case_number(record_id: UUID):
    errors, value = {}, None
    if request.method == "POST":
        checked_post()
        value = request.form.get("case_number", "").strip()[:60]
        if not value:
            errors["case_number"] = "Enter a case number"
        else:
            answer = call("PUT", f"{API}/records/{record_id}/case-number",
                          json_body={"case_number": value})
            if answer.ok:
                flash(f"Case number changed to {answer.body['case_number']}.", "success")
                return back_to(record_id)
            if answer.status == 404:
                abort(404)
            errors = api_errors(answer, {"case_number": "case_number"}) if answer.errors \
                and answer.code not in CODES else {
                    "case_number": refused(answer, "The case number could not be changed.")}
    return field_page(record_id, "case_number.html", "Change the case number", errors=errors,
                      value=value)


@blueprint.route("/records/<uuid:record_id>/client-type", methods=["GET", "POST"])
@staff_required
def client_type(record_id: UUID):
    errors = {}
    if request.method == "POST":
        checked_post()
        chosen = request.form.get("client_type_id") or None
        answer = call("PUT", f"{API}/records/{record_id}/client-type",
                      json_body={"client_type_id": chosen})
        if answer.ok:
            flash("Client type changed.", "success")
            return back_to(record_id)
        if answer.status == 404:
            abort(404)
        errors = {"client_type_id": refused(answer, "The client type could not be set.")}
    types = [t for t in items(f"{API}/client-types") or () if t["active"]]
    return field_page(record_id, "client_type.html", "Change the client type", errors=errors,
                      types=types)


def choice_page(record_id: UUID, name: str, path: str, choices, title: str, template: str,
                done: str):
    errors = {}
    if request.method == "POST":
        checked_post()
        chosen = request.form.get(name, "")
        if chosen not in dict(choices):
            errors[name] = f"Choose the {title.split(' the ', 1)[-1]}"
        else:
            answer = call("PUT", f"{API}/records/{record_id}/{path}", json_body={name: chosen})
            if answer.ok:
                flash(done.format(dict(choices)[chosen].split(":")[0].lower()), "success")
                return back_to(record_id)
            if answer.status == 404:
                abort(404)
            errors[name] = refused(answer, "The change could not be saved.")
    return field_page(record_id, template, title, errors=errors, choices=choices, name=name)


@blueprint.route("/records/<uuid:record_id>/status", methods=["GET", "POST"])
@staff_required
def record_status(record_id: UUID):
    return choice_page(record_id, "status", "status", STATUSES, "Change the record status",
                       "choice.html", "Record status changed to {}.")


@blueprint.route("/records/<uuid:record_id>/portal-status", methods=["GET", "POST"])
@staff_required
def portal_status(record_id: UUID):
    return choice_page(record_id, "portal_status", "portal-status", PORTAL_STATUSES,
                       "Change the portal status", "choice.html", "Portal status changed to {}.")


@blueprint.route("/records/<uuid:record_id>/details", methods=["GET", "POST"])
@staff_required
def details(record_id: UUID):
    view = fetch_record(record_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        checked_post()
        values, errors = person_form()
        if not errors:
            answer = call("PATCH", f"{API}/records/{record_id}", json_body=person_body(values))
            if answer.ok:
                flash("Details saved.", "success")
                return back_to(record_id)
            if answer.status == 404:
                abort(404)
            errors = api_errors(answer, PERSON_FIELDS)
            phone_errors(answer, errors)
            if not errors:
                errors["first_name"] = refused(answer, "The details could not be saved.")
    else:
        born = view.get("date_of_birth") or ""
        year, month, day = (born.split("-") + ["", "", ""])[:3] if born else ("", "", "")
        phones = list(view.get("phones") or ())
        values = {"first_name": view["first_name"], "last_name": view["last_name"],
                  "email": view.get("email") or "", "dob-day": day.lstrip("0"),
                  "dob-month": month.lstrip("0"), "dob-year": year,
                  "phones": (phones + [{"number": "", "type": "mobile"}] * PHONE_ROWS)[
                      :max(PHONE_ROWS, len(phones))]}
    return render_template("staff/records/details.html", record=view, values=values,
                           errors=errors, form=Posted(), phone_types=PHONE_TYPES,
                           title=f"Change the details: {view['name']}"), 400 if errors else 200


@blueprint.route("/records/<uuid:record_id>/image/change", methods=["GET", "POST"])
@staff_required
def change_image(record_id: UUID):
    errors = {}
    if request.method == "POST":
        request.max_content_length = MAX_IMAGE_BYTES + 64 * 1024
        checked_post()
        upload = request.files.get("image")
        data = upload.read(MAX_IMAGE_BYTES + 1) if upload else b""
        if not data:
            errors["image"] = "Choose an image file: JPEG, PNG, GIF or WebP"
        elif len(data) > MAX_IMAGE_BYTES:
            errors["image"] = "The image must be 5 MB or smaller"
        else:
            status, body = put_image(record_id, data, upload.mimetype)
            if 200 <= status < 300:
                flash("Image uploaded.", "success")
                return back_to(record_id)
            if status == 404:
                abort(404)
            errors["image"] = {
                413: "The image must be 5 MB or smaller",
                415: "The file must be a JPEG, PNG, GIF or WebP image"}.get(
                status, refused_raw(body, "The image could not be uploaded."))
    return field_page(record_id, "image.html", "Change the image", errors=errors)


def put_image(record_id: UUID, data: bytes, mimetype: str | None) -> tuple[int, dict]:
    """The upload as the API takes it: the bytes themselves as the body (web/gateway.py's
    ``call`` sends JSON only)."""
    token = session.get("token")
    if not token:
        raise SessionEnded()
    kind = mimetype if mimetype in ("image/jpeg", "image/png", "image/gif", "image/webp") \
        else "application/octet-stream"
    pool = gateway()
    try:
        response = pool.pool.request(
            "PUT", f"{pool.base_url}{API}/records/{record_id}/image", body=data,
            headers={"Authorization": f"Bearer {token}", "Content-Type": kind,
                     "Accept": "application/json",
                     "X-Forwarded-For": forwarded_for(request.environ)})
    except Exception as exc:  # urllib3's errors: the page says the service is down
        raise Unavailable(str(exc)) from exc
    if response.status == 401:
        session.clear()
        session.regenerate()
        raise SessionEnded()
    try:
        body = json.loads(response.data or b"{}")
    except ValueError:
        body = {}
    return response.status, body if isinstance(body, dict) else {}


def refused_raw(body: dict, default: str) -> str:
    return CODES.get(body.get("code"), sentence(body["detail"]) if body.get("detail")
                     else default)


# --- groups, navigators ------------------------------------------------------------------------

@blueprint.post("/records/<uuid:record_id>/groups")
@staff_required
def add_group(record_id: UUID):
    checked_post()
    group_id = request.form.get("group_id", "")
    if not group_id:
        flash("Choose a group to add the record to.", "error")
        return back_to(record_id, "groups")
    answer = call("POST", f"{API}/records/{record_id}/groups", json_body={"group_id": group_id})
    if answer.status == 404:
        fetch_record(record_id)  # another agency's record: the 404 page
    if answer.ok:
        name = next((g["name"] for g in answer.body.get("groups", ()) if g["id"] == group_id),
                    "the group")
        flash(f"Added to {name}." if answer.status == 201 else f"Already in {name}.",
              "success")
    else:
        flash(refused(answer, "The record could not be added to the group."), "error")
    return back_to(record_id, "groups")


@blueprint.post("/records/<uuid:record_id>/groups/<uuid:group_id>/remove")
@staff_required
def remove_group(record_id: UUID, group_id: UUID):
    checked_post()
    answer = call("DELETE", f"{API}/records/{record_id}/groups/{group_id}")
    if answer.ok:
        flash(f"Removed from {request.form.get('name') or 'the group'}.", "success")
    else:
        fetch_record(record_id)
        flash(refused(answer, "The record could not be removed from the group."), "error")
    return back_to(record_id, "groups")


@blueprint.post("/records/bulk-group")
@staff_required
def bulk_group():
    checked_post()
    q = request.form.get("q", "")[:200]
    chosen = [r for r in request.form.getlist("record_id") if _uuid(r)][:500]
    group_id = request.form.get("group_id", "")
    if not chosen or not _uuid(group_id):
        flash("Select at least one record and a group." if not chosen else "Choose a group.",
              "error")
        return redirect(url_for("staff.search", q=q))
    answer = call("POST", f"{API}/groups/{group_id}/members/bulk",
                  json_body={"add": chosen, "remove": []})
    if answer.ok:
        results = answer.body.get("results", [])
        added = answer.body.get("added", 0)
        already = sum(1 for r in results if r.get("code") == "already_member")
        failed = sum(1 for r in results if r.get("outcome") == "failed")
        text = f"{added} {'record' if added == 1 else 'records'} added to " \
               f"{request.form.get('group_name') or group_name(group_id)}"
        if already:
            text += f"; {already} {'was' if already == 1 else 'were'} in it already"
        if failed:
            text += f"; {failed} could not be found"
        flash(text + ".", "success")
    else:
        flash(refused(answer, "The records could not be added to the group."), "error")
    return redirect(url_for("staff.search", q=q))


def group_name(group_id: str) -> str:
    return next((g["name"] for g in items(f"{API}/groups") or () if g["id"] == group_id),
                "the group")


def _uuid(text: str) -> bool:
    try:
        UUID(text)
    except (ValueError, TypeError):
        return False
    return True


@blueprint.post("/records/<uuid:record_id>/navigators")
@staff_required
def assign_navigator(record_id: UUID):
    checked_post()
    user_id = request.form.get("user_id", "")
    if not _uuid(user_id):
        flash("Choose a staff member to assign.", "error")
        return back_to(record_id, "navigators")
    answer = call("POST", f"{API}/records/{record_id}/navigators", json_body={"user_id": user_id})
    if answer.ok:
        name = next((n["name"] for n in answer.body.get("navigators", ())
                     if n["user_id"] == user_id), "The staff member")
        flash(f"{name} assigned as a navigator." if answer.status == 201
              else f"{name} was a navigator already.", "success")
    else:
        fetch_record(record_id)
        flash(refused(answer, "The navigator could not be assigned. If the staff member was "
                              "added a moment ago, try again."), "error")
    return back_to(record_id, "navigators")


@blueprint.post("/records/<uuid:record_id>/navigators/<uuid:user_id>/remove")
@staff_required
def unassign_navigator(record_id: UUID, user_id: UUID):
    checked_post()
    answer = call("DELETE", f"{API}/records/{record_id}/navigators/{user_id}")
    if answer.ok:
        flash(f"{request.form.get('name') or 'The navigator'} unassigned.", "success")
    else:
        flash(refused(answer, "The navigator could not be unassigned."), "error")
    return back_to(record_id, "navigators")


# --- invitation resend -------------------------------------------------------------------------

@blueprint.post("/records/<uuid:record_id>/invitation/resend")
@staff_required
def resend_invitation(record_id: UUID):
    checked_post()
    answer = call("POST", f"{API}/records/{record_id}/invitation/resend")
    if answer.status == 404:
        fetch_record(record_id)
    if answer.ok:
        session["just_invited"] = {"record_id": str(record_id), "email": answer.body.get("email"),
                                   "sent_at": answer.body.get("sent_at")}
        flash(f"Invitation sent again to {answer.body.get('email')}. Earlier links no longer "
              "work.", "success")
    else:
        from web.staff import INVITATION_ERRORS

        flash(INVITATION_ERRORS.get(answer.code) or refused(
            answer, "The invitation could not be sent again. Try again later."), "error")
    return back_to(record_id, "invitation")


# --- delete and restore ------------------------------------------------------------------------

@blueprint.route("/records/<uuid:record_id>/delete", methods=["GET", "POST"])
@staff_required
def delete(record_id: UUID):
    problem = None
    if request.method == "POST":
        checked_post()
        if request.form.get("confirm") != "yes":
            problem = "Select “Yes, delete this record” to delete it, or go back to the record."
        else:
            view = fetch_record(record_id)
            answer = call("DELETE", f"{API}/records/{record_id}")
            if answer.ok:
                flash(f"The record of {view['name']} ({view['case_number']}) was deleted. An "
                      "administrator can restore it from Deleted records.", "success")
                return redirect(url_for("staff.search"))
            if answer.status == 404:
                abort(404)
            problem = refused(answer, "The record could not be deleted.")
    view = fetch_record(record_id)
    return render_template("staff/records/delete.html", record=view, form=Posted(),
                           problem=problem, title=f"Delete the record of {view['name']}"), \
        (409 if problem and "sessions" in problem else 400) if problem else 200


@blueprint.get("/records/deleted")
@staff_required
def deleted():
    q = request.args.get("q", "").strip()[:200]
    cursor = request.args.get("cursor") or None
    answer = call("GET", f"{API}/records/deleted", params={"q": q or None, "cursor": cursor,
                                                           "limit": 50})
    if answer.status == 403:
        abort(403)
    if not answer.ok:
        abort(503)
    return render_template("staff/records/deleted.html", page=answer.body, q=q, form=Posted(),
                           title="Deleted records")


@blueprint.post("/records/<uuid:record_id>/restore")
@staff_required
def restore(record_id: UUID):
    checked_post()
    answer = call("POST", f"{API}/records/{record_id}/restore")
    if answer.status == 404:
        abort(404)
    if answer.ok:
        flash(f"The record of {answer.body['name']} was restored.", "success")
        return back_to(record_id)
    flash(refused(answer, "The record could not be restored."), "error")
    return redirect(url_for("records.deleted"))


# --- notes -------------------------------------------------------------------------------------

@blueprint.post("/records/<uuid:record_id>/notes")
@staff_required
def add_note(record_id: UUID):
    """Adds a dated note at the top of the record's staff-only notes (the API keeps them as one
    text, REC-13)."""
    checked_post()
    text = request.form.get("note", "").strip()
    if not text:
        flash("Write the note before adding it.", "error")
        return back_to(record_id, "notes")
    current = call("GET", f"{API}/records/{record_id}/notes")
    if current.status == 404:
        abort(404)
    me = session.get("user") or {}
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = f"{stamp}, {me.get('name') or me.get('email')}:\n{text}"
    earlier = (current.body or {}).get("body") or "" if current.ok else ""
    answer = call("PUT", f"{API}/records/{record_id}/notes",
                  json_body={"body": body + ("\n\n" + earlier if earlier else "")})
    flash("Note added." if answer.ok else refused(answer, "The note could not be saved: the "
                                                  "notes may be too long."),
          "success" if answer.ok else "error")
    return back_to(record_id, "notes")


@blueprint.route("/records/<uuid:record_id>/notes/edit", methods=["GET", "POST"])
@staff_required
def edit_notes(record_id: UUID):
    errors, value = {}, None
    if request.method == "POST":
        checked_post()
        value = request.form.get("notes", "")
        answer = call("PUT", f"{API}/records/{record_id}/notes", json_body={"body": value})
        if answer.ok:
            flash("Notes saved.", "success")
            return back_to(record_id, "notes")
        if answer.status == 404:
            abort(404)
        errors["notes"] = "The notes must be 20,000 characters or fewer" if answer.errors \
            else refused(answer, "The notes could not be saved.")
    else:
        current = call("GET", f"{API}/records/{record_id}/notes")
        if current.status == 404:
            abort(404)
        value = (current.body or {}).get("body", "") if current.ok else ""
    return field_page(record_id, "notes.html", "Edit the staff notes", errors=errors,
                      value=value)


# --- audit trail -------------------------------------------------------------------------------

@blueprint.get("/records/<uuid:record_id>/audit")
@staff_required
def audit(record_id: UUID):
    view = fetch_record(record_id)
    cursor = request.args.get("cursor") or None
    answer = call("GET", f"{API}/records/{record_id}/audit", params={"cursor": cursor,
                                                                     "limit": 25})
    if answer.status == 403:
        abort(403)
    if not answer.ok:
        abort(404 if answer.status == 404 else 503)
    return render_template("staff/records/audit.html", record=view, page=answer.body,
                           first=cursor is None, title=f"Audit trail: {view['name']}")


# --- contacts ----------------------------------------------------------------------------------

def contact_name(contact: dict) -> str:
    name = " ".join(filter(None, (contact.get("first_name"), contact.get("last_name"))))
    org = contact.get("organisation_name")
    return f"{name} ({org})" if name and org else name or org or "Unnamed contact"


@blueprint.app_template_filter("audit_value")
def audit_value(value) -> str:
    """A changed value of the audit trail as a person reads it."""
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, dict):
        return str(value.get("name") or value.get("number") or ", ".join(
            f"{k}: {v}" for k, v in value.items() if not k.endswith("id")))
    if isinstance(value, list):
        return ", ".join(audit_value(v) for v in value)
    return str(value)


@blueprint.app_template_filter("contact_name")
def contact_name_filter(contact: dict) -> str:
    return contact_name(contact)


@blueprint.get("/records/<uuid:record_id>/contacts/add")
@staff_required
def find_contact(record_id: UUID):
    """Adding a contact starts with a search (REC-12): pick an existing one, or create one."""
    view = fetch_record(record_id)
    q = request.args.get("q", "").strip()[:200]
    found = None
    if q:
        answer = call("GET", f"{API}/contacts", params={"q": q, "limit": 20})
        found = answer.body.get("items", []) if answer.ok else []
        linked = {c["contact_id"] for c in (items(f"{API}/records/{record_id}/contacts") or ())}
        for contact in found:
            contact["linked"] = contact["id"] in linked
    return render_template("staff/records/contact_search.html", record=view, q=q, found=found,
                           title=f"Add a contact: {view['name']}")


LINK_FIELDS = {"contact_types": "contact_types", "relationship": "relationship",
               "organisation_reference": "organisation_reference",
               "connection_role": "connection_role", "contact_id": "relationship"}


@blueprint.route("/records/<uuid:record_id>/contacts/link/<uuid:contact_id>",
                 methods=["GET", "POST"])
@staff_required
def link_contact(record_id: UUID, contact_id: UUID):
    view = fetch_record(record_id)
    contact = call("GET", f"{API}/contacts/{contact_id}")
    if not contact.ok:
        abort(404)
    errors: dict[str, str] = {}
    values = {"contact_types": [], "relationship": "", "organisation_reference": "",
              "connection_role": ""}
    if request.method == "POST":
        checked_post()
        values = {"contact_types": request.form.getlist("contact_types"),
                  **{k: request.form.get(k, "").strip()[:200] for k in (
                      "relationship", "organisation_reference", "connection_role")}}
        if not values["contact_types"]:
            errors["contact_types"] = "Select at least one contact type"
        if not values["relationship"]:
            errors["relationship"] = "Enter the relationship, like Mother or Social worker"
        if not errors:
            answer = call("POST", f"{API}/records/{record_id}/contacts", json_body={
                "contact_id": str(contact_id), "contact_types": values["contact_types"],
                "relationship": values["relationship"],
                "organisation_reference": values["organisation_reference"] or None,
                "connection_role": values["connection_role"] or None})
            if answer.ok:
                flash(f"{contact_name(contact.body)} added as a contact.", "success")
                return back_to(record_id, "contacts")
            errors = api_errors(answer, LINK_FIELDS) if answer.errors else {
                "relationship": refused(answer, "The contact could not be added.")}
            if "contact_types" in errors and "address" in errors["contact_types"].lower():
                errors["contact_types"] = ("An additional-address contact needs an address: "
                                           "this contact has none. Choose other types.")
    return render_template("staff/records/contact_link.html", record=view,
                           contact=contact.body, values=values, errors=errors, form=Posted(),
                           contact_types=CONTACT_TYPES,
                           title=f"Link {contact_name(contact.body)}"), 400 if errors else 200


CONTACT_FIELDS = {"first_name": "first_name", "last_name": "last_name",
                  "organisation_name": "organisation_name", "email": "email",
                  "phones": "phone", "address": "line1"}


@blueprint.route("/records/<uuid:record_id>/contacts/new", methods=["GET", "POST"])
@staff_required
def new_contact(record_id: UUID):
    view = fetch_record(record_id)
    errors: dict[str, str] = {}
    duplicates = None
    values = {k: "" for k in ("first_name", "last_name", "organisation_name", "email", "phone",
                              "line1", "city", "postcode")}
    values["last_name"] = request.args.get("q", "")[:200]
    if request.method == "POST":
        checked_post()
        values = {k: request.form.get(k, "").strip()[:200] for k in values}
        if not values["last_name"] and not values["organisation_name"]:
            errors["last_name"] = "Enter a last name or an organisation name"
        if not errors:
            body = {"first_name": values["first_name"] or None,
                    "last_name": values["last_name"] or None,
                    "organisation_name": values["organisation_name"] or None,
                    "email": values["email"] or None,
                    "phones": [{"number": values["phone"], "type": "mobile"}]
                    if values["phone"] else [],
                    "address": {"line1": values["line1"], "city": values["city"] or None,
                                "postcode": values["postcode"] or None}
                    if values["line1"] else None,
                    "confirm_new": request.form.get("confirmed") == "yes"}
            answer = call("POST", f"{API}/contacts", json_body=body)
            if answer.ok:
                flash(f"Contact {contact_name(answer.body)} created. Now say how they relate "
                      f"to {view['name']}.", "success")
                return redirect(url_for("records.link_contact", record_id=record_id,
                                        contact_id=answer.body["id"]))
            if answer.status == 409:
                duplicates = (answer.body or {}).get("possible_duplicates") or []
            else:
                errors = api_errors(answer, CONTACT_FIELDS) if answer.errors else {
                    "last_name": refused(answer, "The contact could not be created.")}
    return render_template("staff/records/contact_new.html", record=view, values=values,
                           errors=errors, duplicates=duplicates, form=Posted(),
                           title=f"New contact for {view['name']}"), \
        400 if errors else (409 if duplicates is not None else 200)


@blueprint.post("/records/<uuid:record_id>/contacts/<uuid:contact_id>/remove")
@staff_required
def unlink_contact(record_id: UUID, contact_id: UUID):
    checked_post()
    answer = call("DELETE", f"{API}/records/{record_id}/contacts/{contact_id}")
    if answer.ok:
        flash(f"{request.form.get('name') or 'The contact'} removed from this record. The "
              "contact stays in the agency's contacts.", "success")
    else:
        flash(refused(answer, "The contact could not be removed."), "error")
    return back_to(record_id, "contacts")
