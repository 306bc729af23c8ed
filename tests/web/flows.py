"""What a person does in the browser, step by step, for tests/web (run by tests/web/driver.py
in Chromium): each flow takes ``pages`` (a new browser context and its axe-checked page) and
answers something JSON for the test to check further."""

from __future__ import annotations

import time


def staff_login(checked, web_url: str, slug: str, email: str, password: str) -> None:
    page = checked.page
    page.goto(f"{web_url}/")
    assert page.url.startswith(f"{web_url}/staff/login"), page.url
    checked.axe()
    page.get_by_label("Agency").fill(slug)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{web_url}/staff/")
    checked.axe()


def staff_invites(pages, web_url, slug, email, password, search, name, record_id,
                  client_email):
    """Staff sign in, find the record by a misspelt name, and invite the client."""
    staff = pages()
    staff_login(staff, web_url, slug, email, password)
    page = staff.page
    page.get_by_label("Name, case number, e-mail or phone").fill(search)
    page.get_by_role("button", name="Search").click()
    staff.axe()
    page.get_by_role("link", name=name).click()
    page.wait_for_url(f"{web_url}/staff/records/{record_id}")
    staff.axe()
    page.get_by_label("The e-mail address is right").check()
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text(f"Invitation sent to {client_email}.").wait_for()
    state = page.locator("#invitation-state").inner_text()
    staff.axe()
    return {"state": state, "checked": staff.checked}


def client_accepts_and_edits_phone(pages, web_url, link, password, new_phone):
    """The client follows the e-mail's link, sets a password, and changes their phone."""
    client = pages()
    page = client.page
    page.goto(link)
    assert "/portal/invitations/" in page.url, page.url
    client.axe()
    page.get_by_label("Create a password").fill(password)
    page.get_by_label("Type your password again").fill(password)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{web_url}/portal/")
    details = page.locator("#global-record").inner_text()
    client.axe()
    page.get_by_role("link", name="Change phone numbers").click()
    client.axe()
    page.get_by_label("Number").first.fill(new_phone)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{web_url}/portal/")
    phones = page.locator("#phones").inner_text()
    client.axe()
    return {"details": details, "phones": phones, "checked": client.checked}


def staff_sees_phone(pages, web_url, slug, email, password, record_id, phone, timeout=20.0):
    """Staff open the record until it shows ``phone`` (the change reaches the agency's record
    by an event)."""
    staff = pages()
    staff_login(staff, web_url, slug, email, password)
    page = staff.page
    page.goto(f"{web_url}/staff/records/{record_id}")
    deadline = time.monotonic() + timeout
    while phone not in page.locator("#record-summary").inner_text():
        assert time.monotonic() < deadline, page.locator("#record-summary").inner_text()
        time.sleep(0.5)
        page.reload()
    staff.axe()
    return {"summary": page.locator("#record-summary").inner_text()}
