"""The staff console, under /staff: login, logout, a forgotten password (the e-mailed link lands
on the portal's reset page, which serves staff and clients alike), finding a record, the record
(REC-1) and its direct invitation."""

from __future__ import annotations

from uuid import UUID

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from web.common import (
    SessionEnded,
    call,
    can,
    field_errors,
    gateway,
    local_path,
    login_required,
    staff_menu,
)
from web.gateway import forwarded_for

blueprint = Blueprint("staff", __name__, url_prefix="/staff")
staff_required = login_required("staff.login")
staff_menu("staff.search", "Find a record")

INVITATION_ERRORS = {
    "portal_not_enabled": "The agency's portal is not enabled: an administrator turns it on in "
                          "the portal settings.",
    "already_has_account": "This client already has a portal account.",
    "no_primary_email": "The record has no e-mail address: add one before inviting.",
    "confirmation_required": "Confirm that the e-mail address is right and that the client has "
                             "no portal access yet.",
    "forbidden": "You do not have permission to invite clients to the portal.",
}


class LoginForm(FlaskForm):
    organization = StringField("Agency", validators=[
        DataRequired("Enter your agency's short name"), Length(max=100)])
    email = EmailField("E-mail address", validators=[
        DataRequired("Enter your e-mail address"), Length(max=320)])
    password = PasswordField("Password", validators=[
        DataRequired("Enter your password"), Length(max=1024)])


class InvitationForm(FlaskForm):
    confirm = BooleanField("The e-mail address is right and the client has no portal access yet")


@blueprint.errorhandler(SessionEnded)
def session_ended(error):
    flash("Your session has ended. Sign in again.")
    return redirect(url_for("staff.login", next=local_path(request.full_path, "/staff/")))


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    problem = None
    if form.validate_on_submit():
        answer = call("POST", "/api/v1/auth/staff/login", authenticated=False, json_body={
            "organization": form.organization.data.strip(),
            "email": form.email.data.strip(), "password": form.password.data})
        if answer.ok:
            body = answer.body
            user = body["user"]
            session.clear()
            session.regenerate()
            session.update(token=body["access_token"], expires_at=body.get("expires_at"),
                           user={"id": user.get("id"), "email": user.get("email"),
                                 "name": " ".join(filter(None, (user.get("first_name"),
                                                                user.get("last_name")))),
                                 "organization_id": user.get("organization_id"),
                                 "permissions": list(user.get("permissions") or ())},
                           organization=form.organization.data.strip())
            return redirect(local_path(request.args.get("next"), "/staff/")
                            or url_for("staff.search"))
        if answer.status == 429:
            wait = answer.headers.get("Retry-After", "")
            problem = ("Too many failed attempts. Wait " + (f"{wait} seconds" if wait else
                                                             "a while") + " and try again.")
        else:
            problem = "Enter the right agency, e-mail address and password."
    return render_template("staff/login.html", form=form, problem=problem,
                           title="Sign in"), 400 if problem or form.errors else 200


class ForgottenForm(FlaskForm):
    organization = StringField("Agency", validators=[
        DataRequired("Enter your agency's short name"), Length(max=100)])
    email = EmailField("E-mail address", validators=[
        DataRequired("Enter your e-mail address"), Length(max=320)])


@blueprint.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """Asks for a reset link: the same answer whether or not the agency or the account exists
    (the API answers 202 alike)."""
    form = ForgottenForm()
    if form.validate_on_submit():
        answer = call("POST", "/api/v1/auth/password-reset", authenticated=False, json_body={
            "organization": form.organization.data.strip(), "email": form.email.data.strip()})
        if answer.ok or answer.status == 429:
            return render_template("staff/reset_sent.html", email=form.email.data.strip(),
                                   title="Check your e-mail")
        errors = field_errors(answer, {"organization": "organization"})
        if "organization" in errors:
            form.organization.errors = ["Enter your agency's short name, as in its web address"]
        else:
            form.email.errors = ["Enter an e-mail address in the right format, like "
                                 "name@example.org"]
    return render_template("staff/forgot_password.html", form=form,
                           title="Reset your password"), 400 if form.errors else 200


@blueprint.post("/logout")
@staff_required
def logout():
    try:
        call("POST", "/api/v1/auth/logout")
    except SessionEnded:
        pass
    session.clear()
    session.regenerate()  # the signed-out id is deleted, never reused
    flash("You have signed out.")
    return redirect(url_for("staff.login"))


@blueprint.get("/")
@staff_required
def search():
    q = request.args.get("q", "").strip()[:200]
    results, problem = None, None
    if q:
        answer = call("GET", "/api/v1/staff/records", params={"q": q, "limit": 50})
        if answer.ok:
            results = answer.body
        else:
            problem = (answer.body or {}).get("detail") or "The search could not be done."
    groups = None
    if results and results.get("items") and (can("manage_groups") or can("agency_admin")):
        listed = call("GET", "/api/v1/staff/groups", params={"limit": 500})
        groups = listed.body.get("items", []) if listed.ok else None
    return render_template("staff/search.html", q=q, results=results, problem=problem,
                           groups=groups,
                           title=f"Search results for {q}" if q else "Find a record")


@blueprint.route("/records/<uuid:record_id>", methods=["GET"])
@staff_required
def record(record_id: UUID):
    answer = call("GET", f"/api/v1/staff/records/{record_id}")
    if answer.status == 404:
        abort(404)
    if not answer.ok:
        abort(answer.status if answer.status in (403,) else 503)
    view = answer.body
    # the record learns of an invitation by an event, a moment after it was sent: the page
    # that follows sending shows what the invitation's own answer said (read your writes)
    sent = session.pop("just_invited", None)
    if sent and sent.get("record_id") == str(record_id) and (
            (view["invitation"].get("sent_at") or "") < (sent.get("sent_at") or "")):
        view["invitation"] = {"sent": True, "sent_at": sent["sent_at"], "email": sent["email"]}
    from web.staff_records import record_page  # after this module's menu entries

    created = session.get("created_duplicates")
    duplicates = None
    if created and created.get("record_id") == str(record_id):
        duplicates = session.pop("created_duplicates")["items"]
    return record_page(record_id, view, form=InvitationForm(), created_duplicates=duplicates)


@blueprint.post("/records/<uuid:record_id>/invitation")
@staff_required
def invite(record_id: UUID):
    form = InvitationForm()
    if not form.validate_on_submit():
        abort(400)
    answer = call("POST", f"/api/v1/staff/records/{record_id}/invitation",
                  json_body={"confirm": bool(form.confirm.data)})
    if answer.status == 404:
        abort(404)
    if answer.ok:
        session["just_invited"] = {"record_id": str(record_id), "email": answer.body.get("email"),
                                   "sent_at": answer.body.get("sent_at")}
        flash(f"Invitation sent to {answer.body.get('email')}.", "success")
        return redirect(url_for("staff.record", record_id=record_id))
    from web.staff_records import record_page

    message = INVITATION_ERRORS.get(answer.code) or (answer.body or {}).get("detail") \
        or "The invitation could not be sent. Try again later."
    view = call("GET", f"/api/v1/staff/records/{record_id}")
    if not view.ok:
        abort(404 if view.status == 404 else 503)
    return record_page(record_id, view.body, form=form, invitation_problem=message), \
        409 if answer.status == 409 else 422


@blueprint.get("/records/<uuid:record_id>/image")
@staff_required
def image(record_id: UUID):
    upstream = gateway().raw("GET", f"/api/v1/staff/records/{record_id}/image",
                             token=session["token"], client=forwarded_for(request.environ))
    if upstream.status != 200:
        upstream.release_conn()
        abort(404)

    def body():
        try:
            yield from upstream.stream(65536)
        finally:
            upstream.release_conn()

    return Response(stream_with_context(body()),
                    content_type=upstream.headers.get("Content-Type", "application/octet-stream"),
                    headers={"Cache-Control": "private, no-store"})
