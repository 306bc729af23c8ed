"""E-mail rules without I/O: templates, rendering per agency, the retry schedule."""

import pytest

from contracts.notifications import EMAIL_TEMPLATES
from services.notifications.domain import (
    PLACEHOLDER,
    TEMPLATES,
    Agency,
    ContextRefused,
    after_failure,
    is_permanent,
    render,
    retry_delay,
)

INVITATION = {"organization_name": "Hope Street", "link": "https://portal.example/invitations/t0k",
              "expires_at": "2026-12-03 10:00 UTC"}


def test_every_template_of_the_contract_has_a_default_that_uses_exactly_its_names():
    assert set(TEMPLATES) == set(EMAIL_TEMPLATES)
    for name, template in TEMPLATES.items():
        used = {m.group(1) for part in (template.subject, template.text, template.html)
                for m in PLACEHOLDER.finditer(part)}
        assert used == set(EMAIL_TEMPLATES[name]), name


def test_an_invitation_shows_its_link_in_text_and_html():
    rendered = render("invitation", INVITATION, None)
    assert rendered.from_name == "Casework"
    assert rendered.subject == "Hope Street invites you to your client portal"
    assert "https://portal.example/invitations/t0k" in rendered.text
    assert '<a href="https://portal.example/invitations/t0k">' in rendered.html
    assert "2026-12-03 10:00 UTC" in rendered.text


def test_context_values_are_escaped_in_html_and_kept_to_one_line_in_the_subject():
    rendered = render("invitation", {
        **INVITATION, "organization_name": 'Evil <script>"x"</script>\r\nBcc: all@example.org',
        "link": 'https://x.example/"><img src=x>'}, None)
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html
    assert '"><img' not in rendered.html and "&quot;&gt;&lt;img" in rendered.html
    assert "\n" not in rendered.subject and "\r" not in rendered.subject
    assert rendered.subject.startswith('Evil <script>"x"</script> Bcc: all@example.org')


@pytest.mark.parametrize("context, field", [
    ({"organization_name": "A", "link": "https://x"}, "context.expires_at"),
    ({**INVITATION, "password": "hunter2hunter2"}, "context.password"),
    ({**INVITATION, "link": ""}, "context.link"),
])
def test_a_context_must_hold_exactly_what_its_template_shows(context, field):
    with pytest.raises(ContextRefused) as refused:
        render("invitation", context, None)
    assert field in refused.value.errors


def test_the_agencys_sender_name_else_its_name_signs_the_email():
    assert render("invitation", INVITATION, Agency("Hope Street", "Hope Team")).from_name == (
        "Hope Team")
    assert render("invitation", INVITATION, Agency("Hope Street")).from_name == "Hope Street"
    assert render("invitation", INVITATION,
                  Agency("Hope Street", "Team\r\nBcc: x@example.org")).from_name == (
        "Team Bcc: x@example.org")


def test_an_agencys_own_welcome_text_replaces_the_default_body():
    agency = Agency("Hope & Co", None,
                    "Dear {{ first_name }},\n\nwelcome to {{organization_name}}.\n{{unknown}}")
    rendered = render("portal_welcome", {"first_name": "<Wanda>"}, agency)
    assert rendered.text == "Dear <Wanda>,\n\nwelcome to Hope & Co.\n{{unknown}}"
    assert rendered.html == ("<p>Dear &lt;Wanda&gt;,</p>\n"
                             "<p>welcome to Hope &amp; Co.<br>\n{{unknown}}</p>\n")
    assert rendered.subject == "Welcome to your client portal"
    default = render("portal_welcome", {"first_name": "Wanda"}, Agency("Hope & Co"))
    assert default.text.startswith("Hello Wanda,") and "password you chose" in default.text


def test_retries_wait_longer_each_time_up_to_the_cap():
    assert [retry_delay(n, 30, 3600) for n in range(1, 10)] == [
        30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_a_5xx_or_the_last_attempt_ends_an_email_a_4xx_or_no_answer_does_not():
    assert is_permanent(550) and is_permanent(554)
    assert not is_permanent(450) and not is_permanent(421) and not is_permanent(None)
    assert after_failure(1, 12, permanent=True) == "dead"
    assert after_failure(11, 12, permanent=False) == "failed"
    assert after_failure(12, 12, permanent=False) == "dead"


@pytest.mark.parametrize("given, seen", [
    ("2026-12-03T10:00:00+00:00", "3 December 2026, 10:00 UTC"),
    ("2026-12-03T11:30:00+01:00", "3 December 2026, 10:30 UTC"),
    ("2026-12-03T10:00:00Z", "3 December 2026, 10:00 UTC"),
    ("tomorrow at noon", "tomorrow at noon"),
    ("2026-12-03T10:00:00", "2026-12-03T10:00:00"),  # no offset: not guessed
])
def test_a_moment_reads_as_a_date_and_time_in_utc(given, seen):
    rendered = render("invitation", {**INVITATION, "expires_at": given}, None)
    assert f"expires at {seen}" in rendered.text
