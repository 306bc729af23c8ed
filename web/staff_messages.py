"""The staff console's messages, notifications and requests (NOT-1 to NOT-7, REQ-1 to REQ-3):
the inbox and its threads, writing to a record's client, in-app notifications and how they
reach one, a record's requests with what fulfilled them, the agency's assessments, and mass
sending with its progress. Every page calls the gateway's API as the signed-in staff member;
the API decides (a 403 from it is the 403 page)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import nh3
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from markupsafe import Markup

from contracts.messages import BODY_MAX, MESSAGE_TAGS
from contracts.notifications import NOTIFICATION_KINDS
from contracts.records import DOCUMENT_CATEGORIES
from web.common import (
    SessionEnded,
    call,
    field_errors,
    gateway,
    local_path,
    login_required,
    staff_menu,
)
from web.gateway import Unavailable, forwarded_for

blueprint = Blueprint("staff_messages", __name__, url_prefix="/staff")
staff_required = login_required("staff.login")
ADMIN = "agency_admin"
STAFF = "/api/v1/staff"
PAGE = 50


@blueprint.errorhandler(SessionEnded)
def session_ended(error):
    flash("Your session has ended. Sign in again.")
    return redirect(url_for("staff.login", next=local_path(request.full_path, "/staff/")))


# --- the menu, with unread counts ------------------------------------------------------------

class CountedLabel:
    """A menu label that shows how many are unread, counted when the menu is drawn (once per
    page, and only on pages with the menu); the plain label when the count cannot be had."""

    def __init__(self, label: str, counter):
        self.label, self.counter = label, counter

    def count(self) -> int | str | None:
        cache = g.setdefault("staff_messages_counts", {})
        if self.label not in cache:
            try:
                cache[self.label] = self.counter() if session.get("token") else None
            except (SessionEnded, Unavailable):
                cache[self.label] = None
        return cache[self.label]

    def __str__(self) -> str:
        n = self.count()
        return f"{self.label} ({n} unread)" if n else self.label

    def __html__(self) -> str:
        n = self.count()
        if not n:
            return str(Markup.escape(self.label))
        return str(Markup('{} <strong class="casework-count">{}<span class="govuk-visually-'
                          'hidden"> unread</span></strong>').format(self.label, n))


def unread_threads() -> int | None:
    answer = call("GET", f"{STAFF}/inbox", params={"limit": PAGE})
    if not answer.ok:
        return None
    return sum(item.get("unread") or 0 for item in answer.body.get("items", []))


def unread_notifications() -> int | str | None:
    answer = call("GET", f"{STAFF}/notifications", params={"unread": "true", "limit": 99})
    if not answer.ok:
        return None
    count = len(answer.body.get("items", []))
    return f"{count}+" if answer.body.get("next_cursor") else count


staff_menu("staff_messages.inbox", CountedLabel("Inbox", unread_threads))
staff_menu("staff_messages.notifications", CountedLabel("Notifications", unread_notifications))
staff_menu("staff_messages.mass_sends", "Mass sends", permission=ADMIN)


# --- shared helpers --------------------------------------------------------------------------

@blueprint.app_template_filter("staff_message_html")
def staff_message_html(body: str | None) -> Markup:
    """A message's body as HTML: the API stores it sanitised to MESSAGE_TAGS without
    attributes; it is cleaned again with that same list before being marked safe."""
    return Markup(nh3.clean(body or "", tags=set(MESSAGE_TAGS), attributes={}))  # noqa: S704


@blueprint.app_template_filter("staff_when")
def staff_when(value: str | None) -> str:
    """An API time (UTC) as staff read it: ``30 Nov 2026, 14:05 UTC``."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


@blueprint.app_template_filter("staff_date")
def staff_date(value: str | None) -> str:
    if not value:
        return ""
    try:
        day = datetime.fromisoformat(value[:10])
    except ValueError:
        return value
    return f"{day.day} {day:%B %Y}"


def refused(answer) -> None:
    """Any answer but success ends the page: 404 (unknown, another agency's, or a cursor the
    API did not make), 403, else the service's trouble page."""
    if answer.status in (404, 422) and request.method == "GET":
        abort(404)
    if answer.status == 404:
        abort(404)
    if answer.status == 403:
        abort(403)
    if not answer.ok:
        abort(503)


def cursor() -> str:
    return request.args.get("cursor", "")[:500]


def record_of(record_id) -> dict:
    answer = call("GET", f"{STAFF}/records/{record_id}")
    refused(answer)
    return answer.body


def problem_of(answer, messages: dict[str, str], default: str) -> str:
    return messages.get(answer.code or "") or default


# --- messages (NOT-5) ------------------------------------------------------------------------

MESSAGE_ERRORS = {
    "no_portal_account": "This client has no portal account, so they cannot read messages. "
                         "Invite them to the portal from their record first.",
    "portal_banned": "This client is banned from your agency's portal, so they cannot read "
                     "messages.",
    "client_inactive": "This record is inactive or closed: messages cannot be sent to it.",
    "portal_not_enabled": "Your agency's portal, or its messages feature, is turned off.",
    "not_a_client": "This is an employee record: only clients receive portal messages.",
}
FORMATTING_HINT = ("The client reads this in the portal. You can use bold (<b>…</b>), italic "
                   "(<i>…</i>) and lists (<ul><li>…</li></ul>, or <ol> for a numbered "
                   "list). Any other formatting is removed, and line breaks show as spaces: "
                   "use a list to set points apart.")


def body_problem(body: str) -> str | None:
    if not body.strip():
        return "Write your message"
    if len(body) > BODY_MAX:
        return f"Your message must be {BODY_MAX:,} characters or fewer"
    return None


def api_body_problem(answer) -> str:
    if answer.status == 422:
        text = field_errors(answer, {"body": "body"}).get("body")
        if text:
            return "Your message has no text once formatting is removed: write some words" \
                if "no text" in text or "empty" in text.lower() else text
    return problem_of(answer, MESSAGE_ERRORS, "Your message could not be sent. Try again later.")


def mark_new(thread: dict) -> None:
    """The client's messages that were unread until this reading (the latest ones)."""
    left = thread.get("unread") or 0
    for message in reversed(thread["messages"]):
        message["new"] = bool(left) and message["author"] == "client"
        left -= 1 if message["new"] else 0


@blueprint.get("/inbox")
@staff_required
def inbox():
    answer = call("GET", f"{STAFF}/inbox", params={"limit": PAGE, "cursor": cursor()})
    refused(answer)
    items = answer.body.get("items", [])
    # each thread names its record by case number (the inbox's own answer): reading the
    # records for their names would put every inbox visit in their audit trails, which
    # clients read as "who viewed my record"
    return render_template("staff/messages/inbox.html", items=items,
                           next_cursor=answer.body.get("next_cursor"),
                           first_page=not cursor(), title="Inbox")


@blueprint.route("/threads/<uuid:thread_id>", methods=["GET", "POST"])
@staff_required
def thread(thread_id: UUID):
    problem, body, status = None, "", 200
    if request.method == "POST":
        body = request.form.get("body", "")
        problem = body_problem(body)
        if not problem:
            answer = call("POST", f"{STAFF}/threads/{thread_id}/messages",
                          json_body={"body": body})
            if answer.ok:
                flash("Your reply has been sent.", "success")
                return redirect(url_for("staff_messages.thread", thread_id=thread_id))
            if answer.status in (403, 404):
                refused(answer)
            problem = api_body_problem(answer)
        status = 400 if problem else 200
    shown = call("GET", f"{STAFF}/threads/{thread_id}")
    refused(shown)
    record = record_of(shown.body["record_id"])
    mark_new(shown.body)
    return render_template("staff/messages/thread.html", thread=shown.body, record=record,
                           body=body, problem=problem, hint=FORMATTING_HINT,
                           title=f"Messages with {record['name']}"), status


@blueprint.route("/records/<uuid:record_id>/messages/new", methods=["GET", "POST"])
@staff_required
def new_message(record_id: UUID):
    record = record_of(record_id)
    problem, body, status = None, "", 200
    if request.method == "POST":
        body = request.form.get("body", "")
        problem = body_problem(body)
        if not problem:
            answer = call("POST", f"{STAFF}/records/{record_id}/messages",
                          json_body={"body": body})
            if answer.ok:
                flash(f"Your message has been sent to {record['name']}.", "success")
                return redirect(url_for("staff_messages.thread", thread_id=answer.body["id"]))
            if answer.status in (403, 404):
                refused(answer)
            problem = api_body_problem(answer)
        status = 409 if problem in MESSAGE_ERRORS.values() else 400
    return render_template("staff/messages/new_message.html", record=record, body=body,
                           problem=problem, hint=FORMATTING_HINT,
                           title=f"Write to {record['name']}"), status


# --- notifications (NOT-1, NOT-2) ------------------------------------------------------------

KIND_NAMES = {
    "record_assigned": "A record is assigned to you",
    "record_status_changed": "A record you navigate changes status",
    "client_message": "A client writes to you",
    "request_fulfilled": "A client fulfils your request",
    "session_booked": "A session is booked with you",
}
DELIVERY_NAMES = {"in_app": "In the console only", "email": "In the console and by e-mail at once",
                  "digest": "In the console and in one e-mail a day (daily digest)"}
assert set(KIND_NAMES) == set(NOTIFICATION_KINDS)


@blueprint.get("/notifications")
@staff_required
def notifications():
    unread = request.args.get("unread") == "true"
    answer = call("GET", f"{STAFF}/notifications",
                  params={"limit": PAGE, "cursor": cursor(), "unread": "true" if unread else ""})
    refused(answer)
    preferences = call("GET", f"{STAFF}/notification-preferences")
    refused(preferences)
    unassigned = None
    if _can(ADMIN):
        listed = call("GET", f"{STAFF}/notifications/unassigned", params={"limit": PAGE})
        unassigned = listed.body.get("items", []) if listed.ok else None
    return render_template("staff/messages/notifications.html", items=answer.body["items"],
                           next_cursor=answer.body.get("next_cursor"), unread=unread,
                           preferences=preferences.body["items"], kinds=KIND_NAMES,
                           deliveries=DELIVERY_NAMES, unassigned=unassigned,
                           title="Unread notifications" if unread else "Notifications")


def _can(permission: str) -> bool:
    from web.common import can

    return can(permission)


@blueprint.post("/notifications/<uuid:notification_id>/read")
@staff_required
def read_notification(notification_id: UUID):
    answer = call("POST", f"{STAFF}/notifications/{notification_id}/read")
    refused(answer)
    flash("Notification marked as read.", "success")
    back = local_path(request.form.get("next"), "/staff/notifications")
    return redirect(back or url_for("staff_messages.notifications"))


@blueprint.post("/notifications/preferences")
@staff_required
def notification_preferences():
    items = []
    for kind in NOTIFICATION_KINDS:
        delivery = request.form.get(f"delivery-{kind}")
        if delivery in DELIVERY_NAMES:
            items.append({"kind": kind, "delivery": delivery})
    if not items:
        abort(400)
    answer = call("PUT", f"{STAFF}/notification-preferences", json_body={"items": items})
    refused(answer)
    flash("Your notification settings have been saved.", "success")
    return redirect(url_for("staff_messages.notifications") + "#preferences")


# --- requests (REQ-1 to REQ-3) ---------------------------------------------------------------

REQUEST_TYPES = {"assessment": "An assessment", "document": "A document",
                 "location": "Their location", "roi": "A release of information (ROI)"}
REQUEST_ERRORS = {
    "no_portal_account": "This client has no portal account, so they cannot receive requests. "
                         "Invite them to the portal from their record first.",
    "client_inactive": "This record is inactive or closed: requests cannot be sent to it.",
    "portal_not_enabled": "Your agency's portal, or its requests feature, is turned off: an "
                          "administrator turns it on in the portal settings.",
    "portal_banned": "This client is banned from your agency's portal.",
}
DOCUMENT_CHOICES = [
    (category, [*[(f"{category}:{name}", name) for name in names],
                (f"{category}:other", "Other (give its name)" if names else
                 "A document not listed (give its name)")])
    for category, names in DOCUMENT_CATEGORIES.items()]


def request_form(form) -> tuple[dict | None, dict[str, str]]:
    """The request body of the send form (a record's or a mass send's), or the errors by
    field."""
    errors: dict[str, str] = {}
    kind = form.get("type", "")
    if kind not in REQUEST_TYPES:
        return None, {"type": "Choose what to ask for"}
    body: dict = {"type": kind}
    if kind == "assessment":
        if not form.get("assessment_id"):
            errors["assessment_id"] = "Choose the assessment"
        body["assessment_id"] = form.get("assessment_id") or None
    elif kind == "document":
        category, _, name = form.get("document", "").partition(":")
        if category not in DOCUMENT_CATEGORIES or not name:
            errors["document"] = "Choose the document"
        else:
            body.update(document_category=category, document_name=name)
            if name == "other":
                other = form.get("other_name", "").strip()
                if not other:
                    errors["other_name"] = "Give the name of the document"
                elif len(other) > 200:
                    errors["other_name"] = "The name must be 200 characters or fewer"
                body["other_name"] = other
    if kind != "roi":
        body["private"] = form.get("private") == "y"
    return (None if errors else body), errors


REQUEST_FIELDS = {"type": "type", "assessment_id": "assessment_id",
                  "document_category": "document", "document_name": "document",
                  "other_name": "other_name", "private": "private"}


def assessments(requestable: bool | None = True) -> list[dict]:
    answer = call("GET", f"{STAFF}/assessments",
                  params={"limit": 500, "requestable": "true" if requestable else ""})
    return answer.body.get("items", []) if answer.ok else []


def record_requests(record_id) -> dict:
    pages = {}
    for name in ("requests", "documents", "rois"):
        answer = call("GET", f"{STAFF}/records/{record_id}/{name}", params={"limit": 200})
        refused(answer)
        pages[name] = answer.body.get("items", [])
    return pages


@blueprint.route("/records/<uuid:record_id>/requests", methods=["GET", "POST"])
@staff_required
def requests(record_id: UUID):
    record = record_of(record_id)
    errors: dict[str, str] = {}
    problem, status, form = None, 200, {}
    if request.method == "POST":
        form = request.form
        body, errors = request_form(form)
        status = 400
        if body:
            answer = call("POST", f"{STAFF}/records/{record_id}/requests", json_body=body)
            if answer.ok:
                flash(f"Request sent to {record['name']}: {answer.body['title']}.", "success")
                return redirect(url_for("staff_messages.requests", record_id=record_id))
            if answer.status in (403, 404):
                refused(answer)
            status = answer.status if answer.status in (409, 422) else 400
            if answer.code == "roi_active":
                problem = "roi_active"
            elif answer.code in REQUEST_ERRORS:
                problem = REQUEST_ERRORS[answer.code]
            elif answer.status == 422:
                errors = field_errors(answer, REQUEST_FIELDS)
                if "assessment_id" in errors or not errors:
                    errors["assessment_id" if body["type"] == "assessment" else "type"] = \
                        "This assessment cannot be requested: choose another" \
                        if body["type"] == "assessment" else "Check what you asked for"
                errors.pop("", None)
            else:
                problem = "The request could not be sent. Try again later."
    pages = record_requests(record_id)
    active = [roi for roi in pages["rois"] if roi.get("active")]
    known = {a["id"]: a for a in assessments(requestable=None)}
    return render_template("staff/messages/requests.html", record=record, **pages,
                           active_roi=active[0] if active else None,
                           assessments=[a for a in known.values() if a["requestable"]],
                           known_assessments=known, types=REQUEST_TYPES,
                           document_choices=DOCUMENT_CHOICES, form=form, errors=errors,
                           problem=problem, title=f"Requests to {record['name']}"), status


@blueprint.get("/records/<uuid:record_id>/documents/<uuid:document_id>")
@staff_required
def document(record_id: UUID, document_id: UUID):
    """The document's bytes through this process, as an attachment: the browser never sees the
    API or the staff member's token."""
    upstream = gateway().raw("GET", f"{STAFF}/records/{record_id}/documents/{document_id}",
                             token=session["token"], client=forwarded_for(request.environ))
    if upstream.status != 200:
        upstream.release_conn()
        if upstream.status == 401:
            raise SessionEnded()
        abort(403 if upstream.status == 403 else 404)

    def body():
        try:
            yield from upstream.stream(65536)
        finally:
            upstream.release_conn()

    filename = upstream.headers.get("Content-Disposition") or \
        f'attachment; filename="{document_id}"'
    if not filename.startswith("attachment"):
        filename = f'attachment; filename="{document_id}"'
    return Response(stream_with_context(body()),
                    content_type=upstream.headers.get("Content-Type", "application/octet-stream"),
                    headers={"Content-Disposition": filename,
                             "Cache-Control": "private, no-store",
                             "Content-Security-Policy": "default-src 'none'; sandbox"})


# --- assessments (administrators) ------------------------------------------------------------

QUESTION_KINDS = {"text": "Text", "number": "Number", "yes_no": "Yes or no",
                  "choice": "One of several choices"}
QUESTION_ROWS = 3


def questions_of(form) -> tuple[list[dict], list[dict], dict[str, str]]:
    """The question rows as typed (to show again) and the questions to send, with errors by
    field id; a row with no text is left out."""
    rows, questions, errors = [], [], {}
    count = min(int(form.get("rows", QUESTION_ROWS) or QUESTION_ROWS), 100)
    for n in range(1, count + 1):
        row = {"n": n, "text": form.get(f"q{n}-text", "").strip(),
               "kind": form.get(f"q{n}-kind", "text"),
               "choices": form.get(f"q{n}-choices", "")}
        rows.append(row)
        if not row["text"]:
            continue
        if row["kind"] not in QUESTION_KINDS:
            row["kind"] = "text"
        if len(row["text"]) > 1000:
            errors[f"q{n}-text"] = f"Question {n} must be 1,000 characters or fewer"
        question = {"id": f"q{n}", "text": row["text"], "kind": row["kind"]}
        if row["kind"] == "choice":
            choices = [c.strip() for c in row["choices"].splitlines() if c.strip()]
            if len(choices) < 2:
                errors[f"q{n}-choices"] = f"Give question {n} at least 2 choices, one a line"
            elif len(set(choices)) != len(choices):
                errors[f"q{n}-choices"] = f"Question {n} has the same choice twice"
            question["choices"] = choices
        questions.append(question)
    return rows, questions, errors


@blueprint.route("/assessments", methods=["GET", "POST"])
@staff_required
def assessments_page():
    rows = [{"n": n, "text": "", "kind": "text", "choices": ""}
            for n in range(1, QUESTION_ROWS + 1)]
    name, requestable, errors, status = "", True, {}, 200
    if request.method == "POST":
        form = request.form
        name = form.get("name", "").strip()
        requestable = form.get("requestable") == "y"
        rows, questions, errors = questions_of(form)
        if form.get("action") == "add":
            rows.append({"n": len(rows) + 1, "text": "", "kind": "text", "choices": ""})
            errors = {}
        else:
            if not name:
                errors["name"] = "Give the assessment a name"
            elif len(name) > 200:
                errors["name"] = "The name must be 200 characters or fewer"
            if not questions:
                errors.setdefault("q1-text", "Write at least one question")
            status = 400
            if not errors:
                answer = call("POST", f"{STAFF}/assessments", json_body={
                    "name": name, "questions": questions, "requestable": requestable})
                if answer.ok:
                    flash(f"Assessment “{name}” created.", "success")
                    return redirect(url_for("staff_messages.assessments_page"))
                if answer.status in (403, 404):
                    refused(answer)
                errors = {"name": "The assessment could not be created: check its name and "
                                  "questions"} if answer.status == 422 else \
                    {"name": "The assessment could not be created. Try again later."}
    listed = call("GET", f"{STAFF}/assessments", params={"limit": 200, "cursor": cursor()})
    refused(listed)
    return render_template("staff/messages/assessments.html", items=listed.body["items"],
                           next_cursor=listed.body.get("next_cursor"), rows=rows, name=name,
                           requestable=requestable, errors=errors, kinds=QUESTION_KINDS,
                           title="Assessments"), status


@blueprint.post("/assessments/<uuid:assessment_id>/requestable")
@staff_required
def assessment_requestable(assessment_id: UUID):
    requestable = request.form.get("requestable") == "true"
    answer = call("PATCH", f"{STAFF}/assessments/{assessment_id}",
                  json_body={"requestable": requestable})
    refused(answer)
    flash(f"“{answer.body['name']}” can {'now' if requestable else 'no longer'} be requested "
          "from clients.", "success")
    return redirect(url_for("staff_messages.assessments_page"))


# --- mass sending (NOT-7) --------------------------------------------------------------------

OUTCOME_REASONS = {
    "no_portal_account": "The client has no portal account: invite them to the portal first.",
    "portal_banned": "The client is banned from your agency's portal.",
    "client_inactive": "The record is inactive or closed.",
    "not_a_client": "This is an employee record, not a client's.",
    "no_email": "The client has no e-mail address to be told of the message.",
    "roi_active": "The client already has an active release of information that does not "
                  "expire within 7 days.",
    "not_found": "No such record in your agency (it may have been deleted).",
    "request_refused": "The request was refused: check that the portal's requests feature is "
                       "on and the assessment can be requested.",
    "request_failed": "The request could not be made. Send it again later.",
}
OUTCOME_NAMES = {"pending": "Waiting", "sent": "Sent", "skipped": "Not sent",
                 "failed": "Failed"}
EMAIL_NAMES = {"queued": "E-mail waiting to go", "sent": "E-mail sent",
               "failed": "E-mail failed, being retried",
               "dead": "E-mail refused by the mail server"}
MAX_CASE_NUMBERS = 100


def resolve_case_numbers(text: str) -> tuple[list[dict], list[str]]:
    """The records named by case number (one a line), and the case numbers not found."""
    found, missing, seen = [], [], set()
    for line in text.splitlines():
        number = line.strip()
        if not number or number.lower() in seen:
            continue
        seen.add(number.lower())
        answer = call("GET", f"{STAFF}/records", params={"q": number, "limit": 10})
        match = [r for r in (answer.body.get("items", []) if answer.ok else [])
                 if (r.get("case_number") or "").lower() == number.lower()]
        if match:
            found.append(match[0])
        else:
            missing.append(number)
    return found, missing


@blueprint.route("/mass-sends", methods=["GET", "POST"])
@staff_required
def mass_sends():
    if not _can(ADMIN):  # no API answers this page's GET: the form is the administrators'
        abort(403)
    groups = call("GET", f"{STAFF}/groups", params={"limit": 500})
    refused(groups)
    groups = groups.body.get("items", [])
    form, errors, problem, status = {}, {}, None, 200
    if request.method == "POST":
        form = request.form
        status = 400
        body: dict = {}
        names: dict[str, str] = {}
        to = form.get("to")
        if to == "group":
            if form.get("group_id") in {g_["id"] for g_ in groups}:
                body["group_id"] = form["group_id"]
            else:
                errors["group_id"] = "Choose the group"
        elif to == "records":
            lines = [line for line in form.get("case_numbers", "").splitlines() if line.strip()]
            if not lines:
                errors["case_numbers"] = "Give at least one case number"
            elif len(lines) > MAX_CASE_NUMBERS:
                errors["case_numbers"] = (f"Give at most {MAX_CASE_NUMBERS} case numbers: for "
                                          "more, put the records in a group")
            else:
                found, missing = resolve_case_numbers(form["case_numbers"])
                if missing:
                    errors["case_numbers"] = "No record has the case number " + \
                        ", ".join(missing[:10]) + (" and others" if len(missing) > 10 else "")
                body["record_ids"] = [r["id"] for r in found]
                names = {r["id"]: f"{r['name']} ({r['case_number']})" for r in found}
        else:
            errors["to"] = "Choose who to send to"
        what = form.get("what")
        if what == "message":
            text = form.get("body", "")
            message_problem = body_problem(text)
            if message_problem:
                errors["body"] = message_problem
            body["message"] = {"body": text}
        elif what == "request":
            made, request_errors = request_form(form)
            errors.update(request_errors)
            body["request"] = made
        else:
            errors["what"] = "Choose whether to send a message or a request"
        if not errors:
            answer = call("POST", f"{STAFF}/mass-sends", json_body=body)
            if answer.ok:
                sent = session.get("mass_sends", [])[-9:]
                sent.append({"id": answer.body["id"], "group_id": body.get("group_id"),
                             "names": names, "what": what,
                             "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")})
                session["mass_sends"] = sent
                flash("The mass send has started.", "success")
                return redirect(url_for("staff_messages.mass_send", mass_send_id=answer.body["id"]))
            if answer.status in (403, 404):
                refused(answer)
            if answer.status == 422:
                errors = field_errors(answer, {**REQUEST_FIELDS, "body": "body",
                                               "group_id": "group_id",
                                               "record_ids": "case_numbers"})
                errors.pop("", None)
                if not errors:
                    problem = "The mass send could not be started: check what you chose."
            else:
                problem = "The mass send could not be started. Try again later."
    return render_template("staff/messages/mass_sends.html", groups=groups, form=form,
                           errors=errors, problem=problem, types=REQUEST_TYPES,
                           document_choices=DOCUMENT_CHOICES, assessments=assessments(),
                           hint=FORMATTING_HINT, sent=list(reversed(session.get("mass_sends",
                                                                                 []))),
                           title="Mass sends"), status


@blueprint.get("/mass-sends/<uuid:mass_send_id>")
@staff_required
def mass_send(mass_send_id: UUID):
    answer = call("GET", f"{STAFF}/mass-sends/{mass_send_id}")
    refused(answer)
    progress = answer.body
    kept = next((s for s in session.get("mass_sends", []) if s["id"] == str(mass_send_id)), {})
    names = dict(kept.get("names") or {})
    return render_template("staff/messages/mass_send.html", progress=progress, names=names,
                           reasons=OUTCOME_REASONS, outcomes=OUTCOME_NAMES,
                           emails=EMAIL_NAMES, title="Mass send progress")
