"""The agency administration in the browser (part admin, /staff/admin): what an administrator
does step by step, for tests/web/test_admin.py. Every page and state is checked with axe."""

from __future__ import annotations

from tests.web.flows import staff_login


def _flash(page) -> str:
    return page.locator(".govuk-notification-banner__heading").first.inner_text()


def _press(page, name: str, **options) -> None:
    """Clicks the button ``name`` and waits for the page that follows (often at the same
    address, with the previous page's banner or error summary)."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, **options).click()


def _follow(page, name: str) -> None:
    """Follows the link ``name`` and waits for its page."""
    with page.expect_navigation():
        page.get_by_role("link", name=name).click()


def _errors(page) -> str:
    return page.locator(".govuk-error-summary").inner_text()


def admin_roles(pages, web_url, slug, email, password, suffix):
    """Roles: create (an empty name, then a duplicate name), change name and permissions,
    delete an unused one; the built-in administrator role is neither deleted nor stripped of
    agency_admin."""
    checked = pages()
    page = checked.page
    staff_login(checked, web_url, slug, email, password)
    out = {}
    _follow(page, "Administration")
    page.wait_for_url(f"{web_url}/staff/admin")
    out["overview"] = page.locator("main").inner_text()
    checked.axe()

    # roles: create one, with an empty name first
    _follow(page, "Roles")
    checked.axe()
    _follow(page, "Create a role")
    _press(page, "Create role")
    out["empty_role"] = _errors(page)
    checked.axe()
    page.get_by_label("Role name").fill(f"Caseworkers {suffix}")
    page.get_by_label("Manage groups").check()
    page.get_by_label("View the audit trail").check()
    _press(page, "Create role")
    page.wait_for_url(f"{web_url}/staff/admin/roles")
    out["role_created"] = _flash(page)
    checked.axe()
    # the same name as the built-in Staff role
    _follow(page, "Create a role")
    page.get_by_label("Role name").fill("Staff")
    _press(page, "Create role")
    out["duplicate_role"] = _errors(page)
    checked.axe()
    page.goto(f"{web_url}/staff/admin/roles/new")
    page.get_by_label("Role name").fill(f"Volunteers {suffix}")
    _press(page, "Create role")
    page.wait_for_url(f"{web_url}/staff/admin/roles")
    # change the new role's name and permissions
    _follow(page, f"Caseworkers {suffix}")
    checked.axe()
    page.get_by_label("Role name").fill(f"Case workers {suffix}")
    page.get_by_label("View the audit trail").uncheck()
    page.get_by_label("Change case numbers").check()
    _press(page, "Save role")
    page.wait_for_url(f"{web_url}/staff/admin/roles")
    out["role_saved"] = _flash(page)
    out["roles_table"] = page.locator("#roles-table").inner_text()
    # delete the unused role
    _follow(page, f"Volunteers {suffix}")
    _press(page, f"Delete role Volunteers {suffix}")
    page.wait_for_url(f"{web_url}/staff/admin/roles")
    out["role_deleted"] = _flash(page)
    out["checked"] = checked.checked
    return out


def admin_builtin_role(pages, web_url, slug, email, password):
    """The built-in administrator role is neither deleted nor stripped of agency_admin."""
    checked = pages()
    page = checked.page
    staff_login(checked, web_url, slug, email, password)
    out = {}
    page.goto(f"{web_url}/staff/admin/roles")
    _follow(page, "Agency Administrator")
    _press(page, "Delete role Agency Administrator")
    out["admin_role_delete"] = _errors(page)
    checked.axe()
    page.goto(page.url.rsplit("/delete", 1)[0])
    page.get_by_label("Agency administration").uncheck()
    _press(page, "Save role")
    out["admin_role_strip"] = _errors(page)
    checked.axe()

    out["checked"] = checked.checked
    return out


def admin_staff(pages, web_url, slug, email, password, suffix, staff_email):
    """Staff members: add one (a short password, then an e-mail already taken)."""
    checked = pages()
    page = checked.page
    staff_login(checked, web_url, slug, email, password)
    out = {}
    # staff: add one, with a short password first, then an e-mail already taken
    _follow(page, "Administration")
    out["overview"] = page.locator("main").inner_text()
    checked.axe()
    _follow(page, "Staff members")
    checked.axe()
    _follow(page, "Add a staff member")
    checked.axe()
    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("Last name").fill(f"Lind {suffix}")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Role").select_option(label=f"Case workers {suffix}")
    page.get_by_label("Temporary password").fill("short")
    page.get_by_label("Clients may start a conversation").uncheck()
    _press(page, "Add staff member")
    out["short_password"] = _errors(page)
    checked.axe()
    page.get_by_label("Temporary password").fill("a temporary passphrase")
    _press(page, "Add staff member")
    out["duplicate_email"] = _errors(page)
    checked.axe()
    page.get_by_label("E-mail address").fill(staff_email)
    page.get_by_label("Temporary password").fill("a temporary passphrase")
    _press(page, "Add staff member")
    page.wait_for_url(f"{web_url}/staff/admin/staff")
    out["staff_added"] = _flash(page)
    out["staff_table"] = page.locator("#staff-table").inner_text()
    checked.axe()

    out["checked"] = checked.checked
    return out


def admin_staff_changes(pages, web_url, slug, email, password, plain_email, plain_password, suffix):
    """Her role cannot be deleted; change her role and client contact, deactivate her; an
    unknown id is the 404 page; a staff member without agency_admin has no menu entry and
    gets the 403 page."""
    checked = pages()
    page = checked.page
    staff_login(checked, web_url, slug, email, password)
    out = {}
    # the role she has cannot be deleted
    page.goto(f"{web_url}/staff/admin/roles")
    _follow(page, f"Case workers {suffix}")
    _press(page, f"Delete role Case workers {suffix}")
    out["role_in_use"] = _errors(page)
    checked.axe()

    # change her role and client contact, then deactivate her
    page.goto(f"{web_url}/staff/admin/staff")
    _follow(page, f"Rosa Lind {suffix}")
    checked.axe()
    page.get_by_label("Role").select_option(label="Staff")
    page.get_by_label("Clients may start a conversation").check()
    _press(page, "Save changes")
    out["staff_saved"] = _flash(page)
    _press(page, f"Deactivate Rosa Lind {suffix}")
    out["deactivated"] = _flash(page)
    out["heading"] = page.locator("h1").inner_text()
    checked.axe()
    # an id that is no staff member of this agency
    page.goto(f"{web_url}/staff/admin/staff/00000000-0000-4000-8000-000000000000")
    out["unknown_user"] = page.locator("h1").inner_text()
    checked.axe()

    # a staff member without agency_admin
    plain = pages()
    staff_login(plain, web_url, slug, plain_email, plain_password)
    out["plain_menu"] = plain.page.locator("#navigation").inner_text()
    response = plain.page.goto(f"{web_url}/staff/admin")
    out["plain_status"] = response.status
    out["plain_page"] = plain.page.locator("h1").inner_text()
    plain.axe()
    response = plain.page.goto(f"{web_url}/staff/admin/roles")
    out["plain_roles_status"] = response.status
    out["checked"] = checked.checked + plain.checked
    return out




def admin_catalogues(pages, web_url, slug, email, password, suffix):
    """Client types (add, duplicate, rename, delete one in use: made inactive; delete an unused
    one), a warning indicator (a wrong colour, then made inactive), groups (add, rename,
    delete)."""
    checked = pages()
    page = checked.page
    staff_login(checked, web_url, slug, email, password)
    out = {}
    page.goto(f"{web_url}/staff/admin")
    _follow(page, "Client types")
    checked.axe()
    for name in (f"Family {suffix}", f"Temporary {suffix}"):
        page.get_by_label("Name").fill(name)
        _press(page, "Add client type")
        page.wait_for_url(f"{web_url}/staff/admin/client-types")
    out["type_added"] = _flash(page)
    page.get_by_label("Name").fill(f"Family {suffix}")
    _press(page, "Add client type")
    out["duplicate_type"] = _errors(page)
    checked.axe()
    _follow(page, f"Family {suffix}")
    checked.axe()
    page.get_by_label("Name").fill(f"Household {suffix}")
    _press(page, "Save changes")
    page.wait_for_url(f"{web_url}/staff/admin/client-types")
    _follow(page, f"Used {suffix}")
    _press(page, f"Delete client type Used {suffix}")
    page.wait_for_url(f"{web_url}/staff/admin/client-types")
    out["type_in_use"] = _flash(page)
    checked.axe()
    _follow(page, f"Temporary {suffix}")
    _press(page, f"Delete client type Temporary {suffix}")
    page.wait_for_url(f"{web_url}/staff/admin/client-types")
    out["type_deleted"] = _flash(page)
    out["types_table"] = page.locator("#catalogue-table").inner_text()

    out["checked"] = checked.checked
    return out


def admin_indicators_and_groups(pages, web_url, slug, email, password, suffix):
    """A warning indicator (a wrong colour, then made inactive); groups (add, rename, delete)."""
    checked = pages()
    page = checked.page
    staff_login(checked, web_url, slug, email, password)
    out = {}
    # a warning indicator
    page.goto(f"{web_url}/staff/admin")
    _follow(page, "Warning indicators")
    checked.axe()
    page.get_by_label("Name").fill(f"Lone working {suffix}")
    page.get_by_label("Description (optional)").fill("Visit in pairs")
    page.get_by_label("Colour (optional)").fill("red")
    _press(page, "Add warning indicator")
    out["bad_colour"] = _errors(page)
    checked.axe()
    page.get_by_label("Colour (optional)").fill("#C0392B")
    _press(page, "Add warning indicator")
    page.wait_for_url(f"{web_url}/staff/admin/warning-indicators")
    _follow(page, f"Lone working {suffix}")
    page.get_by_label("Inactive").check()
    checked.axe()
    _press(page, "Save changes")
    page.wait_for_url(f"{web_url}/staff/admin/warning-indicators")
    out["indicators_table"] = page.locator("#catalogue-table").inner_text()
    checked.axe()

    # groups
    page.goto(f"{web_url}/staff/admin/groups")
    checked.axe()
    page.get_by_label("Name").fill(f"Evening group {suffix}")
    page.get_by_label("Description (optional)").fill("Meets on Tuesdays")
    _press(page, "Add group")
    page.wait_for_url(f"{web_url}/staff/admin/groups")
    _follow(page, f"Evening group {suffix}")
    page.get_by_label("Name").fill(f"Tuesday group {suffix}")
    _press(page, "Save changes")
    page.wait_for_url(f"{web_url}/staff/admin/groups")
    _follow(page, f"Old group {suffix}")
    out["member_count"] = page.locator("#member-count").inner_text()
    checked.axe()
    _press(page, f"Delete group Old group {suffix}")
    page.wait_for_url(f"{web_url}/staff/admin/groups")
    out["group_deleted"] = _flash(page)
    out["groups_table"] = page.locator("#catalogue-table").inner_text()
    checked.axe()

    out["checked"] = checked.checked
    return out


def admin_settings(pages, web_url, slug, email, password, suffix):
    """The portal and agency settings: a wrong number of hours, then saved."""
    checked = pages()
    page = checked.page
    staff_login(checked, web_url, slug, email, password)
    out = {}
    page.goto(f"{web_url}/staff/admin")
    _follow(page, "Portal and agency settings")
    checked.axe()
    page.get_by_label("How long an invitation link works").fill("0")
    _press(page, "Save settings")
    out["bad_hours"] = _errors(page)
    checked.axe()
    page.get_by_label("How long an invitation link works").fill("48")
    page.get_by_label("Messages", exact=True).uncheck()
    page.get_by_label("Sessions", exact=True).check()
    page.get_by_label("Send no e-mail notifications about closed records").check()
    page.get_by_label("Time zone").select_option("Europe/Madrid")
    page.get_by_label("Sender name of e-mails").fill(f"Front desk {suffix}")
    _press(page, "Save settings")
    page.wait_for_url(f"{web_url}/staff/admin/settings")
    out["settings_saved"] = _flash(page)
    checked.axe()
    out["checked"] = checked.checked
    return out


def admin_link_and_requests(pages, web_url, slug, email, password, link_url, jo, nina, rex):
    """The requests to join: Jo accepted onto her existing record (a certain duplicate, its
    reasons shown), Nina accepted as a new record, Rex rejected with the keyboard alone; then
    the global invitation link: shown, copied, replaced, disabled and made again."""
    checked = pages(permissions=["clipboard-read", "clipboard-write"])
    page = checked.page
    staff_login(checked, web_url, slug, email, password)
    out = {}
    page.goto(f"{web_url}/staff/admin")
    out["pending_count"] = page.locator("#pending-count").inner_text()
    _follow(page, "Requests to join")
    checked.axe()
    jo_section = page.locator("section", has=page.get_by_role("heading", name=jo))
    out["jo_duplicates"] = jo_section.locator("table").inner_text()
    out["jo_choice"] = jo_section.locator("input[type=radio]:checked").get_attribute("value")
    out["nina_text"] = page.locator("section", has=page.get_by_role("heading", name=nina)) \
        .inner_text()
    _press(page, f"Accept {jo}")
    page.wait_for_url(f"{web_url}/staff/admin/enrollment-requests")
    out["jo_accepted"] = _flash(page)
    checked.axe()
    nina_section = page.locator("section", has=page.get_by_role("heading", name=nina))
    out["nina_choice"] = nina_section.locator("input[type=radio]:checked").get_attribute("value")
    _press(page, f"Accept {nina}")
    page.wait_for_url(f"{web_url}/staff/admin/enrollment-requests")
    out["nina_accepted"] = _flash(page)

    # Rex: with the keyboard alone, from his choice of a new record to the Reject button
    rex_section = page.locator("section", has=page.get_by_role("heading", name=rex))
    rex_section.locator("input[value=new]").focus()
    pressed = []
    for _ in range(4):
        page.keyboard.press("Tab")
        pressed.append(page.evaluate("document.activeElement.textContent.trim()"))
        if pressed[-1] == f"Reject {rex}":
            break
    out["tabbed"] = pressed
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(f"{web_url}/staff/admin/enrollment-requests")
    out["rex_rejected"] = _flash(page)
    out["pending_after"] = page.locator("#no-requests").inner_text()
    checked.axe()
    _follow(page, "Accepted")
    out["accepted_list"] = page.locator("main").inner_text()
    checked.axe()
    _follow(page, "Rejected")
    out["rejected_list"] = page.locator("main").inner_text()

    # the global invitation link
    page.goto(f"{web_url}/staff/admin/invitation-link")
    out["shown"] = page.get_by_label("Link to share").input_value()
    page.get_by_role("button", name="Copy link").click()
    page.locator(".casework-copied").filter(has_text="opied").or_(
        page.locator(".casework-copied").filter(has_text="Select")).wait_for()
    out["copied"] = page.locator(".casework-copied").inner_text()
    checked.axe()
    _press(page, "Replace with a new link")
    page.wait_for_url(f"{web_url}/staff/admin/invitation-link")
    out["replaced"] = _flash(page)
    out["new_link"] = page.get_by_label("Link to share").input_value()
    checked.axe()
    _press(page, "Disable link")
    out["disabled"] = _flash(page)
    out["no_link"] = page.locator("#no-link").inner_text()
    checked.axe()
    _press(page, "Create a link")
    out["created"] = page.get_by_label("Link to share").input_value()
    out["past"] = page.locator("#past-links").inner_text()
    checked.axe()
    out["checked"] = checked.checked
    return out


def admin_screenshots(pages, web_url, slug, email, password, folder):
    """Screenshots of the main pages for docs/screenshots (run by hand, never by the tests)."""
    checked = pages(viewport={"width": 1280, "height": 900})
    page = checked.page
    staff_login(checked, web_url, slug, email, password)
    for name, path in (("overview", ""), ("roles", "/roles"),
                       ("enrollment", "/enrollment-requests")):
        page.goto(f"{web_url}/staff/admin{path}")
        page.screenshot(path=f"{folder}/admin-{name}.png", full_page=True)
    return {}
