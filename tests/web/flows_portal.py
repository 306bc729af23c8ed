"""The portal's account, agency records, requests and access pages in the browser (tests/web/
test_portal_records.py): each flow signs a client in and walks a workflow, checking every page
and state with axe."""

from __future__ import annotations

from tests.web.flows import portal_login


def _errors(page) -> str:
    try:
        page.locator(".govuk-error-summary").wait_for()
    except Exception as exc:
        raise AssertionError(f"no error summary at {page.url}: "
                             f"{page.locator('body').inner_text()[:2000]}") from exc
    return page.locator(".govuk-error-summary").inner_text()


def _tab_to(page, matches, limit: int = 40) -> list[str]:
    """Tab until the focused element is the one ``matches`` (a JS predicate on it) names."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("(() => { const e = document.activeElement;"
                                  " return e ? (e.id || e.textContent.trim()) : ''; })()"))
        if page.evaluate(f"(e => ({matches}))(document.activeElement)"):
            return seen
    raise AssertionError(f"Tab never reached {matches}: {seen}")


def _open_request(page, web_url, record_id, title):
    page.goto(f"{web_url}/portal/records/{record_id}/requests")
    page.locator("#open-requests").get_by_role("link", name=title, exact=True).click()
    page.locator("h1", has_text=title).wait_for()


def portal_sends_documents(pages, web_url, username, password, agency, record_id, png_path,
                           pdf_path, text_path, big_path, titles):
    """The client moves from the global record to the agency record and its requests, then
    sends the documents asked for: a file that is neither a PDF nor a photo (refused), one too
    large (refused), a photo over the web process's usual 1 MiB limit, and a PDF."""
    checked = pages()
    portal_login(checked, web_url, username, password)
    page = checked.page
    out: dict = {}
    page.get_by_role("link", name=agency, exact=True).click()
    page.wait_for_url(f"{web_url}/portal/records/{record_id}")
    out["record"] = page.locator("#agency-record").inner_text()
    out["menu"] = page.locator("#record-menu a").all_inner_texts()
    out["menu_links"] = [a.get_attribute("href") for a in page.locator("#record-menu a").all()]
    checked.axe()
    page.locator("#record-menu").get_by_role("link", name="Requests").click()
    page.wait_for_url(f"{web_url}/portal/records/{record_id}/requests")
    out["open_before"] = page.locator("#open-requests a").all_inner_texts()
    checked.axe()

    def open_request(title):
        _open_request(page, web_url, record_id, title)

    # a document: first a text file, refused in plain words; then a photo
    open_request(titles["photo"])
    checked.axe()
    page.get_by_label("Choose a file or take a photo").set_input_files(text_path)
    page.get_by_role("button", name="Send the file").click()
    out["refused"] = _errors(page)
    out["refused_field"] = page.locator(".govuk-error-message").inner_text()
    checked.axe()
    # a file over the API's largest (10 MiB): refused, said near the file field
    page.get_by_label("Choose a file or take a photo").set_input_files(big_path)
    page.get_by_role("button", name="Send the file").click()
    out["too_large"] = _errors(page)
    out["too_large_field"] = page.locator(".govuk-error-message").inner_text()
    checked.axe()
    page.get_by_label("Choose a file or take a photo").set_input_files(png_path)
    page.get_by_role("button", name="Send the file").click()
    page.wait_for_url(f"{web_url}/portal/records/{record_id}/requests")
    out["photo_sent"] = page.locator(".govuk-notification-banner").inner_text()
    checked.axe()
    open_request(titles["pdf"])
    page.get_by_label("Choose a file or take a photo").set_input_files(pdf_path)
    page.get_by_role("button", name="Send the file").click()
    page.wait_for_url(f"{web_url}/portal/records/{record_id}/requests")
    out["open_after"] = page.locator("#open-requests a").all_inner_texts()
    out["done_after"] = page.locator("#done-requests li").all_inner_texts()
    checked.axe()
    out["checked"] = checked.checked
    return out


def portal_answers_requests(pages, web_url, username, password, record_id, titles):
    """The client answers an assessment (sent empty first), signs an ROI (an end before the
    start first) and gives a location with the keyboard alone; a done request opened again
    says so."""
    checked = pages()
    portal_login(checked, web_url, username, password)
    page = checked.page
    out: dict = {}

    def open_request(title):
        _open_request(page, web_url, record_id, title)

    # an assessment: sent empty first, then answered by each question's kind
    open_request(titles["assessment"])
    checked.axe()
    page.get_by_role("button", name="Send my answers").click()
    out["assessment_empty"] = _errors(page)
    checked.axe()
    page.get_by_label("How do you feel?").fill("Better than last week")
    page.get_by_label("Nights slept rough this month").fill("2")
    page.get_by_role("group", name="Do you feel safe?").get_by_label("Yes").check()
    page.get_by_label("Rented").check()
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url(f"{web_url}/portal/records/{record_id}/requests")

    # an ROI: an end before the start first
    open_request(titles["roi"])
    checked.axe()
    for legend, (day, month, year) in (("From", titles["roi_starts"]),
                                       ("Until", titles["roi_bad_expiry"])):
        group = page.get_by_role("group", name=legend)
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill(month)
        group.get_by_label("Year").fill(year)
    page.get_by_label("Your full name").fill("Rosa Delgado")
    page.get_by_role("button", name="Sign and send").click()
    out["roi_refused"] = _errors(page)
    checked.axe()
    until = page.get_by_role("group", name="Until")
    until.get_by_label("Year").fill(titles["roi_expiry"][2])
    page.get_by_role("button", name="Sign and send").click()
    page.wait_for_url(f"{web_url}/portal/records/{record_id}/requests")

    # a location, with the keyboard alone: Tab from the top of the page, type, Enter
    open_request(titles["location"])
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.locator("body").focus()
    focused = _tab_to(page, "e.id === 'address'")
    page.keyboard.type("1 Harbour Street, Leith")
    focused += _tab_to(page, "e.id === 'latitude'")
    page.keyboard.type("55.9756")
    focused += _tab_to(page, "e.id === 'longitude'")
    page.keyboard.type("-3.1710")
    focused += _tab_to(page, "e.tagName === 'BUTTON' && e.type === 'submit' && "
                             "e.textContent.trim() === 'Send my location'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{web_url}/portal/records/{record_id}/requests")
    out["focused"] = focused
    out["open_after"] = page.locator("#open-requests a").all_inner_texts()
    out["done_after"] = page.locator("#done-requests li").all_inner_texts()
    checked.axe()
    # a done request, opened again by its address, says so and has no form
    page.goto(f"{web_url}/portal/records/{record_id}/requests/{titles['location_id']}")
    out["again"] = page.locator("#request-closed").inner_text()
    out["forms_again"] = page.locator("main form").count()
    checked.axe()
    out["checked"] = checked.checked
    return out


def portal_account_and_records(pages, web_url, username, password, new_password, agency,
                               record_id, foreign_record_id, staff_name):
    """The client changes their details (an empty name first) and password (a wrong current
    one first), edits the agency record, sees who viewed it, reads it in Spanish; another
    client's record answers the 404 page."""
    checked = pages(locale="en-GB")
    portal_login(checked, web_url, username, password)
    page = checked.page
    out: dict = {}
    page.get_by_role("link", name="Change name").click()
    page.wait_for_url(f"{web_url}/portal/me/details")
    checked.axe()
    page.get_by_label("First name").fill("")
    page.get_by_role("button", name="Save").click()
    out["details_empty"] = _errors(page)
    checked.axe()
    page.get_by_label("First name").fill("Rosalind")
    page.get_by_label("Text message").check()
    page.get_by_label("Post").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{web_url}/portal/")
    out["details"] = page.locator("#global-record").inner_text()
    checked.axe()

    page.get_by_role("link", name="Change password").click()
    page.wait_for_url(f"{web_url}/portal/password")
    checked.axe()
    page.get_by_label("Your current password").fill("not my password at all")
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("Type the new password again").fill(new_password)
    page.get_by_role("button", name="Change password").click()
    out["password_wrong"] = _errors(page)
    checked.axe()
    page.get_by_label("Your current password").fill(password)
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("Type the new password again").fill(new_password)
    page.get_by_role("button", name="Change password").click()
    page.wait_for_url(f"{web_url}/portal/")
    out["password_changed"] = page.locator(".govuk-notification-banner").inner_text()

    # the agency record, reached from the home page; edited where the agency allows
    page.get_by_role("link", name=agency, exact=True).click()
    page.wait_for_url(f"{web_url}/portal/records/{record_id}")
    out["features"] = page.locator("#features li").all_inner_texts()
    page.get_by_role("button", name="Change this record").click()
    page.wait_for_url(f"{web_url}/portal/records/{record_id}/edit")
    checked.axe()
    born = page.get_by_role("group", name="Date of birth (optional)")
    born.get_by_label("Day").fill("31")
    born.get_by_label("Month").fill("2")
    born.get_by_label("Year").fill("1990")
    page.get_by_role("button", name="Save").click()
    out["bad_date"] = _errors(page)
    checked.axe()
    born.get_by_label("Day").fill("14")
    born.get_by_label("Month").fill("2")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{web_url}/portal/records/{record_id}")
    out["record"] = page.locator("#agency-record").inner_text()
    checked.axe()

    page.locator("#record-menu").get_by_role("link", name="Who has seen your record").click()
    page.wait_for_url(f"{web_url}/portal/records/{record_id}/access")
    page.get_by_role("cell", name=staff_name).first.wait_for()
    out["access"] = page.locator("#access tbody tr").all_inner_texts()
    checked.axe()
    # back to the global record through the records' navigation
    page.locator("#records-nav").get_by_role("link", name="Your details (all agencies)").click()
    page.wait_for_url(f"{web_url}/portal/")

    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_url(f"{web_url}/portal/")
    page.goto(f"{web_url}/portal/records/{record_id}/access")
    out["spanish_access"] = page.locator("h1").inner_text()
    out["spanish_rows"] = page.locator("#access tbody tr").all_inner_texts()
    checked.axe()
    page.goto(f"{web_url}/portal/records/{record_id}")
    out["spanish_record"] = page.locator("main").inner_text()
    checked.axe()
    page.goto(f"{web_url}/portal/records/{foreign_record_id}")
    out["foreign"] = page.locator("h1").inner_text()
    checked.axe()
    out["checked"] = checked.checked
    return out
