"""Scheduling in the browser, step by step (run by tests/web/driver.py in Chromium): staff set
availability, find free times and book from them, see the week calendar, meet a double
booking, move and cancel sessions, record payments; the client sees their sessions and payments
and edits their availability in the portal. axe on every page and state."""

from __future__ import annotations

from datetime import datetime, timedelta

import requests

from tests.web.flows import portal_login, staff_login


def _flash(page) -> str:
    banner = page.locator(".govuk-notification-banner--success")
    banner.wait_for()
    return banner.inner_text()


def _fill_row(page, day: str, n: int, start: str, end: str) -> None:
    page.locator(f"#{day}-{n}-start").fill(start)
    page.locator(f"#{day}-{n}-end").fill(end)


def scheduling_seed(pages, web_url, practitioner, admin, client, record_id, practitioner_name,
                    client_name, week, week_label):
    """The seed workflow "a session booked from a slot suggestion": the practitioner sets their
    availability (an inverted range refused first), staff set the client's, ask for the best
    matches and the free times, book one with the keyboard, and see it in the week calendar;
    the client sees it in the portal."""
    out = {}
    # the practitioner's own week, from the menu
    mine = pages()
    staff_login(mine, web_url, **practitioner)
    page = mine.page
    page.get_by_role("link", name="My availability").click()
    page.wait_for_url(f"{web_url}/staff/availability")
    mine.axe()
    _fill_row(page, "monday", 0, "12:00", "09:00")
    page.get_by_role("button", name="Save availability").click()
    page.locator(".govuk-error-summary").wait_for()
    out["inverted"] = page.locator(".govuk-error-summary").inner_text()
    mine.axe()
    _fill_row(page, "monday", 0, "", "")
    _fill_row(page, "tuesday", 0, "09:00", "12:00")
    page.get_by_role("button", name="Save and add another time on Tuesday").click()
    _flash(page)
    out["added_row"] = page.url.endswith("#tuesday-1-start")
    _fill_row(page, "tuesday", 1, "14:00", "17:00")
    page.get_by_role("button", name="Save availability").click()
    _flash(page)
    out["practitioner_week"] = page.locator("#availability-summary").inner_text()
    mine.axe()

    # staff set the client's week
    staff = pages()
    staff_login(staff, web_url, **admin)
    page = staff.page
    page.goto(f"{web_url}/staff/records/{record_id}/availability")
    staff.axe()
    _fill_row(page, "tuesday", 0, "10:00", "16:00")
    page.get_by_role("button", name="Save availability").click()
    _flash(page)
    out["client_week"] = page.locator("#availability-summary").inner_text()
    staff.axe()

    # the best matches, then the free times of the best, booked with the keyboard
    page.get_by_role("link", name="Sessions").click()
    page.wait_for_url(f"{web_url}/staff/records/{record_id}/sessions")
    out["before"] = page.locator("#no-upcoming").inner_text()
    staff.axe()
    page.get_by_label("Week", exact=True).select_option(week)
    page.get_by_label("Number of weekly sessions").fill("2")
    page.get_by_role("button", name="Show the best matches").click()
    page.locator("#matches").wait_for()
    out["matches"] = page.locator("#matches tbody tr").all_inner_texts()
    staff.axe()
    page.get_by_role("link", name=f"Free times with {practitioner_name}").click()
    page.locator(".casework-slot").first.wait_for()
    out["slots"] = page.locator(".casework-slot").all_inner_texts()
    staff.axe()
    page.locator("#topic").focus()
    for _ in range(12):  # Tab on from the form to the first suggested time, then Enter
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('casework-slot')"):
            break
    out["keyboard_slot"] = page.evaluate("document.activeElement.innerText")
    page.keyboard.press("Enter")
    out["booked"] = _flash(page)
    out["upcoming"] = page.locator("#upcoming tbody tr").all_inner_texts()
    staff.axe()

    # the week calendar of the practitioner
    page.get_by_role("link", name="Calendar").click()
    page.wait_for_url(f"{web_url}/staff/calendar")
    staff.axe()
    page.get_by_label("Practitioner").select_option(label=practitioner_name)
    page.get_by_role("button", name="Show calendar").click()
    page.wait_for_url("**practitioner=*")
    while week_label not in page.locator("h1").inner_text():
        page.locator("#next-week").click()
        page.wait_for_load_state()
    out["calendar_title"] = page.locator("h1").inner_text()
    out["calendar"] = page.locator(".casework-calendar-item").all_inner_texts()
    staff.axe()

    # the client, in the portal
    portal = pages()
    portal_login(portal, web_url, **client)
    page = portal.page
    page.goto(f"{web_url}/portal/records/{record_id}/sessions")
    out["portal_upcoming"] = page.locator("#upcoming").inner_text()
    portal.axe()
    return out


def scheduling_conflicts(pages, web_url, admin, gateway_url, token, record_id, other_id,
                         practitioner_id, week, unknown_id):
    """A free time taken meanwhile (practitioner_busy) booked anyway; a session moved and one
    cancelled; an inactive client refused in plain words; another agency's record a 404."""
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    out = {}
    staff = pages()
    staff_login(staff, web_url, **admin)
    page = staff.page
    suggestions = (f"{web_url}/staff/records/{record_id}/sessions?practitioner="
                   f"{practitioner_id}&duration=60&week={week}&repeat=1")
    page.goto(suggestions)
    first = page.locator(".casework-slot").first
    starts_at = first.get_attribute("data-starts-at")
    # someone else books the practitioner with another client at that time, meanwhile
    ends_at = (datetime.fromisoformat(starts_at.replace("Z", "+00:00"))
               + timedelta(hours=1)).isoformat()
    taken = api.post(f"{gateway_url}/api/v1/staff/sessions", json={
        "client_ids": [other_id], "practitioner_ids": [practitioner_id],
        "starts_at": starts_at, "ends_at": ends_at})
    assert taken.status_code == 201, taken.text
    first.click()
    page.locator("#conflicts").wait_for()
    out["busy_title"] = page.locator("h1").inner_text()
    out["busy_conflicts"] = page.locator("#conflicts").inner_text()
    staff.axe()
    page.get_by_role("button", name="Book anyway").click()
    out["forced"] = _flash(page)
    out["upcoming"] = page.locator("#upcoming tbody tr").all_inner_texts()
    staff.axe()

    # the same pages on a 320-pixel screen: nothing scrolls sideways
    narrow = pages(viewport={"width": 320, "height": 640})
    staff_login(narrow, web_url, **admin)
    out["widths"] = {}
    for path in (suggestions.removeprefix(web_url),
                 f"/staff/calendar?practitioner={practitioner_id}&week={week}",
                 f"/staff/records/{record_id}/payments", "/staff/availability"):
        narrow.page.goto(web_url + path)
        out["widths"][path] = narrow.page.evaluate("document.documentElement.scrollWidth")
        narrow.axe()

    # move it two hours later, then cancel it
    page.locator("#upcoming a", has_text="Move").first.click()
    page.locator("#current").wait_for()
    staff.axe()
    page.get_by_label("New start time").fill("")
    page.get_by_role("button", name="Move session").click()
    page.locator(".govuk-error-summary").wait_for()
    out["move_error"] = page.locator(".govuk-error-summary").inner_text()
    staff.axe()
    page.get_by_label("New start time").fill("11:00")
    page.get_by_role("button", name="Move session").click()
    out["moved"] = _flash(page)
    out["after_move"] = page.locator("#upcoming tbody tr").all_inner_texts()
    staff.axe()
    page.locator("#upcoming button", has_text="Cancel").first.click()
    out["cancelled"] = _flash(page)
    out["after_cancel"] = page.locator("#upcoming tbody tr").all_inner_texts()
    staff.axe()

    # the client becomes inactive while the page of free times is open
    page.goto(suggestions)
    page.locator(".casework-slot").first.wait_for()
    status = api.put(f"{gateway_url}/api/v1/staff/records/{record_id}/status",
                     json={"status": "inactive"})
    assert status.status_code == 200, status.text
    page.locator(".casework-slot").first.click()
    page.locator("#problem-text").wait_for()
    out["inactive_title"] = page.locator("h1").inner_text()
    out["inactive_text"] = page.locator("#problem-text").inner_text()
    staff.axe()
    page.goto(suggestions)
    out["inactive_search"] = page.locator(".govuk-error-summary").inner_text()
    staff.axe()

    # another agency's (or an unknown) record
    response = page.goto(f"{web_url}/staff/records/{unknown_id}/sessions")
    out["unknown"] = [response.status, page.locator("h1").inner_text()]
    staff.axe()
    return out


def scheduling_payments(pages, web_url, admin, client, record_id, gateway_url, token):
    """Staff record a payment (an empty form refused first) and delete a mistaken one; the
    client, in Spanish, sees it, edits their availability, and meets a page their agency does
    not offer."""
    out = {}
    staff = pages()
    staff_login(staff, web_url, **admin)
    page = staff.page
    page.goto(f"{web_url}/staff/records/{record_id}/payments")
    out["empty_list"] = page.locator("#no-payments").inner_text()
    staff.axe()
    page.get_by_label("Amount").fill("")
    page.get_by_role("button", name="Record payment").click()
    page.locator(".govuk-error-summary").wait_for()
    out["errors"] = page.locator(".govuk-error-summary").inner_text()
    staff.axe()
    for amount in ("25.50", "99"):
        page.get_by_label("Amount").fill(amount)
        page.get_by_label("Currency").fill("EUR")
        page.get_by_label("Date paid").fill("2026-11-20")
        page.get_by_label("Card").check()
        page.get_by_label("Session (optional)").select_option(index=1)
        page.get_by_role("button", name="Record payment").click()
        out.setdefault("recorded", []).append(_flash(page))
    out["listed"] = page.locator("#payments tbody tr").all_inner_texts()
    staff.axe()
    page.get_by_role("button", name="Delete the payment of €99.00").click()
    out["deleted"] = _flash(page)
    out["after_delete"] = page.locator("#payments tbody tr").all_inner_texts()
    staff.axe()

    portal = pages(locale="es-ES")
    portal_login_es(portal, web_url, **client)
    page = portal.page
    page.goto(f"{web_url}/portal/records/{record_id}/payments")
    out["portal_title"] = page.locator("h1").inner_text()
    out["portal_payments"] = page.locator("#payments tbody tr").all_inner_texts()
    out["lang"] = page.evaluate("document.documentElement.lang")
    portal.axe()
    page.goto(f"{web_url}/portal/records/{record_id}/availability")
    portal.axe()
    _fill_row(page, "friday", 0, "10:00", "11:30")
    page.get_by_role("button", name="Guardar disponibilidad").click()
    out["portal_saved"] = _flash(page)
    out["portal_week"] = page.locator("#availability-summary").inner_text()
    portal.axe()
    _fill_row(page, "saturday", 0, "18:00", "17:00")
    page.get_by_role("button", name="Guardar disponibilidad").click()
    page.locator(".govuk-error-summary").wait_for()
    out["portal_error"] = page.locator(".govuk-error-summary").inner_text()
    portal.axe()
    # the agency stops offering sessions in its portal
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    answer = api.patch(f"{gateway_url}/api/v1/staff/settings",
                       json={"portal_features": ["availability", "messages"]})
    assert answer.status_code == 200, answer.text
    response = page.goto(f"{web_url}/portal/records/{record_id}/sessions")
    out["not_offered"] = [response.status, page.locator("h1").inner_text(),
                          page.locator("#not-offered").inner_text()]
    portal.axe()
    return out


def portal_login_es(checked, web_url, username, password) -> None:
    page = checked.page
    page.goto(f"{web_url}/portal/login")
    page.get_by_label("Correo electrónico").fill(username)
    page.get_by_label("Contraseña", exact=True).fill(password)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_url(f"{web_url}/portal/")
    checked.axe()


def scheduling_screenshots(pages, web_url, admin, record_id, folder, week, practitioner):
    """Screenshots of the main pages for docs/screenshots (run by hand, not by the tests)."""
    staff = pages(viewport={"width": 1280, "height": 900})
    staff_login(staff, web_url, **admin)
    page = staff.page
    page.goto(f"{web_url}/staff/records/{record_id}/sessions?practitioner="
              f"{practitioner}&duration=60&week={week}&repeat=1")
    page.screenshot(path=f"{folder}/scheduling-sessions.png", full_page=True)
    page.goto(f"{web_url}/staff/calendar?practitioner={practitioner}&week={week}")
    page.screenshot(path=f"{folder}/scheduling-calendar.png", full_page=True)
    page.goto(f"{web_url}/staff/records/{record_id}/availability")
    page.screenshot(path=f"{folder}/scheduling-availability.png", full_page=True)
    return {}
