"""The staff console's record workflows in the browser (part records), run by
tests/web/driver.py: each flow signs in, walks the pages and answers what it saw."""

from __future__ import annotations

import os
import struct
import zlib

from tests.web.flows import staff_login


def noisy_png(size: int) -> bytes:
    """A real PNG of ``size`` x ``size`` random pixels (so it hardly compresses: 700 pixels
    make about 1.5 MB, more than the site's usual 1 MiB form limit), made here."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + os.urandom(size * 3) for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b""))


def errors_of(page) -> list[str]:
    page.locator(".govuk-error-summary").wait_for()
    return page.locator(".govuk-error-summary__list li").all_inner_texts()


def banner(page) -> str:
    return page.locator(".govuk-notification-banner__heading").first.inner_text()


def records_create_and_edit(pages, web_url, slug, email, password, existing_email,
                            taken_case_number, client_type):
    """Create a record (its possible duplicates first), then change its case number, client
    type, status and details."""
    checked = pages()
    staff_login(checked, web_url, slug, email, password)
    page = checked.page
    seen: dict = {}

    page.get_by_role("link", name="New record").first.click()
    page.wait_for_url(f"{web_url}/staff/records/new")
    checked.axe()
    page.get_by_role("button", name="Create record").click()
    seen["empty"] = errors_of(page)
    checked.axe()

    # like an existing record: its possible duplicates, explained, and a way to open it
    page.get_by_label("First name").fill("Margerite")
    page.get_by_label("Last name").fill("Okonkwo")
    page.get_by_label("E-mail address (optional)").fill(existing_email)
    page.get_by_role("button", name="Create record").click()
    page.locator("#duplicates").wait_for()
    seen["duplicates"] = page.locator("#duplicate-list").inner_text()
    checked.axe()
    page.locator("#duplicate-list a").first.click()
    page.wait_for_url(f"{web_url}/staff/records/*")
    seen["opened_duplicate"] = page.locator("h1").inner_text()

    # a new person: no duplicates, created straight away
    page.goto(f"{web_url}/staff/records/new")
    page.get_by_label("First name").fill("Tobias")
    page.get_by_label("Last name").fill("Lindqvist-Abara")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("1990")
    page.get_by_role("button", name="Create record").click()
    seen["bad_date"] = errors_of(page)
    checked.axe()
    page.get_by_label("Day").fill("28")
    page.get_by_label("Phone number 1").fill("+44 20 7946 0123")
    page.get_by_role("button", name="Create record").click()
    page.wait_for_url(f"{web_url}/staff/records/*")
    record_id = page.url.rsplit("/", 1)[1]
    seen["created"] = banner(page)
    checked.axe()

    # case number: taken first (the error near the field), then a free one
    page.get_by_role("link", name="Change case number").click()
    checked.axe()
    page.get_by_label("Change the case number").fill(taken_case_number)
    page.get_by_role("button", name="Save case number").click()
    seen["taken"] = page.locator("#case_number-error").inner_text()
    checked.axe()
    page.get_by_label("Change the case number").fill("TL-2026-01")
    page.get_by_role("button", name="Save case number").click()
    page.wait_for_url(f"{web_url}/staff/records/{record_id}")
    seen["case_number"] = banner(page)

    page.get_by_role("link", name="Change client type").click()
    checked.axe()
    page.get_by_label(client_type).check()
    page.get_by_role("button", name="Save client type").click()
    page.wait_for_url(f"{web_url}/staff/records/{record_id}")

    page.get_by_role("link", name="Change record status").click()
    checked.axe()
    page.get_by_label("Inactive").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{web_url}/staff/records/{record_id}")
    seen["status"] = banner(page)

    page.get_by_role("link", name="Change e-mail").click()
    checked.axe()
    page.get_by_label("E-mail address (optional)").fill("not an address")
    page.get_by_label("Phone number 2").fill("12")
    page.get_by_role("button", name="Save details").click()
    seen["bad_details"] = errors_of(page)
    checked.axe()
    page.get_by_label("E-mail address (optional)").fill("tobias.lindqvist@example.org")
    page.get_by_label("Phone number 2").fill("07700 900123")
    page.get_by_label("Type of phone 2").select_option("work")
    page.get_by_role("button", name="Save details").click()
    page.wait_for_url(f"{web_url}/staff/records/{record_id}")
    seen["summary"] = page.locator("#record-summary").inner_text()
    return {"record_id": record_id, "seen": seen, "checked": checked.checked}


def records_organise(pages, web_url, slug, email, password, record_id, group, navigator_id,
                     name):
    """On the record page: the image, a group, a navigator, staff notes, the audit trail."""
    checked = pages()
    staff_login(checked, web_url, slug, email, password)
    page = checked.page
    seen: dict = {}
    page.goto(f"{web_url}/staff/records/{record_id}")

    # image: a file that is not an image is refused, then a PNG is shown
    page.get_by_role("link", name="Add an image").click()
    checked.axe()
    page.get_by_label("Upload an image").set_input_files(
        files=[{"name": "photo.png", "mimeType": "image/png", "buffer": b"not an image at all"}])
    page.get_by_role("button", name="Upload image").click()
    seen["bad_image"] = errors_of(page)
    checked.axe()
    page.get_by_label("Upload an image").set_input_files(
        files=[{"name": "photo.png", "mimeType": "image/png", "buffer": noisy_png(700)}])
    page.get_by_role("button", name="Upload image").click()
    page.wait_for_url(f"{web_url}/staff/records/{record_id}")
    image = page.get_by_role("img", name=f"Photo of {name}")
    image.wait_for()
    seen["image_width"] = page.evaluate("document.querySelector('#record-image img')"
                                        ".naturalWidth")

    # groups one by one
    page.get_by_label("Add to a group").select_option(label=group)
    page.get_by_role("button", name="Add to group").click()
    page.get_by_text(f"Added to {group}.").wait_for()
    seen["groups"] = page.locator("#group-list").inner_text()
    checked.axe()

    # navigators
    page.get_by_label("Assign a navigator").select_option(value=navigator_id)
    page.get_by_role("button", name="Assign", exact=True).click()
    page.locator("#navigator-list").wait_for()
    seen["navigators"] = page.locator("#navigator-list").inner_text()

    # notes: add two, then edit them
    page.get_by_label("Add a note").fill("Prefers calls after 4pm.")
    page.get_by_role("button", name="Add note").click()
    page.get_by_text("Note added.").wait_for()
    page.get_by_label("Add a note").fill("Brother is the emergency contact.")
    page.get_by_role("button", name="Add note").click()
    seen["notes"] = page.locator("#notes-text").inner_text()
    checked.axe()
    page.get_by_role("link", name="Edit or delete notes").click()
    checked.axe()
    page.get_by_label("Edit the staff notes").fill("Only this note is left.")
    page.get_by_role("button", name="Save notes").click()
    page.wait_for_url(f"{web_url}/staff/records/{record_id}#notes")
    seen["notes_after"] = page.locator("#notes-text").inner_text()
    seen["parts"] = page.locator("#record-parts a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")

    # the audit trail, paged
    page.get_by_role("link", name="Audit trail").click()
    page.locator("#audit").wait_for()
    checked.axe()
    seen["audit"] = page.locator("#audit tbody").inner_text()
    seen["audit_rows"] = page.locator("#audit tbody tr").count()
    if page.get_by_role("link", name="Older entries").count():
        page.get_by_role("link", name="Older entries").click()
        page.locator("#audit").wait_for()
        seen["audit_older"] = page.locator("#audit tbody tr").count()
        checked.axe()
    return {"record_id": record_id, "seen": seen, "checked": checked.checked}


def records_bulk_and_contacts(pages, web_url, slug, email, password, search, record_id,
                              contact_name):
    """Bulk add to a group from the search (with the keyboard), then contacts, search first."""
    checked = pages()
    staff_login(checked, web_url, slug, email, password)
    page = checked.page
    seen: dict = {}

    # bulk: select the results with the keyboard alone, add them to the group
    page.get_by_label("Name, case number, e-mail or phone").fill(search)
    page.keyboard.press("Enter")
    page.locator("#results").wait_for()
    checked.axe()
    boxes = page.locator("#results input[type=checkbox]")
    seen["listed"] = boxes.count()
    for index in range(boxes.count()):
        boxes.nth(index).focus()
        page.keyboard.press("Space")
    page.get_by_label("Add the selected records to a group").focus()
    page.keyboard.press("Tab")  # to the button
    page.keyboard.press("Enter")
    page.locator(".govuk-notification-banner--success").wait_for()
    seen["bulk"] = banner(page)
    checked.axe()
    page.get_by_role("button", name="Add selected to group").click()  # nothing selected
    seen["bulk_empty"] = banner(page)

    # contacts: search first, pick the existing one
    page.goto(f"{web_url}/staff/records/{record_id}")
    page.get_by_role("link", name="Add a contact").click()
    checked.axe()
    page.get_by_label("Name, organisation, e-mail or phone of the contact").fill(
        contact_name.split()[-1])
    page.get_by_role("button", name="Search contacts").click()
    page.locator("#contact-results").wait_for()
    checked.axe()
    page.get_by_role("link", name=f"Choose {contact_name}").click()
    checked.axe()
    page.get_by_role("button", name="Add contact").click()
    seen["link_empty"] = errors_of(page)
    checked.axe()
    page.get_by_label("Emergency").check()
    page.get_by_label("Next of kin").check()
    page.get_by_label("Relationship").fill("Aunt")
    page.get_by_role("button", name="Add contact").click()
    page.wait_for_url(f"{web_url}/staff/records/{record_id}#contacts")
    # not found: a new contact, then linked
    page.get_by_role("link", name="Add a contact").click()
    page.get_by_label("Name, organisation, e-mail or phone of the contact").fill(
        "Featherstonehaugh")
    page.get_by_role("button", name="Search contacts").click()
    seen["not_found"] = page.locator("#contact-results").inner_text()
    page.get_by_role("link", name="Create a new contact").click()
    checked.axe()
    page.get_by_label("Last name").fill("")
    page.get_by_role("button", name="Create contact").click()
    seen["contact_empty"] = errors_of(page)
    checked.axe()
    page.get_by_label("First name (optional)").fill("Rupert")
    page.get_by_label("Last name").fill("Featherstonehaugh")
    page.get_by_label("Organisation (optional)").fill("Northside Housing")
    page.get_by_role("button", name="Create contact").click()
    page.wait_for_url(f"{web_url}/staff/records/{record_id}/contacts/link/*")
    page.get_by_label("Professional").check()
    page.get_by_label("Relationship").fill("Housing officer")
    page.get_by_label("Organisation reference (optional)").fill("NH-7781")
    page.get_by_role("button", name="Add contact").click()
    page.wait_for_url(f"{web_url}/staff/records/{record_id}#contacts")
    seen["contacts"] = page.locator("#contact-list").inner_text()
    checked.axe()
    page.get_by_role("button", name=f"Remove {contact_name}").click()
    page.get_by_text("stays in the agency's contacts").wait_for()
    seen["contacts_after"] = page.locator("#contact-list").inner_text()
    return {"seen": seen, "checked": checked.checked}


def records_invite_ban_delete(pages, web_url, slug, email, password, record_id, paid_record_id,
                              other_agency_record):
    """The invitation and its resend, a ban from the portal, delete (refused with payments,
    confirmation needed, with the keyboard), restore; another agency's record is a 404 page."""
    checked = pages()
    staff_login(checked, web_url, slug, email, password)
    page = checked.page
    seen: dict = {}
    # at 320 CSS pixels nothing scrolls sideways: the record page and the search results
    page.set_viewport_size({"width": 320, "height": 640})
    seen["narrow"] = {}
    for path in (f"/staff/records/{record_id}", "/staff/?q=a"):
        page.goto(web_url + path)
        seen["narrow"][path] = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{web_url}/staff/records/{record_id}")

    # the invitation, then its resend
    page.get_by_label("The e-mail address is right").check()
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_text("Invitation sent to").wait_for()
    page.get_by_role("button", name="Resend invitation").click()
    page.get_by_text("Invitation sent again to").wait_for()
    seen["resent"] = banner(page)
    seen["invitation"] = page.locator("#invitation-state").inner_text()
    checked.axe()

    # the record with payments: its portal status, then deletion refused
    page.goto(f"{web_url}/staff/records/{paid_record_id}")
    page.get_by_role("link", name="Change portal status").click()
    checked.axe()
    page.get_by_label("Banned").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{web_url}/staff/records/{paid_record_id}")
    seen["banned"] = banner(page)
    page.get_by_role("link", name="Delete this record").click()
    page.get_by_label("Yes, delete this record").check()
    page.get_by_role("button", name="Delete record").click()
    seen["refused"] = errors_of(page)
    checked.axe()

    # delete with the keyboard: the confirmation is needed first
    page.goto(f"{web_url}/staff/records/{record_id}")
    page.get_by_role("link", name="Delete this record").click()
    checked.axe()
    page.get_by_role("button", name="Delete record").focus()
    page.keyboard.press("Enter")
    seen["unconfirmed"] = errors_of(page)
    checked.axe()
    page.get_by_label("Yes, delete this record").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Delete record").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{web_url}/staff/")
    seen["deleted"] = banner(page)
    page.goto(f"{web_url}/staff/records/{record_id}")
    seen["deleted_page"] = page.locator("h1").inner_text()

    page.goto(f"{web_url}/staff/")
    page.get_by_role("link", name="Deleted records").click()
    page.locator("#deleted-records").wait_for()
    seen["deleted_list"] = page.locator("#deleted-records tbody").inner_text()
    checked.axe()
    page.locator("#deleted-records tbody tr").first.get_by_role("button").click()
    page.wait_for_url(f"{web_url}/staff/records/{record_id}")
    seen["restored"] = banner(page)

    # another agency's record
    answer = page.goto(f"{web_url}/staff/records/{other_agency_record}")
    seen["other_status"] = answer.status
    seen["other_title"] = page.locator("h1").inner_text()
    checked.axe()
    answer = page.goto(f"{web_url}/staff/records/{other_agency_record}/case-number")
    seen["other_form_status"] = answer.status
    return {"seen": seen, "checked": checked.checked}
