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


def keyboard_login(pages, web_url, slug, email, password):
    """Sign in with the keyboard alone: Tab from the top of the page to each field, type, and
    Enter to submit; the login's error state is checked by axe on the way."""
    checked = pages()
    page = checked.page
    page.goto(f"{web_url}/staff/login")
    focused = []

    def tab_to(element_id: str, limit: int = 15) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            current = page.evaluate("document.activeElement && document.activeElement.id")
            focused.append(current)
            if current == element_id:
                return
        raise AssertionError(f"Tab never reached #{element_id}: {focused}")

    # first a wrong password: the error summary takes the focus, then fix it by keyboard
    tab_to("organization")
    page.keyboard.type(slug)
    tab_to("email")
    page.keyboard.type(email)
    tab_to("password")
    page.keyboard.type("not the password")
    page.keyboard.press("Enter")
    page.locator(".govuk-error-summary").wait_for()
    checked.axe()
    page.locator("#password").focus()
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{web_url}/staff/")
    checked.axe()
    return {"focused": focused}


def narrow_screens(pages, web_url):
    """At 320 CSS pixels wide nothing scrolls sideways: the staff and portal sign-in pages."""
    checked = pages(viewport={"width": 320, "height": 640})
    page = checked.page
    widths = {}
    for path in ("/staff/login", "/portal/login"):
        page.goto(web_url + path)
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
        checked.axe()
    return widths


def without_javascript(pages, web_url, slug, email, password, search, name):
    """With JavaScript off, staff sign in, search, open a record and sign out. (No axe here: it
    is a script itself; the same pages are checked with JavaScript on.)"""
    checked = pages(java_script_enabled=False)
    page = checked.page
    page.goto(f"{web_url}/staff/login")
    page.get_by_label("Agency").fill(slug)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{web_url}/staff/")
    page.get_by_label("Name, case number, e-mail or phone").fill(search)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=name).click()
    page.wait_for_url(f"{web_url}/staff/records/*")
    title = page.title()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{web_url}/staff/login")
    return {"title": title}


def search_finds(pages, web_url, slug, email, password, queries):
    """Each query of the staff search, and the names it lists."""
    checked = pages()
    staff_login(checked, web_url, slug, email, password)
    page = checked.page
    found = {}
    for query in queries:
        page.get_by_label("Name, case number, e-mail or phone").fill(query)
        page.get_by_role("button", name="Search").click()
        page.locator("#results-heading").wait_for()
        found[query] = page.locator("table tbody th a").all_inner_texts()
    checked.axe()
    return found


def portal_in_spanish(pages, web_url, username, password, bad_link):
    """The client picks Spanish on the sign-in page; it stays Spanish after signing in and
    out; a link that does not work says so (in Spanish)."""
    checked = pages(locale="en-GB")
    page = checked.page
    page.goto(f"{web_url}/portal/login")
    english = page.locator("h1").inner_text()
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_url(f"{web_url}/portal/login")
    spanish = page.locator("h1").inner_text()
    lang = page.evaluate("document.documentElement.lang")
    checked.axe()
    page.get_by_label("Correo electrónico").fill(username)
    page.get_by_label("Contraseña", exact=True).fill(password)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_url(f"{web_url}/portal/")
    home = page.locator("h1").inner_text()
    checked.axe()
    page.get_by_role("button", name="Cerrar sesión").click()
    page.wait_for_url(f"{web_url}/portal/login")
    after = page.locator("h1").inner_text()
    page.goto(bad_link)
    invalid = page.locator("h1").inner_text()
    status = page.evaluate("document.title")
    checked.axe()
    return {"english": english, "spanish": spanish, "lang": lang, "home": home,
            "after_logout": after, "invalid": invalid, "title": status}


def ask_password_reset(pages, web_url, audience, emails, slug=None):
    """From the sign-in page of ``audience`` (``staff`` or ``portal``), "Forgot your
    password?" for each of ``emails``: the page each answer shows."""
    checked = pages()
    page = checked.page
    answers = []
    for email in emails:
        page.goto(f"{web_url}/{audience}/login")
        page.get_by_role("link", name="Forgot your password?").click()
        page.wait_for_url(f"{web_url}/{audience}/forgot-password")
        checked.axe()
        if slug is not None:
            page.get_by_label("Agency").fill(slug)
        page.get_by_label("E-mail address").fill(email)
        page.get_by_role("button", name="Send the link").click()
        page.locator("#reset-sent").wait_for()
        checked.axe()
        answers.append({"title": page.locator("h1").inner_text(),
                        "text": page.locator("#reset-sent").inner_text()})
    return answers


def follow_password_reset(pages, web_url, link, password, audience, email, slug=None):
    """Follow the e-mail's link, set a new password (a mismatch first), sign in with it on the
    ``audience``'s sign-in page; then the used link, followed again, says it does not work."""
    checked = pages()
    page = checked.page
    page.goto(link)
    assert "/portal/password-reset/" in page.url, page.url
    checked.axe()
    page.get_by_label("Create a password").fill(password)
    page.get_by_label("Type your password again").fill(password + " typo")
    page.get_by_role("button", name="Change password").click()
    page.locator(".govuk-error-summary").wait_for()
    mismatch = page.locator(".govuk-error-summary").inner_text()
    checked.axe()
    page.get_by_label("Create a password").fill(password)
    page.get_by_label("Type your password again").fill(password)
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url(f"{web_url}/portal/password-changed")
    changed = page.locator("h1").inner_text()
    checked.axe()
    if audience == "staff":
        page.get_by_role("link", name="Sign in to the staff console").click()
        page.wait_for_url(f"{web_url}/staff/login")
        page.get_by_label("Agency").fill(slug)
        page.get_by_label("E-mail address").fill(email)
    else:
        page.get_by_role("link", name="Sign in to the client portal").click()
        page.wait_for_url(f"{web_url}/portal/login")
        page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{web_url}/{audience}/")
    signed_in = page.locator("h1").inner_text()
    checked.axe()
    again = pages().page  # another browser: the link itself, not this session, is spent
    again.goto(link)
    again.get_by_label("Create a password").fill(password + " again")
    again.get_by_label("Type your password again").fill(password + " again")
    again.get_by_role("button", name="Change password").click()
    used = again.locator("h1").inner_text()
    return {"mismatch": mismatch, "changed": changed, "signed_in": signed_in, "used": used}


def join_agency(pages, web_url, link, first_name, last_name, email, password, dead_links):
    """A visitor follows the agency's global invitation link and asks to join (an empty form
    first); links that are disabled or unknown say they do not work."""
    checked = pages()
    page = checked.page
    page.goto(link)
    assert "/portal/join/" in page.url, page.url
    title = page.locator("h1").inner_text()
    checked.axe()
    page.get_by_role("button", name="Send request").click()
    page.locator(".govuk-error-summary").wait_for()
    empty = page.locator(".govuk-error-summary").inner_text()
    checked.axe()
    page.get_by_label("First name").fill(first_name)
    page.get_by_label("Last name").fill(last_name)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Phone number (optional)").fill("07700 900456")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Send request").click()
    page.locator("#join-sent").wait_for()
    sent = page.locator("h1").inner_text()
    checked.axe()
    dead = []
    for dead_link in dead_links:
        page.goto(dead_link)
        dead.append(page.locator("h1").inner_text())
        checked.axe()
    return {"title": title, "empty": empty, "sent": sent, "dead": dead}


def portal_login(checked, web_url, username, password) -> None:
    page = checked.page
    page.goto(f"{web_url}/portal/login")
    checked.axe()
    page.get_by_label("E-mail address").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{web_url}/portal/")
    checked.axe()


def client_messages(pages, web_url, username, password, agency, reply, closed_name, open_name,
                    opening, timeout=20.0):
    """The client finds the staff message in the portal (bold, italic and a list shown as
    such), replies; then writes to their care team: refused for a member who does not take
    client-initiated contact, sent to one who does."""
    checked = pages()
    portal_login(checked, web_url, username, password)
    page = checked.page
    page.get_by_role("link", name=f"Messages with {agency}").click()
    page.locator("#threads").wait_for()
    listed = page.locator("#threads tbody tr").all_inner_texts()
    checked.axe()
    page.locator("#threads tbody a").first.click()
    page.locator("#messages").wait_for()
    first = page.locator("#messages li").first
    shown = {"bold": first.locator("b").all_inner_texts(),
             "italic": first.locator("i").all_inner_texts(),
             "items": first.locator("li").all_inner_texts(),
             "scripts": page.locator("#messages script").count(),
             "text": first.locator(".casework-message__body").inner_text()}
    checked.axe()
    page.get_by_label("Your message").fill(reply)
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("Your message has been sent.").wait_for()
    thread_url = page.url
    after_reply = page.locator("#messages li").all_inner_texts()
    checked.axe()

    page.get_by_role("link", name=f"All messages with {agency}").click()
    page.get_by_role("button", name="Write to your care team").click()
    # who the client may choose comes from copies kept by events: wait until both are there
    deadline = time.monotonic() + timeout
    while page.get_by_label(closed_name).count() == 0 or page.get_by_label(open_name).count() == 0:
        assert time.monotonic() < deadline, page.locator("main").inner_text()
        time.sleep(0.5)
        page.reload()
    checked.axe()
    page.get_by_label(closed_name).check()
    page.get_by_label("Your message").fill(opening)
    page.get_by_role("button", name="Send", exact=True).click()
    page.locator(".govuk-error-summary").wait_for()
    refused = page.locator("#contact-problem").inner_text()
    checked.axe()
    deadline = time.monotonic() + timeout
    while True:  # the care team reaches the messages' copies by events, a moment later
        page.get_by_label(open_name).check()
        with page.expect_navigation():
            page.get_by_role("button", name="Send", exact=True).click()
        if "/portal/threads/" in page.url:
            break
        assert time.monotonic() < deadline, page.locator("main").inner_text()
        time.sleep(0.5)
    page.get_by_text("Your message has been sent.").wait_for()
    started = {"url": page.url, "messages": page.locator("#messages li").all_inner_texts()}
    checked.axe()
    return {"listed": listed, "shown": shown, "thread_url": thread_url,
            "after_reply": after_reply, "refused": refused, "started": started,
            "checked": checked.checked}
