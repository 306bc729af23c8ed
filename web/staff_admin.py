"""The staff console's agency administration, under /staff/admin (agency administrators): staff
members and their roles, roles and their permissions, client types, warning indicators and
groups, the portal and the agency's other settings, the global invitation link, and the
enrollment requests that come through it with their possible duplicates (INV-5, INV-6).

Every page asks the API as the signed-in user: the API decides who may do what (a 403 from it
renders the 403 page); the menu entry is only shown to administrators."""

from __future__ import annotations

from uuid import UUID

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from contracts.identity import PASSWORD_MIN_LENGTH, PERMISSIONS, PORTAL_FEATURES, time_zones
from web.common import SessionEnded, call, field_errors, local_path, login_required, staff_menu

blueprint = Blueprint("staff_admin", __name__, url_prefix="/staff/admin")
admin_required = login_required("staff.login")
staff_menu("staff_admin.overview", "Administration", permission="agency_admin")

API = "/api/v1/staff"

PERMISSION_LABELS = {
    "agency_admin": ("Agency administration",
                     "Staff, roles, settings, the invitation link and everything under "
                     "Administration"),
    "case_numbers": ("Change case numbers", "Give a record another case number"),
    "delete_clients": ("Delete client records", "Delete records (an administrator can restore "
                                                "them)"),
    "client_account_invitations": ("Client account invitations",
                                   "Invite clients to the portal and decide requests to join"),
    "view_audit": ("View the audit trail", "See who read or changed which record"),
    "manage_groups": ("Manage groups", "Create, rename and delete groups and change their "
                                       "members"),
    "schedule_any_client": ("Schedule any client", "Book sessions for clients who are not on "
                                                   "their own caseload"),
}
FEATURE_LABELS = {
    "profile_editing": ("Profile editing", "Clients change their own name, e-mail address and "
                                           "phone numbers"),
    "availability": ("Availability", "Clients tell the agency when they are free"),
    "sessions": ("Sessions", "Clients see their booked sessions and payments"),
    "messages": ("Messages", "Clients read and answer messages, and write to their care team"),
    "requests": ("Requests", "Clients fill in assessments, send documents and sign releases of "
                             "information"),
}
REASONS = {
    "same_email": "same e-mail address",
    "same_phone": "same phone number",
    "same_name": "same name",
    "similar_name": "similar name",
    "sounds_alike": "name sounds alike",
    "same_date_of_birth": "same date of birth",
}
GRADES = {
    "certain": ("Certain match", "govuk-tag--red"),
    "probable": ("Probable match", "govuk-tag--orange"),
    "possible": ("Possible match", "govuk-tag--yellow"),
}
ENROLLMENT_STATUSES = {"pending": "Waiting for a decision", "accepted": "Accepted",
                       "rejected": "Rejected"}

# the catalogues an administrator defines: client types (REC-4), warning indicators (REC-14),
# groups (REC-7); each with its API path, its words and its fields
CATALOGUES = {
    "client-types": {
        "api": f"{API}/client-types", "title": "Client types", "one": "client type",
        "fields": ("name",), "active": True,
        "about": "Each record can have one client type, such as Individual or Family. A client "
                 "type that records use cannot be deleted: it is made inactive instead, and "
                 "those records keep it.",
    },
    "warning-indicators": {
        "api": f"{API}/warning-indicators", "title": "Warning indicators",
        "one": "warning indicator", "fields": ("name", "description", "colour"), "active": True,
        "about": "Warnings shown at the top of a record, such as Lone working or Allergy. One "
                 "that records use cannot be deleted: it is made inactive instead, and those "
                 "records keep it.",
    },
    "groups": {
        "api": f"{API}/groups", "title": "Groups", "one": "group",
        "fields": ("name", "description"), "active": False,
        "about": "Groups of records, such as a programme or a caseload. Deleting a group takes "
                 "its members out of it; the records themselves stay.",
    },
}
CATALOGUE_KINDS = "any(" + ", ".join(f'"{kind}"' for kind in CATALOGUES) + ")"


# --- calling the API --------------------------------------------------------------------------

@blueprint.errorhandler(SessionEnded)
def session_ended(error):
    flash("Your session has ended. Sign in again.")
    return redirect(url_for("staff.login", next=local_path(request.full_path, "/staff/")))


def refused(status: int, title: str, message: str):
    """Ends the request with the error page (never a bare 500)."""
    abort(make_response(render_template("error.html", title=title, message=message), status))


def fail(answer):
    """The page for an API answer this page cannot go on from."""
    if answer.status in (403, 404):
        abort(answer.status)
    if answer.status == 429:
        refused(429, "Too many requests", "Wait a minute and try again.")
    refused(503, "Sorry, there is a problem with the service",
            (answer.body or {}).get("detail") if isinstance(answer.body, dict) and
            answer.status < 500 else "Try again later.")


def fetch(path: str, **params):
    answer = call("GET", path, params=params or None)
    if not answer.ok:
        fail(answer)
    return answer.body


def items(path: str, **params) -> list[dict]:
    """Every item of a list (500 a page, as many pages as there are)."""
    out, cursor = [], None
    while True:
        page = fetch(path, limit=500, **({"cursor": cursor} if cursor else {}), **params)
        out.extend(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return out


def one(path: str, item_id: UUID) -> dict:
    """One item of a list that has no route of its own (roles, catalogues)."""
    for item in items(path):
        if item["id"] == str(item_id):
            return item
    abort(404)


def problem_of(answer, form, names: dict[str, str], codes: dict[str, tuple[str, str]]) -> str:
    """Puts the API's refusal on the form: a known code on its field (``codes``: code ->
    (field, sentence)), the validation errors on theirs; answers a sentence for the error
    summary when no field takes it."""
    if answer.code in codes:
        name, sentence = codes[answer.code]
        if name:
            getattr(form, name).errors = [sentence]
            return ""
        return sentence
    if answer.status in (403, 404):
        fail(answer)
    general = []
    for name, message in field_errors(answer, names).items():
        field = getattr(form, name, None) if name else None
        if field is not None:
            field.errors = [message[:1].upper() + message[1:]]
        else:
            general.append(message)
    if general or not form.errors:
        detail = (answer.body or {}).get("detail") if isinstance(answer.body, dict) else None
        return "; ".join(general) or detail or "That could not be saved. Try again later."
    return ""


def error_status(answer) -> int:
    return answer.status if 400 <= answer.status < 500 else 503


class ActionForm(FlaskForm):
    """A button's form: only the CSRF token."""


# --- the overview -----------------------------------------------------------------------------

@blueprint.get("", strict_slashes=False)
@admin_required
def overview():
    settings = fetch(f"{API}/settings")
    pending = call("GET", f"{API}/enrollment-requests", params={"status": "pending",
                                                                   "limit": 500})
    links = fetch(f"{API}/invitation-links", limit=50)["items"]
    return render_template(
        "staff/admin/overview.html", title="Administration", settings=settings,
        pending=len(pending.body["items"]) if pending.ok else None,
        active_link=next((link for link in links if link["active"]), None))


# --- staff members ----------------------------------------------------------------------------

class StaffForm(FlaskForm):
    first_name = StringField("First name", validators=[
        DataRequired("Enter the first name"), Length(max=200, message="Enter at most 200 "
                                                                       "characters")])
    last_name = StringField("Last name", validators=[
        DataRequired("Enter the last name"), Length(max=200, message="Enter at most 200 "
                                                                     "characters")])
    email = EmailField("E-mail address", validators=[
        DataRequired("Enter the e-mail address"),
        Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
               message="Enter an e-mail address in the right format, like name@example.org"),
        Length(max=320)])
    role_id = SelectField("Role", choices=[], validate_choice=False,
                          validators=[DataRequired("Choose a role")])
    allow_client_initiated_contact = BooleanField(
        "Clients may start a conversation with this person in the portal")


class NewStaffForm(StaffForm):
    password = PasswordField("Temporary password", validators=[
        DataRequired("Enter a temporary password"),
        Length(min=PASSWORD_MIN_LENGTH, max=1024,
               message=f"Enter a password of at least {PASSWORD_MIN_LENGTH} characters")])


STAFF_NAMES = {"first_name": "first_name", "last_name": "last_name", "email": "email",
               "role_id": "role_id", "password": "password"}
STAFF_CODES = {
    "duplicate_email": ("email", "Someone in this agency already has this e-mail address"),
    "last_administrator": ("role_id", "This would leave the agency without an active "
                                      "administrator: make someone else an administrator first"),
}


def role_choices(form: StaffForm, roles: list[dict]) -> None:
    form.role_id.choices = [(r["id"], r["name"]) for r in roles]


@blueprint.get("/staff")
@admin_required
def staff():
    users = sorted(items(f"{API}/users"), key=lambda u: (not u["active"], u["name"].lower()))
    return render_template("staff/admin/staff.html", title="Staff members", users=users)


@blueprint.route("/staff/new", methods=["GET", "POST"])
@admin_required
def new_staff():
    roles = items(f"{API}/roles")
    form = NewStaffForm()
    role_choices(form, roles)
    if request.method == "GET":
        form.allow_client_initiated_contact.data = True
        form.role_id.data = next((r["id"] for r in roles if r["name"] == "Staff"), None)
    problem = ""
    if form.validate_on_submit():
        answer = call("POST", f"{API}/users", json_body={
            "first_name": form.first_name.data.strip(), "last_name": form.last_name.data.strip(),
            "email": form.email.data.strip(), "role_id": form.role_id.data,
            "password": form.password.data,
            "allow_client_initiated_contact": bool(form.allow_client_initiated_contact.data)})
        if answer.ok:
            flash(f"{answer.body['name']} was added as {answer.body['role_name']}. Give them the "
                  "temporary password; they can change it after signing in.", "success")
            return redirect(url_for("staff_admin.staff"))
        problem = problem_of(answer, form, STAFF_NAMES, STAFF_CODES)
    return render_template("staff/admin/staff_new.html", title="Add a staff member", form=form,
                           problem=problem), 400 if (problem or form.errors) else 200


@blueprint.route("/staff/<uuid:user_id>", methods=["GET", "POST"])
@admin_required
def staff_member(user_id: UUID):
    user = fetch(f"{API}/users/{user_id}")
    roles = items(f"{API}/roles")
    form = StaffForm(data=None if request.method == "POST" else {
        "first_name": user["first_name"], "last_name": user["last_name"],
        "email": user["email"], "role_id": user["role_id"],
        "allow_client_initiated_contact": user["allow_client_initiated_contact"]})
    role_choices(form, roles)
    problem = ""
    if form.validate_on_submit():
        answer = call("PATCH", f"{API}/users/{user_id}", json_body={
            "first_name": form.first_name.data.strip(), "last_name": form.last_name.data.strip(),
            "email": form.email.data.strip(), "role_id": form.role_id.data,
            "allow_client_initiated_contact": bool(form.allow_client_initiated_contact.data)})
        if answer.ok:
            flash(f"{answer.body['name']}'s details were saved.", "success")
            return redirect(url_for("staff_admin.staff_member", user_id=user_id))
        problem = problem_of(answer, form, STAFF_NAMES, STAFF_CODES)
    failed = problem or form.errors
    return render_template("staff/admin/staff_member.html", title=user["name"], user=user,
                           form=form, problem=problem, action=ActionForm(),
                           error_prefix=bool(failed)), 400 if failed else 200


@blueprint.post("/staff/<uuid:user_id>/active")
@admin_required
def staff_active(user_id: UUID):
    if not ActionForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "true"
    answer = call("PATCH", f"{API}/users/{user_id}", json_body={"active": active})
    if answer.ok:
        flash(f"{answer.body['name']} can sign in again." if active else
              f"{answer.body['name']} was deactivated: they are signed out and cannot sign in.",
              "success")
        return redirect(url_for("staff_admin.staff_member", user_id=user_id))
    if answer.code == "last_administrator":
        user = fetch(f"{API}/users/{user_id}")
        form = StaffForm(data={**user})
        role_choices(form, items(f"{API}/roles"))
        return render_template(
            "staff/admin/staff_member.html", title=user["name"], user=user, form=form,
            action=ActionForm(), error_prefix=True,
            active_problem="This is the agency's last active administrator: make someone else "
                           "an administrator before deactivating them."), 409
    fail(answer)


# --- roles ------------------------------------------------------------------------------------

class RoleForm(FlaskForm):
    name = StringField("Role name", validators=[
        DataRequired("Enter a name for the role"),
        Length(max=100, message="Enter a name of at most 100 characters")])
    permissions = SelectMultipleField(
        "Permissions", choices=[(p, PERMISSION_LABELS[p][0]) for p in PERMISSIONS])


ROLE_CODES = {
    "duplicate_role_name": ("name", "There is already a role with this name"),
    "role_protected": ("permissions", "The Agency Administrator role always keeps Agency "
                                      "administration, so the agency can never be left without "
                                      "an administrator"),
}


@blueprint.get("/roles")
@admin_required
def roles():
    return render_template("staff/admin/roles.html", title="Roles", roles=items(f"{API}/roles"),
                           labels=PERMISSION_LABELS)


@blueprint.route("/roles/new", methods=["GET", "POST"])
@admin_required
def new_role():
    form = RoleForm()
    problem = ""
    if form.validate_on_submit():
        answer = call("POST", f"{API}/roles", json_body={
            "name": form.name.data.strip(), "permissions": form.permissions.data or []})
        if answer.ok:
            flash(f"The role {answer.body['name']} was created.", "success")
            return redirect(url_for("staff_admin.roles"))
        problem = problem_of(answer, form, {"name": "name", "permissions": "permissions"},
                             ROLE_CODES)
    failed = problem or form.errors
    return render_template("staff/admin/role.html", title="Create a role", form=form,
                           problem=problem, role=None, labels=PERMISSION_LABELS,
                           error_prefix=bool(failed)), 400 if failed else 200


@blueprint.route("/roles/<uuid:role_id>", methods=["GET", "POST"])
@admin_required
def role(role_id: UUID):
    found = one(f"{API}/roles", role_id)
    form = RoleForm(data=None if request.method == "POST" else {
        "name": found["name"], "permissions": found["permissions"]})
    problem = ""
    if form.validate_on_submit():
        answer = call("PATCH", f"{API}/roles/{role_id}", json_body={
            "name": form.name.data.strip(), "permissions": form.permissions.data or []})
        if answer.ok:
            flash(f"The role {answer.body['name']} was saved.", "success")
            return redirect(url_for("staff_admin.roles"))
        problem = problem_of(answer, form, {"name": "name", "permissions": "permissions"},
                             ROLE_CODES)
    failed = problem or form.errors
    return render_template("staff/admin/role.html", title=f"Role: {found['name']}", form=form,
                           problem=problem, role=found, labels=PERMISSION_LABELS,
                           action=ActionForm(), error_prefix=bool(failed)), \
        400 if failed else 200


@blueprint.post("/roles/<uuid:role_id>/delete")
@admin_required
def delete_role(role_id: UUID):
    if not ActionForm().validate_on_submit():
        abort(400)
    found = one(f"{API}/roles", role_id)
    answer = call("DELETE", f"{API}/roles/{role_id}")
    if answer.ok:
        flash(f"The role {found['name']} was deleted.", "success")
        return redirect(url_for("staff_admin.roles"))
    if answer.code == "role_in_use":
        reason = (f"The role {found['name']} cannot be deleted: {found['users']} staff "
                  f"member{'s' if found['users'] != 1 else ''} still "
                  f"{'have' if found['users'] != 1 else 'has'} it. Give them another role "
                  "first.")
    elif answer.code == "role_protected":
        reason = ("The Agency Administrator role cannot be deleted: the agency always needs "
                  "it.")
    else:
        fail(answer)
    form = RoleForm(data={"name": found["name"], "permissions": found["permissions"]})
    return render_template("staff/admin/role.html", title=f"Role: {found['name']}", form=form,
                           problem="", role=found, labels=PERMISSION_LABELS, action=ActionForm(),
                           delete_problem=reason, error_prefix=True), 409


# --- client types, warning indicators, groups -------------------------------------------------

class CatalogueForm(FlaskForm):
    name = StringField("Name", validators=[
        DataRequired("Enter a name"), Length(max=200, message="Enter at most 200 characters")])
    description = TextAreaField("Description (optional)", validators=[
        Optional(), Length(max=2000, message="Enter at most 2,000 characters")])
    colour = StringField("Colour (optional)", validators=[
        Optional(), Regexp(r"^#[0-9A-Fa-f]{6}$",
                           message="Enter a colour as # and 6 hexadecimal digits, like #C0392B")])
    active = RadioField("Status", choices=[("true", "Active: staff can choose it"),
                                           ("false", "Inactive: records keep it, nobody can "
                                                     "choose it")],
                        validate_choice=False)


def catalogue_body(kind: dict, form: CatalogueForm) -> dict:
    body = {"name": form.name.data.strip()}
    for name in ("description", "colour"):
        if name in kind["fields"]:
            body[name] = (getattr(form, name).data or "").strip() or None
    return body


def catalogue_codes(kind: dict) -> dict:
    return {"duplicate_name": ("name", f"There is already a {kind['one']} with this name")}


@blueprint.route(f"/<{CATALOGUE_KINDS}:kind>", methods=["GET", "POST"])
@admin_required
def catalogue(kind: str):
    about = CATALOGUES[kind]
    form = CatalogueForm()
    problem = ""
    if request.method == "POST" and form.validate_on_submit():
        answer = call("POST", about["api"], json_body=catalogue_body(about, form))
        if answer.ok:
            flash(f"The {about['one']} {answer.body['name']} was added.", "success")
            return redirect(url_for("staff_admin.catalogue", kind=kind))
        problem = problem_of(answer, form, {f: f for f in about["fields"]},
                             catalogue_codes(about))
    listed = items(about["api"])
    failed = problem or form.errors
    return render_template("staff/admin/catalogue.html", title=about["title"], kind=kind,
                           about=about, listed=listed, form=form, problem=problem,
                           error_prefix=bool(failed)), 400 if failed else 200


@blueprint.route(f"/<{CATALOGUE_KINDS}:kind>/<uuid:item_id>", methods=["GET", "POST"])
@admin_required
def catalogue_item(kind: str, item_id: UUID):
    about = CATALOGUES[kind]
    item = one(about["api"], item_id)
    form = CatalogueForm(data=None if request.method == "POST" else {
        **item, "active": "true" if item.get("active", True) else "false"})
    problem = ""
    if form.validate_on_submit():
        body = catalogue_body(about, form)
        if about["active"]:
            body["active"] = form.active.data != "false"
        answer = call("PATCH", f"{about['api']}/{item_id}", json_body=body)
        if answer.ok:
            flash(f"The {about['one']} {answer.body['name']} was saved.", "success")
            return redirect(url_for("staff_admin.catalogue", kind=kind))
        problem = problem_of(answer, form, {f: f for f in about["fields"]},
                             catalogue_codes(about))
    failed = problem or form.errors
    return render_template("staff/admin/catalogue_item.html",
                           title=f"{about['one'].capitalize()}: {item['name']}", kind=kind,
                           about=about, item=item, form=form, problem=problem,
                           action=ActionForm(), error_prefix=bool(failed)), \
        400 if failed else 200


@blueprint.post(f"/<{CATALOGUE_KINDS}:kind>/<uuid:item_id>/delete")
@admin_required
def delete_catalogue_item(kind: str, item_id: UUID):
    if not ActionForm().validate_on_submit():
        abort(400)
    about = CATALOGUES[kind]
    item = one(about["api"], item_id)
    answer = call("DELETE", f"{about['api']}/{item_id}")
    if answer.status == 204:
        flash(f"The {about['one']} {item['name']} was deleted.", "success")
    elif answer.ok:
        flash(f"Records use the {about['one']} {item['name']}, so it was made inactive instead "
              "of deleted: those records keep it, and nobody can choose it any more.", "success")
    else:
        fail(answer)
    return redirect(url_for("staff_admin.catalogue", kind=kind))


# --- portal and agency settings ---------------------------------------------------------------

class HoursField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError("Enter a whole number of hours from 1 to 720 (30 days)") from error


class SettingsForm(FlaskForm):
    portal_enabled = RadioField("Is the client portal on?", choices=[
        ("true", "Yes: clients can be invited and sign in"),
        ("false", "No: nobody can be invited, and clients cannot use the portal")],
        validators=[InputRequired("Choose whether the portal is on")])
    portal_features = SelectMultipleField(
        "What clients can do in the portal",
        choices=[(f, FEATURE_LABELS[f][0]) for f in PORTAL_FEATURES])
    disable_notifications_for_closed_records = BooleanField(
        "Send no e-mail notifications about closed records")
    invitation_ttl_hours = HoursField("How long an invitation link works, in hours", validators=[
        InputRequired("Enter how many hours an invitation link works"),
        NumberRange(min=1, max=720, message="Enter a number of hours from 1 to 720 (30 days)")])
    timezone = SelectField("Time zone", choices=[], validate_choice=False,
                           validators=[DataRequired("Choose a time zone")])
    sender_name = StringField("Sender name of e-mails (optional)", validators=[
        Optional(), Length(max=200, message="Enter at most 200 characters")])
    welcome_template = TextAreaField("Welcome text of invitations (optional)", validators=[
        Optional(), Length(max=20000, message="Enter at most 20,000 characters")])


SETTINGS_NAMES = {name: name for name in (
    "portal_enabled", "portal_features", "disable_notifications_for_closed_records",
    "invitation_ttl_hours", "timezone", "sender_name", "welcome_template")}


@blueprint.route("/settings", methods=["GET", "POST"])
@admin_required
def settings():
    current = fetch(f"{API}/settings")
    form = SettingsForm(data=None if request.method == "POST" else {
        **current, "portal_enabled": "true" if current["portal_enabled"] else "false"})
    form.timezone.choices = [(z, z) for z in sorted(time_zones() | {current["timezone"]})]
    problem = ""
    if form.validate_on_submit():
        answer = call("PATCH", f"{API}/settings", json_body={
            "portal_enabled": form.portal_enabled.data == "true",
            "portal_features": form.portal_features.data or [],
            "disable_notifications_for_closed_records":
                bool(form.disable_notifications_for_closed_records.data),
            "invitation_ttl_hours": form.invitation_ttl_hours.data,
            "timezone": form.timezone.data,
            "sender_name": (form.sender_name.data or "").strip() or None,
            "welcome_template": (form.welcome_template.data or "").strip() or None})
        if answer.ok:
            flash("The settings were saved.", "success")
            return redirect(url_for("staff_admin.settings"))
        problem = problem_of(answer, form, SETTINGS_NAMES, {})
    failed = problem or form.errors
    return render_template("staff/admin/settings.html", title="Portal and agency settings",
                           form=form, problem=problem, current=current, labels=FEATURE_LABELS,
                           error_prefix=bool(failed)), 400 if failed else 200


# --- the global invitation link (INV-5) -------------------------------------------------------

@blueprint.get("/invitation-link")
@admin_required
def invitation_link():
    links = fetch(f"{API}/invitation-links", limit=50)["items"]
    return render_template("staff/admin/invitation_link.html", title="Global invitation link",
                           active=[link for link in links if link["active"]],
                           past=[link for link in links if not link["active"]],
                           action=ActionForm())


@blueprint.post("/invitation-link")
@admin_required
def new_invitation_link():
    """A new link; the links active until now are disabled (one link to share at a time)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    before = [link for link in fetch(f"{API}/invitation-links", limit=50)["items"]
              if link["active"]]
    answer = call("POST", f"{API}/invitation-links", json_body={})
    if not answer.ok:
        fail(answer)
    for link in before:
        disabled = call("DELETE", f"{API}/invitation-links/{link['id']}")
        if not disabled.ok and disabled.status != 404:
            fail(disabled)
    flash("A new invitation link was created." + (
        " The previous link no longer works." if before else ""), "success")
    return redirect(url_for("staff_admin.invitation_link"))


@blueprint.post("/invitation-link/<uuid:link_id>/disable")
@admin_required
def disable_invitation_link(link_id: UUID):
    if not ActionForm().validate_on_submit():
        abort(400)
    answer = call("DELETE", f"{API}/invitation-links/{link_id}")
    if not answer.ok:
        fail(answer)
    flash("The invitation link was disabled: nobody can ask to join through it any more.",
          "success")
    return redirect(url_for("staff_admin.invitation_link"))


# --- enrollment requests (INV-5, INV-6) -------------------------------------------------------

@blueprint.get("/enrollment-requests")
@admin_required
def enrollment_requests():
    status = request.args.get("status", "pending")
    if status not in ENROLLMENT_STATUSES:
        abort(404)
    listed = items(f"{API}/enrollment-requests", status=status)
    return render_template("staff/admin/enrollment.html", title="Requests to join",
                           status=status, statuses=ENROLLMENT_STATUSES, listed=listed,
                           reasons=REASONS, grades=GRADES, action=ActionForm())


def decided(answer, what: str):
    if answer.ok:
        return
    if answer.status == 409:
        flash("This request was already decided by someone else: see it in its list.")
        return
    fail(answer)


@blueprint.post("/enrollment-requests/<uuid:request_id>/accept")
@admin_required
def accept_enrollment(request_id: UUID):
    if not ActionForm().validate_on_submit():
        abort(400)
    choice = request.form.get("record_id", "new")
    if choice != "new":
        try:
            choice = str(UUID(choice))
        except ValueError:
            abort(400)
    answer = call("POST", f"{API}/enrollment-requests/{request_id}/accept",
                  json_body={"record_id": None if choice == "new" else choice})
    if answer.ok:
        name = f"{answer.body['first_name']} {answer.body['last_name']}"
        flash(f"{name} was accepted" + (" and linked to the existing record." if choice != "new"
                                       else ": a new record was created."), "success")
    else:
        decided(answer, "accept")
    return redirect(url_for("staff_admin.enrollment_requests"))


@blueprint.post("/enrollment-requests/<uuid:request_id>/reject")
@admin_required
def reject_enrollment(request_id: UUID):
    if not ActionForm().validate_on_submit():
        abort(400)
    answer = call("POST", f"{API}/enrollment-requests/{request_id}/reject")
    if answer.ok:
        flash(f"The request of {answer.body['first_name']} {answer.body['last_name']} was "
              "rejected.", "success")
    else:
        decided(answer, "reject")
    return redirect(url_for("staff_admin.enrollment_requests"))
