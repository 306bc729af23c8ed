"""Scheduling in the staff console, under /staff (SCH-1 to SCH-6): one's own weekly availability,
a client's availability, the week calendar of sessions, a client's sessions (booking from slot
suggestions, the best-matching practitioners, moving and cancelling) and a client's payments.

What the portal shares with it (the weekly availability form, times in the agency's time zone,
money) is here too, written with gettext: the staff console is in English, so its texts read
as written; the portal shows them in the client's language."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import format_currency
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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from contracts.scheduling import PAYMENT_METHODS, WEEKDAYS
from web.common import SessionEnded, call, can, local_path, login_required, staff_menu

blueprint = Blueprint("staff_scheduling", __name__, url_prefix="/staff")
staff_required = login_required("staff.login")
staff_menu("staff_scheduling.calendar", "Calendar")
staff_menu("staff_scheduling.own_availability", "My availability")

DAY_NAMES = {"monday": _l("Monday"), "tuesday": _l("Tuesday"), "wednesday": _l("Wednesday"),
             "thursday": _l("Thursday"), "friday": _l("Friday"), "saturday": _l("Saturday"),
             "sunday": _l("Sunday")}
METHOD_NAMES = {"cash": _l("Cash"), "card": _l("Card"), "transfer": _l("Bank transfer"),
                "other": _l("Other")}
CLOCK = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")
MAX_ROWS = 48
DURATIONS = (15, 30, 45, 60, 90, 120)
ZERO_DECIMAL = {"JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF", "PYG", "RWF"}


@blueprint.context_processor
def scheduling_names():
    return {"day_names": DAY_NAMES}


@blueprint.errorhandler(SessionEnded)
def session_ended(error):
    flash("Your session has ended. Sign in again.")
    return redirect(url_for("staff.login", next=local_path(request.full_path, "/staff/")))


# --- shared with the portal: the weekly availability form (SCH-1) -------------------------------

def week_rows(weekly: dict) -> dict[str, list[dict]]:
    """The form's rows: each day's times and one blank row to add a time."""
    rows = {}
    for day in WEEKDAYS:
        given = [{"start": i["start"], "end": "00:00" if i["end"] == "24:00" else i["end"],
                  "error": None} for i in (weekly or {}).get(day) or []]
        rows[day] = [*given, {"start": "", "end": "", "error": None}][:MAX_ROWS]
    return rows


def read_week(form) -> tuple[dict[str, list[dict]], dict, dict]:
    """The rows as sent, the week to PUT (rows with both times), and which row each interval
    sent came from (``{day: [row index]}``). Rows in error carry their message."""
    rows: dict[str, list[dict]] = {}
    weekly: dict[str, list[dict]] = {}
    origin: dict[str, list[int]] = {}
    for day in WEEKDAYS:
        try:
            count = max(1, min(MAX_ROWS, int(form.get(f"{day}-count", "1"))))
        except ValueError:
            count = 1
        rows[day], weekly[day], origin[day] = [], [], []
        for n in range(count):
            start = (form.get(f"{day}-{n}-start") or "").strip()[:5]
            end = (form.get(f"{day}-{n}-end") or "").strip()[:5]
            row = {"start": start, "end": end, "error": None}
            rows[day].append(row)
            if not start and not end:
                continue
            if not CLOCK.match(start) or not CLOCK.match(end):
                row["error"] = _("Enter a start and an end time, like 09:00 and 12:30")
                continue
            start, end = _clock(start), _clock(end)
            row["start"], row["end"] = start, end
            if end != "00:00" and end <= start:
                row["error"] = _("The end time must be after the start time")
                continue
            weekly[day].append({"start": start, "end": "24:00" if end == "00:00" else end})
            origin[day].append(n)
        _mark_overlaps(day, rows[day], weekly[day], origin[day])
    return rows, weekly, origin


def _clock(value: str) -> str:
    hours, minutes = value.split(":")
    return f"{int(hours):02d}:{minutes}"


def _mark_overlaps(day: str, rows: list[dict], intervals: list[dict], origin: list[int]):
    ordered = sorted(zip(intervals, origin, strict=True), key=lambda pair: pair[0]["start"])
    for (first, _n), (second, n2) in zip(ordered, ordered[1:], strict=False):
        if second["start"] < first["end"]:
            rows[n2]["error"] = _("This time overlaps %(start)s to %(end)s",
                                  start=first["start"], end=_shown_end(first["end"]))


def _shown_end(end: str) -> str:
    return "24:00" if end in ("24:00", "00:00") else end


def api_week_errors(answer, rows: dict, origin: dict) -> bool:
    """The API's refusal of intervals (``errors.weekly.<day>.<n>``), put on the rows they came
    from; true when any was placed."""
    placed = False
    weekly = (answer.errors or {}).get("weekly")
    if not isinstance(weekly, dict):
        return False
    for day, by_index in weekly.items():
        if day not in rows or not isinstance(by_index, dict):
            continue
        for index, messages in by_index.items():
            try:
                row = rows[day][origin[day][int(index)]]
            except (ValueError, IndexError, KeyError):
                continue
            text = " ".join(messages) if isinstance(messages, list) else str(messages)
            row["error"] = (_("This time overlaps another time on that day") if "overlap" in text
                            else _("The end time must be after the start time"))
            placed = True
    return placed


def week_errors(rows: dict) -> list[tuple[str, str]]:
    """(input id, message) of each row in error, for the error summary."""
    return [(f"{day}-{n}-start", f"{DAY_NAMES[day]}: {row['error']}")
            for day in WEEKDAYS for n, row in enumerate(rows[day]) if row["error"]]


def save_week(path: str, form) -> tuple[str, dict, list, object | None]:
    """Reads the posted week and PUTs it to ``path``: ("saved", ...), ("invalid", rows,
    errors, None) or ("refused", rows, errors, answer) for an answer to show as a page."""
    rows, weekly, origin = read_week(form)
    errors = week_errors(rows)
    if errors:
        return "invalid", rows, errors, None
    answer = call("PUT", path, json_body={"weekly": weekly})
    if answer.ok:
        return "saved", rows, [], answer
    if answer.status == 422:
        if api_week_errors(answer, rows, origin):
            return "invalid", rows, week_errors(rows), None
        return "invalid", rows, [("monday-0-start", _("Check the times: they could not be "
                                                       "saved as they are"))], None
    return "refused", rows, [], answer


def add_anchor(form, rows: dict) -> str | None:
    """After "add another time" on a day: the id of that day's new blank row."""
    day = form.get("add")
    if day not in WEEKDAYS:
        return None
    kept = sum(1 for row in rows[day] if row["start"] or row["end"])
    return f"{day}-{kept}-start"


# --- shared with the portal: times, dates and money -------------------------------------------

def instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def local(value: str, zone: str) -> datetime:
    return instant(value).astimezone(ZoneInfo(zone))


DAY_PATTERNS = {"es": "EEEE, d 'de' MMMM 'de' y"}


def day_text(moment: datetime | date) -> str:
    locale = str(get_locale() or "en")
    return format_date(moment, DAY_PATTERNS.get(locale, "EEEE d MMMM y"), locale=locale)


def time_text(moment: datetime) -> str:
    return format_time(moment, "HH:mm", locale=str(get_locale() or "en"))


def session_view(item: dict, zone: str, people: dict | None = None) -> dict:
    """A session as the pages show it: local day and times in the agency's zone."""
    starts, ends = local(item["starts_at"], zone), local(item["ends_at"], zone)
    ends_text = time_text(ends) if ends.date() == starts.date() else \
        f"{day_text(ends)} {time_text(ends)}"
    return {**item, "day": day_text(starts), "starts": time_text(starts), "ends": ends_text,
            "local_date": starts.date(),
            "practitioner_names": [(people or {}).get(p) or _("A practitioner")
                                   for p in item.get("practitioner_ids", [])]}


def exponent(currency: str) -> int:
    return 0 if currency in ZERO_DECIMAL else 2


def money(amount_minor: int, currency: str) -> str:
    amount = Decimal(amount_minor) / (10 ** exponent(currency))
    try:
        return format_currency(amount, currency, locale=str(get_locale() or "en"))
    except (ValueError, KeyError):
        return f"{currency} {amount}"


# --- staff helpers ------------------------------------------------------------------------------

def me() -> dict:
    return session.get("user") or {}


def refused(answer) -> None:
    """Any answer other than success, as a page (never a 500)."""
    if answer.status in (404, 422):
        abort(404)
    if answer.status == 403:
        abort(403)
    if not answer.ok:
        abort(503)


def agency_zone() -> str:
    """The agency's time zone, which every availability answer carries (asked each time: an
    administrator may change it)."""
    answer = call("GET", f"/api/v1/staff/users/{me().get('id')}/availability")
    return ((answer.body or {}).get("timezone") if answer.ok else None) or "UTC"


def client_record(record_id: UUID) -> dict:
    answer = call("GET", f"/api/v1/staff/records/{record_id}")
    refused(answer)
    return answer.body


def staff_people(record: dict | None = None) -> dict[str, str]:
    """Staff who may be chosen as practitioners, by id: the agency's active staff for an
    administrator (who may list them), else oneself and the record's navigators."""
    people: dict[str, str] = {}
    if can("agency_admin"):
        answer = call("GET", "/api/v1/staff/users", params={"limit": 500})
        if answer.ok:
            people.update({u["id"]: u["name"] for u in answer.body["items"] if u.get("active")})
    people.setdefault(me().get("id"), me().get("name") or me().get("email") or "You")
    for navigator in (record or {}).get("navigators", []):
        if navigator.get("active"):
            people.setdefault(navigator["user_id"], navigator["name"])
    return dict(sorted(people.items(), key=lambda pair: (pair[1] or "").lower()))


def client_names(practitioner_id: str, client_ids: set[str]) -> dict[str, str]:
    """Names of the calendar's clients: those the practitioner is a navigator of (sessions make
    them so, SCH-2) in one call, any other one by one (a few at most)."""
    names: dict[str, str] = {}
    answer = call("GET", "/api/v1/staff/records",
                  params={"navigator_id": practitioner_id, "limit": 500})
    if answer.ok:
        names.update({r["id"]: r["name"] for r in answer.body["items"]})
    for missing in sorted(client_ids - set(names))[:20]:
        found = call("GET", f"/api/v1/staff/records/{missing}")
        if found.ok:
            names[missing] = found.body["name"]
    return names


# --- availability: one's own and a client's (SCH-1) ---------------------------------------------

@blueprint.route("/availability", methods=["GET", "POST"])
@staff_required
def own_availability():
    path = f"/api/v1/staff/users/{me().get('id')}/availability"
    return availability_page(path, url_for("staff_scheduling.own_availability"),
                             title="My availability", whose="your", record=None)


@blueprint.route("/records/<uuid:record_id>/availability", methods=["GET", "POST"])
@staff_required
def record_availability(record_id: UUID):
    record = client_record(record_id)
    path = f"/api/v1/staff/records/{record_id}/availability"
    return availability_page(path, url_for("staff_scheduling.record_availability",
                                           record_id=record_id),
                             title=f"Availability of {record['name']}",
                             whose=f"{record['name']}'s", record=record)


def availability_page(path: str, here: str, *, title: str, whose: str, record: dict | None):
    status, errors = 200, []
    if request.method == "POST":
        result, rows, errors, answer = save_week(path, request.form)
        if result == "saved":
            flash("Availability saved.", "success")
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
    return render_template("staff/scheduling/availability.html", rows=rows, errors=errors,
                           current=shown.body, record=record, whose=whose,
                           title=title, error_prefix=bool(errors)), status


# --- the week calendar ------------------------------------------------------------------------

def week_start(value: str | None, zone: str) -> date:
    today = datetime.now(ZoneInfo(zone)).date()
    try:
        chosen = date.fromisoformat(value) if value else today
    except ValueError:
        chosen = today
    return chosen - timedelta(days=chosen.weekday())


def local_bounds(first: date, days: int, zone: str) -> tuple[str, str]:
    tz = ZoneInfo(zone)
    start = datetime.combine(first, datetime.min.time(), tz).astimezone(UTC)
    end = datetime.combine(first + timedelta(days=days), datetime.min.time(), tz).astimezone(UTC)
    return start.isoformat().replace("+00:00", "Z"), end.isoformat().replace("+00:00", "Z")


@blueprint.get("/calendar")
@staff_required
def calendar():
    zone = agency_zone()
    monday = week_start(request.args.get("week"), zone)
    people = staff_people()
    chosen = request.args.get("practitioner") or me().get("id")
    if chosen not in people:
        try:
            UUID(chosen)
        except (TypeError, ValueError):
            abort(404)
        people[chosen] = "this practitioner"
    start, end = local_bounds(monday, 7, zone)
    answer = call("GET", "/api/v1/staff/sessions", params={
        "practitioner_id": chosen, "from": start, "to": end, "limit": 500})
    refused(answer)
    items = sorted(answer.body["items"], key=lambda s: s["starts_at"])
    names = client_names(chosen, {c for s in items for c in s["client_ids"]})
    days = []
    for offset in range(7):
        when = monday + timedelta(days=offset)
        days.append({"date": when, "name": day_text(when), "id": f"day-{when.isoformat()}",
                     "sessions": []})
    for item in items:
        view = session_view(item, zone, people)
        view["clients"] = [(c, names.get(c) or "A client") for c in item["client_ids"]]
        for day in days:
            if day["date"] == view["local_date"]:
                day["sessions"].append(view)
    today = datetime.now(ZoneInfo(zone)).date()
    return render_template(
        "staff/scheduling/calendar.html", days=days, monday=monday, zone=zone, people=people,
        chosen=chosen, today=today, previous=monday - timedelta(days=7),
        following=monday + timedelta(days=7), mine=chosen == me().get("id"),
        title=f"Week of {day_text(monday)}")


# --- a client's sessions: booking from slot suggestions (SCH-2, SCH-4, SCH-6) -------------

def _int_arg(name: str, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(high, int(request.values.get(name, default))))
    except ValueError:
        return default


def slot_starts(windows: list[dict], duration: int, zone: str) -> list[dict]:
    """Start times to offer in the free windows: every half hour (or each ``duration`` when
    shorter) from a window's start while the session still fits, by local day."""
    step = timedelta(minutes=min(30, duration))
    length = timedelta(minutes=duration)
    by_day: dict[date, dict] = {}
    for window in windows:
        begin, finish = instant(window["starts_at"]), instant(window["ends_at"])
        at = begin
        while at + length <= finish:
            shown = at.astimezone(ZoneInfo(zone))
            day = by_day.setdefault(shown.date(), {"name": day_text(shown), "slots": []})
            if len(day["slots"]) < 24:
                day["slots"].append({
                    "starts_at": at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                    "starts": time_text(shown),
                    "ends": time_text((at + length).astimezone(ZoneInfo(zone)))})
            at += step
    return [by_day[key] for key in sorted(by_day)]


def week_choices(zone: str) -> list[tuple[str, str]]:
    monday = week_start(None, zone)
    return [((monday + timedelta(weeks=n)).isoformat(),
             ("This week, from " if n == 0 else "Week of ") + day_text(monday + timedelta(weeks=n)))
            for n in range(0, 12)]


@blueprint.get("/records/<uuid:record_id>/sessions")
@staff_required
def sessions(record_id: UUID):
    record = client_record(record_id)
    zone = agency_zone()
    people = staff_people(record)
    since = (datetime.now(UTC) - timedelta(days=365)).isoformat().replace("+00:00", "Z")
    listed = call("GET", "/api/v1/staff/sessions",
                  params={"client_id": str(record_id), "from": since, "limit": 500})
    refused(listed)
    now = datetime.now(UTC)
    views = [session_view(s, zone, people) for s in
             sorted(listed.body["items"], key=lambda s: s["starts_at"])]
    upcoming = [v for v in views if instant(v["ends_at"]) > now]
    past = [v for v in reversed(views) if instant(v["ends_at"]) <= now]

    search = {"practitioner": request.args.get("practitioner", ""),
              "duration": _int_arg("duration", 60, 5, 480),
              "week": request.args.get("week", ""),
              "repeat": _int_arg("repeat", 1, 1, 52),
              "title": request.args.get("topic", "")[:200]}
    weeks = week_choices(zone)
    if search["week"] not in [value for value, _label in weeks]:
        search["week"] = weeks[0][0]
    suggestions, matches, problem = None, None, None
    first = date.fromisoformat(search["week"])
    last = first + timedelta(days=6)
    if "best" in request.args:
        answer = call("GET", "/api/v1/staff/scheduling/matches", params={
            "client_id": str(record_id), "from": first.isoformat(), "to": last.isoformat(),
            "duration_minutes": search["duration"]})
        if answer.ok:
            matches = answer.body["items"]
            for match in matches:
                people.setdefault(match["practitioner_id"], match.get("name") or "A practitioner")
        else:
            problem = _search_problem(answer)
    elif search["practitioner"]:
        if search["practitioner"] not in people:
            problem = "Choose a practitioner from the list."
        else:
            answer = call("GET", "/api/v1/staff/scheduling/slots", params={
                "client_id": str(record_id), "practitioner_id": search["practitioner"],
                "from": max(first, datetime.now(ZoneInfo(zone)).date()).isoformat(),
                "to": last.isoformat(), "duration_minutes": search["duration"]})
            if answer.ok:
                suggestions = slot_starts(answer.body["items"], search["duration"], zone)
            else:
                problem = _search_problem(answer)
    return render_template(
        "staff/scheduling/sessions.html", record=record, upcoming=upcoming, past=past,
        people=people, search=search, weeks=weeks, durations=DURATIONS, zone=zone,
        suggestions=suggestions, matches=matches, problem=problem,
        title=f"Sessions of {record['name']}", error_prefix=bool(problem)), \
        400 if problem else 200


def _search_problem(answer) -> str:
    if answer.status == 404:
        abort(404)
    if answer.status == 403:
        return "You may only look for times for clients assigned to you."
    if answer.status == 409 and answer.code == "client_inactive":
        return ("This client's record is inactive: inactive clients cannot be booked into "
                "sessions. Change the record status first if they are using the service again.")
    if answer.status == 422:
        return "Check the practitioner, the duration and the week."
    return "Free times could not be found just now. Try again later."


SESSION_PROBLEMS = {
    "client_inactive": ("This client's record is inactive",
                        "Inactive clients cannot be added to sessions. If they are using the "
                        "service again, change their record status to active or prospect on "
                        "the record page, then book."),
    "permission_denied": ("You cannot book this client",
                          "Without the permission to schedule any client you may only book "
                          "clients you are assigned to. Ask an administrator, or the client's "
                          "navigator."),
}


def booking_from_form(record_id: UUID) -> dict:
    form = request.form
    try:
        practitioner = str(UUID(form.get("practitioner_id", "")))
        starts = instant(form.get("starts_at", ""))
    except ValueError:
        abort(400)
    duration = _int_arg("duration", 60, 5, 24 * 60)
    return {"client_ids": [str(record_id)], "practitioner_ids": [practitioner],
            "starts_at": starts.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "ends_at": (starts + timedelta(minutes=duration)).astimezone(UTC)
            .isoformat().replace("+00:00", "Z"),
            "title": (form.get("topic") or "").strip()[:200] or None,
            "repeat_weeks": _int_arg("repeat", 1, 1, 52),
            "force": form.get("force") == "yes"}


@blueprint.post("/records/<uuid:record_id>/sessions")
@staff_required
def book(record_id: UUID):
    record = client_record(record_id)
    booking = booking_from_form(record_id)
    zone = agency_zone()
    people = staff_people(record)
    answer = call("POST", "/api/v1/staff/sessions", json_body=booking)
    when = session_view({**booking, "status": "scheduled"}, zone, people)
    if answer.ok:
        count = len(answer.body.get("occurrences") or [answer.body])
        flash(f"Session booked on {when['day']}, {when['starts']} to {when['ends']} with "
              f"{', '.join(when['practitioner_names'])}"
              + (f", and weekly: {count} sessions in all." if count > 1 else "."), "success")
        return redirect(url_for("staff_scheduling.sessions", record_id=record_id))
    return session_refused(answer, record, booking, when, zone, people)


def session_refused(answer, record, booking, when, zone, people, moving=None):
    if answer.status == 409 and answer.code == "practitioner_busy":
        conflicts = []
        for conflict in (answer.body or {}).get("conflicts") or []:
            try:
                shown = session_view({**conflict, "practitioner_ids": [
                    conflict["practitioner_id"]]}, zone, people)
            except (KeyError, ValueError):
                continue
            conflicts.append(shown)
        return render_template("staff/scheduling/busy.html", record=record, booking=booking,
                               when=when, conflicts=conflicts, moving=moving,
                               duration=_int_arg("duration", 60, 5, 24 * 60),
                               repeat=booking.get("repeat_weeks", 1),
                               title="The practitioner already has a session then"), 409
    if answer.code in SESSION_PROBLEMS or answer.status == 403:
        heading, text = SESSION_PROBLEMS.get(answer.code) or SESSION_PROBLEMS[
            "permission_denied"]
        return render_template("staff/scheduling/problem.html", record=record,
                               heading=heading, text=text, title=heading), answer.status
    if answer.status == 404:
        abort(404)
    heading = "The session could not be booked"
    text = ("Check the time and the practitioner: " + str((answer.body or {}).get("detail"))
            if answer.status == 422 else "Try again later.")
    return render_template("staff/scheduling/problem.html", record=record, heading=heading,
                           text=text, title=heading), answer.status if answer.status < 500 \
        else 503


def one_session(session_id: UUID, record_id: UUID) -> dict:
    answer = call("GET", f"/api/v1/staff/sessions/{session_id}")
    refused(answer)
    if str(record_id) not in answer.body["client_ids"]:
        abort(404)
    return answer.body


@blueprint.post("/records/<uuid:record_id>/sessions/<uuid:session_id>/cancel")
@staff_required
def cancel(record_id: UUID, session_id: UUID):
    one_session(session_id, record_id)
    answer = call("DELETE", f"/api/v1/staff/sessions/{session_id}")
    refused(answer)
    flash("Session cancelled.", "success")
    return redirect(url_for("staff_scheduling.sessions", record_id=record_id))


@blueprint.route("/records/<uuid:record_id>/sessions/<uuid:session_id>/move",
                 methods=["GET", "POST"])
@staff_required
def move(record_id: UUID, session_id: UUID):
    record = client_record(record_id)
    found = one_session(session_id, record_id)
    zone = agency_zone()
    people = staff_people(record)
    current = session_view(found, zone, people)
    starts = local(found["starts_at"], zone)
    minutes = int((instant(found["ends_at"]) - instant(found["starts_at"])).total_seconds()
                  // 60)
    values = {"date": request.form.get("date", starts.date().isoformat()),
              "time": request.form.get("time", time_text(starts)),
              "duration": request.form.get("duration", str(minutes))}
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            day = date.fromisoformat(values["date"])
        except ValueError:
            errors["date"] = "Enter the new date, like 2026-12-07"
        if not CLOCK.match(values["time"] or ""):
            errors["time"] = "Enter the new start time, like 14:30"
        try:
            length = int(values["duration"])
            if not 5 <= length <= 24 * 60:
                raise ValueError
        except ValueError:
            errors["duration"] = "Enter the length in minutes, from 5 to 1440"
        if not errors:
            hours, mins = values["time"].split(":")
            new_start = datetime.combine(day, datetime.min.time(), ZoneInfo(zone)).replace(
                hour=int(hours), minute=int(mins)).astimezone(UTC)
            change = {"starts_at": new_start.isoformat().replace("+00:00", "Z"),
                      "ends_at": (new_start + timedelta(minutes=length)).isoformat()
                      .replace("+00:00", "Z"), "force": request.form.get("force") == "yes"}
            answer = call("PATCH", f"/api/v1/staff/sessions/{session_id}", json_body=change)
            if answer.ok:
                moved = session_view(answer.body, zone, people)
                flash(f"Session moved to {moved['day']}, {moved['starts']} to {moved['ends']}.",
                      "success")
                return redirect(url_for("staff_scheduling.sessions", record_id=record_id))
            when = session_view({**found, **change}, zone, people)
            return session_refused(answer, record, {**found, **change}, when, zone, people,
                                   moving={"date": values["date"], "time": values["time"],
                                           "duration": length, "session_id": session_id})
    return render_template("staff/scheduling/move.html", record=record, current=current,
                           values=values, errors=errors, zone=zone,
                           title="Move a session", error_prefix=bool(errors)), \
        400 if errors else 200


# --- a client's payments (SCH-4, SCH-5) ----------------------------------------------------

def parse_amount(text: str, currency: str) -> int | None:
    """The amount typed (``12.50``, ``1,200``) in minor units, or None."""
    cleaned = (text or "").strip().replace(",", "").lstrip("£$€")
    if not re.fullmatch(r"[0-9]{1,13}(\.[0-9]{1,3})?", cleaned):
        return None
    minor = Decimal(cleaned) * (10 ** exponent(currency))
    if minor != minor.to_integral_value() or minor <= 0 or minor > 10 ** 12:
        return None
    return int(minor)


@blueprint.route("/records/<uuid:record_id>/payments", methods=["GET", "POST"])
@staff_required
def payments(record_id: UUID):
    record = client_record(record_id)
    zone = agency_zone()
    listed = call("GET", "/api/v1/staff/payments",
                  params={"client_id": str(record_id), "limit": 500})
    refused(listed)
    items = listed.body["items"]
    since = (datetime.now(UTC) - timedelta(days=365)).isoformat().replace("+00:00", "Z")
    sessions_answer = call("GET", "/api/v1/staff/sessions",
                           params={"client_id": str(record_id), "from": since, "limit": 500})
    session_list = [session_view(s, zone) for s in sorted(
        sessions_answer.body["items"] if sessions_answer.ok else [],
        key=lambda s: s["starts_at"], reverse=True) if s["status"] == "scheduled"]
    session_names = {s["id"]: f"{s['day']}, {s['starts']}" for s in session_list}
    today = datetime.now(ZoneInfo(zone)).date().isoformat()
    values = {"amount": "", "currency": items[0]["currency"] if items else "GBP",
              "paid_on": today, "method": "", "session_id": ""}
    errors: dict[str, str] = {}
    problem, status = None, 200
    if request.method == "POST":
        values = {key: (request.form.get(key) or "").strip() for key in values}
        values["currency"] = values["currency"].upper()
        if not re.fullmatch(r"[A-Z]{3}", values["currency"]):
            errors["currency"] = "Enter the currency as a 3-letter code, like GBP or EUR"
        amount = parse_amount(values["amount"], values["currency"] or "GBP")
        if amount is None:
            errors["amount"] = ("Enter the amount as a number more than 0, like 25.00"
                                if values["currency"] not in ZERO_DECIMAL else
                                "Enter the amount as a whole number more than 0")
        try:
            date.fromisoformat(values["paid_on"])
        except ValueError:
            errors["paid_on"] = "Enter the date of the payment, like 2026-11-30"
        if values["method"] not in PAYMENT_METHODS:
            errors["method"] = "Choose how the client paid"
        if values["session_id"] and values["session_id"] not in session_names:
            errors["session_id"] = "Choose one of the client's sessions, or none"
        if not errors:
            answer = call("POST", "/api/v1/staff/payments", json_body={
                "client_id": str(record_id), "amount_minor": amount,
                "currency": values["currency"], "paid_on": values["paid_on"],
                "method": values["method"], "session_id": values["session_id"] or None})
            if answer.ok:
                flash(f"Payment of {money(amount, values['currency'])} recorded.", "success")
                return redirect(url_for("staff_scheduling.payments", record_id=record_id))
            if answer.status == 409 and answer.code == "client_inactive":
                problem = ("This client's record is inactive: payments cannot be recorded for "
                           "inactive clients. Change the record status first if they are using "
                           "the service again.")
            elif answer.status == 422:
                for key, messages in (answer.errors or {}).items():
                    if key in values:
                        errors[key] = "Check this: " + str(messages[0] if isinstance(
                            messages, list) and messages else messages)
                problem = None if errors else "The payment could not be recorded: check it."
            else:
                refused(answer)
                problem = "The payment could not be recorded. Try again later."
        status = 409 if problem and "inactive" in problem else 400
    shown = [{**p, "amount": money(p["amount_minor"], p["currency"]),
              "paid": day_text(date.fromisoformat(p["paid_on"])),
              "method_name": METHOD_NAMES.get(p.get("method"), p.get("method") or "Not given"),
              "session": session_names.get(p.get("session_id")) if p.get("session_id") else None}
             for p in items]
    return render_template("staff/scheduling/payments.html", record=record, payments=shown,
                           values=values, errors=errors, problem=problem,
                           sessions=session_list, methods=METHOD_NAMES,
                           title=f"Payments of {record['name']}",
                           error_prefix=bool(errors or problem)), \
        status if (errors or problem) else 200


@blueprint.post("/records/<uuid:record_id>/payments/<uuid:payment_id>/delete")
@staff_required
def delete_payment(record_id: UUID, payment_id: UUID):
    listed = call("GET", "/api/v1/staff/payments",
                  params={"client_id": str(record_id), "limit": 500})
    refused(listed)
    if str(payment_id) not in {p["id"] for p in listed.body["items"]}:
        abort(404)
    answer = call("DELETE", f"/api/v1/staff/payments/{payment_id}")
    refused(answer)
    flash("Payment deleted.", "success")
    return redirect(url_for("staff_scheduling.payments", record_id=record_id))
