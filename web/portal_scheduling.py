"""Scheduling in the client portal, under /portal/records/<id> (SCH-1, SCH-2, SCH-5): the
client's own weekly availability, their sessions (upcoming and past) and their payments, each
where the agency gives its clients that feature (``availability``; ``sessions`` for sessions
and payments). Every text is translatable."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from web.common import SessionEnded, call, login_required
from web.staff_scheduling import (
    DAY_NAMES,
    METHOD_NAMES,
    add_anchor,
    day_text,
    money,
    save_week,
    session_view,
    week_rows,
)

blueprint = Blueprint("portal_scheduling", __name__, url_prefix="/portal")
portal_required = login_required("portal.login")

FEATURE_NAMES = {"availability": _l("your availability"), "sessions": _l("your sessions"),
                 "payments": _l("your payments")}


@blueprint.context_processor
def scheduling_names():
    return {"day_names": DAY_NAMES}


@blueprint.errorhandler(SessionEnded)
def session_ended(error):
    flash(_("Your session has ended. Sign in again."))
    return redirect(url_for("portal.login"))


def agency_record(record_id: UUID) -> dict:
    """The client's agency record as /portal/me lists it, with its features (404 when not
    theirs)."""
    me = call("GET", "/api/v1/portal/me")
    if not me.ok:
        abort(503)
    for link in me.body.get("records", []):
        if link.get("record_id") == str(record_id):
            return link
    abort(404)


def refused(answer) -> None:
    if answer.status in (404, 422):
        abort(404)
    if answer.status == 403:
        abort(403)
    if not answer.ok:
        abort(503)


def not_offered(link: dict, what: str):
    """The page for a feature the agency does not give its clients."""
    return render_template("portal/scheduling/not_offered.html", link=link,
                           what=FEATURE_NAMES[what],
                           title=_("%(agency)s does not offer this in the portal",
                                   agency=link["organization_name"])), 403


def portal_zone(record_id: UUID) -> str | None:
    """The agency's time zone: the availability answer carries it (where that feature is
    given)."""
    answer = call("GET", f"/api/v1/portal/records/{record_id}/availability")
    return (answer.body or {}).get("timezone") if answer.ok else None


@blueprint.route("/records/<uuid:record_id>/availability", methods=["GET", "POST"])
@portal_required
def availability(record_id: UUID):
    link = agency_record(record_id)
    if "availability" not in (link.get("features") or []):
        return not_offered(link, "availability")
    path = f"/api/v1/portal/records/{record_id}/availability"
    here = url_for("portal_scheduling.availability", record_id=record_id)
    status, errors = 200, []
    if request.method == "POST":
        result, rows, errors, answer = save_week(path, request.form)
        if result == "saved":
            flash(_("Your availability has been saved."), "success")
            anchor = add_anchor(request.form, rows)
            return redirect(here + (f"#{anchor}" if anchor else ""))
        if result == "refused":
            refused(answer)
        status = 400
        shown = call("GET", path)
        refused(shown)
    else:
        shown = call("GET", path)
        refused(shown)
        rows = week_rows(shown.body["weekly"])
    return render_template("portal/scheduling/availability.html", link=link, rows=rows,
                           errors=errors, current=shown.body, record_id=record_id,
                           title=_("Your availability"), error_prefix=bool(errors)), status


@blueprint.get("/records/<uuid:record_id>/sessions")
@portal_required
def sessions(record_id: UUID):
    link = agency_record(record_id)
    if "sessions" not in (link.get("features") or []):
        return not_offered(link, "sessions")
    lists = {}
    for when in ("upcoming", "past"):
        answer = call("GET", f"/api/v1/portal/records/{record_id}/sessions",
                      params={"when": when, "limit": 100})
        refused(answer)
        lists[when] = answer.body["items"]
    zone = portal_zone(record_id) or "UTC"
    views = {}
    for when, items in lists.items():
        views[when] = []
        for item in items:
            people = {p["id"]: p.get("name") for p in item.get("practitioners", [])}
            views[when].append(session_view(
                {**item, "practitioner_ids": list(people)}, zone, people))
    return render_template("portal/scheduling/sessions.html", link=link, record_id=record_id,
                           upcoming=views["upcoming"], past=views["past"], zone=zone,
                           title=_("Your sessions with %(agency)s",
                                   agency=link["organization_name"]))


@blueprint.get("/records/<uuid:record_id>/payments")
@portal_required
def payments(record_id: UUID):
    link = agency_record(record_id)
    if "sessions" not in (link.get("features") or []):
        return not_offered(link, "payments")
    answer = call("GET", f"/api/v1/portal/records/{record_id}/payments", params={"limit": 200})
    refused(answer)
    shown = [{**p, "amount": money(p["amount_minor"], p["currency"]),
              "paid": day_text(date.fromisoformat(p["paid_on"])),
              "method_name": METHOD_NAMES.get(p.get("method")) or _("Not given")}
             for p in answer.body["items"]]
    return render_template("portal/scheduling/payments.html", link=link, record_id=record_id,
                           payments=shown,
                           title=_("Your payments to %(agency)s",
                                   agency=link["organization_name"]))
