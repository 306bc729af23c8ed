"""The crawl of tests/web/test_crawl.py: every page a signed-in person reaches by following
links, each checked by axe, for its status and for sideways scrolling at 320 px."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from tests.web.flows import portal_login, staff_login

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SKIPPED = ("/logout", "/static/", "/api/", "/image", "/download", "/documents/")
PER_SHAPE = 1  # pages of one shape (ids replaced) visited at most


def shape(path: str) -> str:
    return UUID.sub("{id}", path)


def crawl(checked, web_url: str, starts: list[str], prefix: str, limit: int) -> dict:
    """Breadth first from ``starts`` over the links of this site under ``prefix``; answers
    ``{visited: {url: status}, wide: {url: scroll width at 320 px}, shapes: [...]}``."""
    page = checked.page
    narrow = checked.narrow
    queue, seen, visited, wide, shapes = list(starts), set(starts), {}, {}, {}
    while queue and len(visited) < limit:
        url = queue.pop(0)
        response = page.goto(url)
        visited[url] = response.status if response else None
        checked.axe()
        narrow.goto(url)
        width = narrow.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            wide[url] = width
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            target = urljoin(page.url, href).split("#")[0]
            parts = urlsplit(target)
            if not target.startswith(web_url) or not parts.path.startswith(prefix) \
                    or any(part in parts.path for part in SKIPPED):
                continue
            kind = shape(parts.path)
            if target in seen or shapes.get(kind, 0) >= PER_SHAPE:
                continue
            shapes[kind] = shapes.get(kind, 0) + 1
            seen.add(target)
            queue.append(target)
    return {"visited": visited, "wide": wide, "shapes": sorted(shapes), "left": queue}


def crawl_staff(pages, web_url, slug, email, password, search, limit=120):
    """From the console's home and a search's results (the way to every record)."""
    checked = pages()
    narrow = pages(viewport={"width": 320, "height": 640})
    for one in (checked, narrow):
        staff_login(one, web_url, slug, email, password)
    checked.narrow = narrow.page
    from urllib.parse import quote

    return crawl(checked, web_url, [f"{web_url}/staff/", f"{web_url}/staff/?q={quote(search)}"],
                 "/staff/", limit)


def crawl_portal(pages, web_url, username, password, limit=80, locale="en"):
    checked = pages()
    narrow_checked = pages(viewport={"width": 320, "height": 640})
    for one in (checked, narrow_checked):
        portal_login(one, web_url, username, password)
        if locale != "en":
            one.page.get_by_label("Language").select_option(locale)
            one.page.get_by_role("button", name="Change language").click()
            one.page.wait_for_url(f"{web_url}/portal/")
    checked.narrow = narrow_checked.page
    return crawl(checked, web_url, [f"{web_url}/portal/"], "/portal/", limit)
