"""E-mail rules (NOT-3, NOT-4): the default templates, rendering per agency, the retry schedule
and which SMTP answers end an e-mail. No I/O here.

Templates per agency: every e-mail is rendered from the default template of its kind (below,
one for each ``contracts.notifications.EMAIL_TEMPLATES`` entry: subject, plain text and HTML),
sent in the agency's name (``sender_name`` from the agency's settings, else the agency's name,
as the From header's display name; the address is always ``CASEWORK_MAIL_FROM``), and an agency
that wrote its own welcome text (the ``welcome_template`` setting) has its welcome e-mail's body
made from that text instead. Placeholders are ``{{ name }}``; a value is escaped in HTML and
flattened to one line in a subject; an unknown placeholder stays as written.
"""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from contracts.messages import MESSAGE_TAGS
from contracts.notifications import EMAIL_TEMPLATES

PLATFORM_NAME = "Casework"
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
SUBJECT_MAX = 400
FROM_NAME_MAX = 200


class ContextRefused(ValueError):
    """The context does not fit its template: ``errors`` by field, as a 422 shows them."""

    def __init__(self, errors: dict):
        super().__init__("the e-mail's context does not fit its template")
        self.errors = errors


@dataclass(frozen=True)
class Template:
    subject: str
    text: str
    html: str


TEMPLATES: dict[str, Template] = {
    "invitation": Template(
        subject="{{organization_name}} invites you to your client portal",
        text=(
            "Hello,\n\n"
            "{{organization_name}} invites you to open your client portal account, where you can\n"
            "see and update what the agency keeps about you.\n\n"
            "Accept the invitation:\n{{link}}\n\n"
            "The link works once and expires at {{expires_at}}. If you did not expect this\n"
            "e-mail, ignore it.\n"),
        html=(
            "<p>Hello,</p>\n"
            "<p>{{organization_name}} invites you to open your client portal account, where you"
            " can see and update what the agency keeps about you.</p>\n"
            '<p><a href="{{link}}">Accept the invitation</a></p>\n'
            "<p>The link works once and expires at {{expires_at}}. If you did not expect this"
            " e-mail, ignore it.</p>\n"),
    ),
    "portal_welcome": Template(
        subject="Welcome to your client portal",
        text=(
            "Hello {{first_name}},\n\n"
            "Your client portal account is ready. Log in with this e-mail address and the\n"
            "password you chose; nobody will ever ask you for it by e-mail.\n"),
        html=(
            "<p>Hello {{first_name}},</p>\n"
            "<p>Your client portal account is ready. Log in with this e-mail address and the"
            " password you chose; nobody will ever ask you for it by e-mail.</p>\n"),
    ),
    "password_reset": Template(
        subject="Reset your password",
        text=(
            "Hello,\n\n"
            "Someone asked to reset the password of the account of this e-mail address. To\n"
            "choose a new password, open:\n{{link}}\n\n"
            "The link works once and expires at {{expires_at}}. If you did not ask, ignore this\n"
            "e-mail: your password stays as it is.\n"),
        html=(
            "<p>Hello,</p>\n"
            "<p>Someone asked to reset the password of the account of this e-mail address.</p>\n"
            '<p><a href="{{link}}">Choose a new password</a></p>\n'
            "<p>The link works once and expires at {{expires_at}}. If you did not ask, ignore"
            " this e-mail: your password stays as it is.</p>\n"),
    ),
    "notification": Template(
        subject="{{title}}",
        text=(
            "Hello {{name}},\n\n"
            "{{title}}\n\n"
            "See it in the staff console:\n{{link}}\n\n"
            "You get this e-mail at once for this kind of notification; your notification\n"
            "preferences in the console change that.\n"),
        html=(
            "<p>Hello {{name}},</p>\n"
            "<p>{{title}}</p>\n"
            '<p><a href="{{link}}">See it in the staff console</a></p>\n'
            "<p>You get this e-mail at once for this kind of notification; your notification"
            " preferences in the console change that.</p>\n"),
    ),
    "notification_digest": Template(
        subject="Your notifications of the day: {{count}}",
        text=(
            "Hello {{name}},\n\n"
            "Your notifications of the day ({{count}}):\n\n"
            "{{summary}}\n\n"
            "See them in the staff console:\n{{link}}\n"),
        html=(
            "<p>Hello {{name}},</p>\n"
            "<p>Your notifications of the day ({{count}}):</p>\n"
            '<p style="white-space: pre-line">{{summary}}</p>\n'
            '<p><a href="{{link}}">See them in the staff console</a></p>\n'),
    ),
    "staff_welcome": Template(
        subject="Your staff account at {{organization_name}}",
        text=(
            "Hello {{first_name}},\n\n"
            "{{organization_name}} has made you a staff account. Log in to the staff console\n"
            "with this e-mail address:\n{{link}}\n\n"
            "No password is ever sent by e-mail. If you were not given one, or forgot it,\n"
            "choose a new one with the password reset on the console's login page.\n"),
        html=(
            "<p>Hello {{first_name}},</p>\n"
            "<p>{{organization_name}} has made you a staff account. Log in to the staff console"
            " with this e-mail address.</p>\n"
            '<p><a href="{{link}}">Open the staff console</a></p>\n'
            "<p>No password is ever sent by e-mail. If you were not given one, or forgot it,"
            " choose a new one with the password reset on the console's login page.</p>\n"),
    ),
    # NOT-5: never the message itself (an e-mail is no place for what a client and their
    # agency write each other); the link leads to the thread in the portal
    "new_message": Template(
        subject="You have a new message from {{organization_name}}",
        text=(
            "Hello {{first_name}},\n\n"
            "{{organization_name}} sent you a new message in your client portal.\n\n"
            "Read it there:\n{{link}}\n"),
        html=(
            "<p>Hello {{first_name}},</p>\n"
            "<p>{{organization_name}} sent you a new message in your client portal.</p>\n"
            '<p><a href="{{link}}">Read it in your portal</a></p>\n'),
    ),
}


@dataclass(frozen=True)
class Agency:
    """What notifications keeps of an agency (copied from identity's events)."""

    name: str
    sender_name: str | None = None
    welcome_template: str | None = None


@dataclass(frozen=True)
class Rendered:
    from_name: str
    subject: str
    text: str
    html: str


def check_context(template: str, context: dict[str, str]) -> None:
    """Exactly the template's names (``EMAIL_TEMPLATES``): a missing one would show as a gap,
    and anything more has no business in an e-mail (a password, a second token)."""
    wanted = EMAIL_TEMPLATES[template]
    errors = {f"context.{name}": ["required by the template"]
              for name in wanted if not context.get(name)}
    errors.update({f"context.{name}": ["not a value of this template"]
                   for name in context if name not in wanted})
    if errors:
        raise ContextRefused(errors)


def fill(template: str, values: dict[str, str], escape=None) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        return escape(values[name]) if escape else values[name]

    return PLACEHOLDER.sub(value, template)


def one_line(value: str, limit: int) -> str:
    """A header value: no line breaks or control characters (no header injection)."""
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())[:limit]


def text_to_html(text: str, values: dict[str, str]) -> str:
    """An agency's own text as simple HTML: escaped, blank lines make paragraphs."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    return "".join(
        "<p>" + fill(html.escape(p), values, html.escape).replace("\n", "<br>\n") + "</p>\n"
        for p in paragraphs if p)


def shown(name: str, value: str) -> str:
    """A value as the reader sees it: a moment (``*_at``, ISO 8601 with its offset) reads
    ``3 December 2026, 10:00 UTC``; anything else as given."""
    if name.endswith("_at"):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
            return f"{moment.day} {moment:%B %Y, %H:%M} UTC"
    return value


def render(template: str, context: dict[str, str], agency: Agency | None) -> Rendered:
    """The e-mail of ``template`` for ``context``, in the agency's name and words."""
    check_context(template, context)
    default = TEMPLATES[template]
    values = {name: shown(name, value) for name, value in context.items()}
    if agency is not None:
        values.setdefault("organization_name", agency.name)
    sender = (agency.sender_name or agency.name) if agency is not None else PLATFORM_NAME
    subject = one_line(fill(default.subject, values), SUBJECT_MAX)
    if template == "portal_welcome" and agency is not None and agency.welcome_template:
        text = fill(agency.welcome_template.replace("\r\n", "\n"), values)
        body_html = text_to_html(agency.welcome_template, values)
    else:
        text = fill(default.text, values)
        body_html = fill(default.html, values, lambda v: html.escape(v, quote=True))
    return Rendered(from_name=one_line(sender, FROM_NAME_MAX) or PLATFORM_NAME,
                    subject=subject, text=text, html=body_html)


def message_id(email_id: uuid.UUID, domain: str) -> str:
    """The Message-ID header: the same on every attempt, so a receiver can spot a resend."""
    return f"<{email_id}@{domain or 'casework.invalid'}>"


# --- sending ---------------------------------------------------------------------------------

def retry_delay(attempts: int, base: float, cap: float) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones: doubling, capped."""
    return min(cap, base * 2 ** max(0, attempts - 1))


def is_permanent(code: int | None) -> bool:
    """A 5xx answer to a recipient or to the message refuses it for good; 4xx (and no answer:
    the server is down) is worth another try."""
    return code is not None and 500 <= code < 600


def after_failure(attempts: int, max_attempts: int, permanent: bool) -> str:
    """The status an e-mail takes after a failed attempt (``attempts`` counts it)."""
    return "dead" if permanent or attempts >= max_attempts else "failed"


def new_id() -> uuid.UUID:
    return uuid.uuid4()


# --- in-app notifications and their delivery (NOT-1, NOT-2) -------------------------------
#
# Kinds: what happened, and how it reaches a staff member unless they chose otherwise. Action
# kinds (something to act on) are e-mailed at once by default, date kinds (a booking, something
# in the calendar) go into the daily digest, as the seed products do.

KINDS: dict[str, str] = {  # every NOTIFICATION_KINDS entry, with its default delivery
    "record_assigned": "email",         # you became a navigator of a record
    "record_status_changed": "email",   # a record you navigate changed status
    "client_message": "email",          # a client wrote in a thread (notifications.message_posted)
    "request_fulfilled": "email",       # a client fulfilled your request (REQ-3)
    "session_booked": "digest",         # a session was booked with you (SCH-2)
}
SUPPRESSED_STATUSES = ("closed", "inactive")
# A burst of notifications (a caseload of 10,000 records moved to one navigator, a bulk status
# change) must not become thousands of e-mails: past this many immediate e-mails in the last
# hour, a staff member's further ones of that hour go into their digest instead.
EMAIL_BURST = 20


def preferences(chosen: dict[str, str]) -> list[dict]:
    """Every kind with its delivery: the staff member's choice, else the kind's default."""
    return [{"kind": kind, "delivery": chosen.get(kind, default), "default": default}
            for kind, default in KINDS.items()]


def suppressed(status: str | None, suppress_closed_records: bool) -> bool:
    """NOT-2: the agency says no notifications about closed and inactive records."""
    return bool(suppress_closed_records) and status in SUPPRESSED_STATUSES


def recipients(navigators: list[str], inactive: set[str],
               addressee: str | None = None) -> list[str]:
    """NOT-1: who is told about a record: only its navigators, never an inactive staff user.
    A notification meant for one person (the thread's staff member, the requester) goes to them
    when they are one of the record's navigators; when they are not (a colleague who wrote on the
    agency's behalf, a navigator since unassigned), to the record's navigators, who answer for
    it. Nobody (no active navigator): the notification is kept undelivered for the
    administrators' list."""
    active = [n for n in navigators if n not in inactive]
    if addressee is not None and addressee in active:
        return [addressee]
    return active


def delivery_for(preference: str, recent_emails: int) -> str:
    """How a notification reaches its recipient: their preference, with an e-mail burst
    (``EMAIL_BURST`` in the last hour) folded into the digest."""
    if preference == "email" and recent_emails >= EMAIL_BURST:
        return "digest"
    return preference


def record_label(case_number: str | None) -> str:
    return f"Record {case_number}" if case_number else "A record"


def title(kind: str, *, case_number: str | None = None, **values) -> str:
    """The notification's title: what happened, naming the record by its case number only
    (no client name, no message body: titles go into e-mails)."""
    record = record_label(case_number)
    if kind == "record_assigned":
        return f"{record} is assigned to you"
    if kind == "record_status_changed":
        return f"{record}: status changed to {values.get('status')}"
    if kind == "client_message":
        return f"{record}: new message from the client"
    if kind == "request_fulfilled":
        return f"{record}: request fulfilled: {values['request_title']}"[:300]
    if kind == "session_booked":
        return f"Session booked with you: {values['starts']}"
    raise ValueError(kind)


def local_moment(moment: datetime, timezone: str) -> str:
    """A moment as the agency reads it: ``3 December 2026, 10:00 (Europe/London)``."""
    from zoneinfo import ZoneInfo

    local = moment.astimezone(ZoneInfo(timezone or "UTC"))
    return f"{local.day} {local:%B %Y, %H:%M} ({timezone or 'UTC'})"


DIGEST_LINES = 50


def digest_summary(titles: list[str]) -> str:
    """The digest's body: one line per notification, oldest first, at most ``DIGEST_LINES``
    (the console has the rest)."""
    lines = [f"- {t}" for t in titles[:DIGEST_LINES]]
    if len(titles) > DIGEST_LINES:
        lines.append(f"... and {len(titles) - DIGEST_LINES} more in the console")
    return "\n".join(lines)
# --- message threads (NOT-5, NOT-6) and mass sending (NOT-7) ---------------------------------

# What a message body keeps: the contract's MESSAGE_TAGS. Ammonia (nh3, the maintained Rust
# sanitiser) parses the HTML like a browser and keeps those tags without any attribute; every
# other tag goes, its text stays, and script and style go with their content.
MESSAGE_STORED_MAX = 40_000  # a sanitised body never grows much; this bounds what is stored


class EmptyMessage(ValueError):
    """Nothing readable is left of the body once sanitised."""


def sanitise_message(body: str) -> str:
    """The body as it is stored and shown: only ``MESSAGE_TAGS``, no attributes, no comments;
    ``EmptyMessage`` when no text is left (a body of tags, a script, blanks)."""
    import nh3

    cleaned = nh3.clean(body, tags=set(MESSAGE_TAGS), attributes={}, url_schemes=set(),
                        link_rel=None, strip_comments=True,
                        clean_content_tags={"script", "style"}).strip()
    text = nh3.clean(cleaned, tags=set(), attributes={}, link_rel=None)
    if not html.unescape(text).strip() or len(cleaned) > MESSAGE_STORED_MAX:
        raise EmptyMessage("the message has no text once sanitised")
    return cleaned


def recipient_skip(kind: str, status: str, portal_status: str | None,
                   email: str | None = None) -> str | None:
    """Why a client is not sent a mass-sent message (NOT-7), or None to send it: only a client
    with a portal account (not banned) whose record is not inactive or closed. An e-mail address
    is not needed: the message waits in the portal (the e-mail only tells of it)."""
    if kind != "client":
        return "not_a_client"
    if portal_status is None:
        return "no_portal_account"
    if portal_status == "banned":
        return "portal_banned"
    if status in ("inactive", "closed"):
        return "client_inactive"
    return None


def portal_thread_link(portal_url: str, thread_id) -> str:
    """Where the client reads a thread (the portal front end)."""
    return f"{portal_url.rstrip('/')}/threads/{thread_id}"


def may_contact(care_team: list[dict], staff_user_id: str) -> bool:
    """NOT-6: a client may start a thread only with an active member of their record's care
    team (its navigators) who accepts client-initiated contact. The caller gets one answer for
    every other case, so that nothing of the staff member's settings shows."""
    return any(str(member["user_id"]) == str(staff_user_id) and member.get("active", True)
               and member.get("allow_client_initiated_contact") for member in care_team)
