"""A new user needs nothing but the repository (issue 14, point 6): README and docs/ point to
nothing outside it, every relative link resolves, and what they list is what the code has:
every setting casework/config.py reads, every route of the gateway, every stable error code and
every declared event."""

from __future__ import annotations

import re
from pathlib import Path

import casework.errors
from casework.events import all_declared
from gateway import service  # noqa: F401  (registers every route)
from gateway.routing import ROUTES
from gateway.web import REFUSALS

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [ROOT / "README.md", *DOCS]
TEXT = {page: page.read_text() for page in PAGES}
API = (ROOT / "docs" / "API.md").read_text()
EVENTS = (ROOT / "docs" / "EVENTS.md").read_text()


def test_the_docs_point_to_nothing_outside_the_repository():
    for page, text in TEXT.items():
        for outside in ("../shared", "shared/spec", "/work/"):
            assert outside not in text, f"{page.name} refers to {outside}"


def test_every_relative_link_resolves():
    for page, text in TEXT.items():
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            path = (page.parent / target.split("#")[0]).resolve()
            assert path.exists(), f"{page.name} links {target}, which does not exist"
    readme = TEXT[ROOT / "README.md"]
    for doc in ("docs/API.md", "docs/EVENTS.md", "docs/QUALITY.md"):
        assert f"]({doc})" in readme, f"README does not link {doc}"


def test_every_setting_read_in_config_is_documented():
    source = (ROOT / "casework" / "config.py").read_text()
    names = set(re.findall(r"CASEWORK_[A-Z_<>]*[A-Z>]", source))
    assert len(names) >= 20, names
    documented = "\n".join(TEXT.values())
    missing = sorted(name for name in names if f"`{name}`" not in documented)
    assert not missing, f"settings read in casework/config.py but not documented: {missing}"


def test_docs_api_lists_every_route_and_only_routes_that_exist():
    routes = {f"{route.method} {route.openapi_path}" for route in ROUTES}
    listed = set(re.findall(r"`((?:GET|POST|PUT|PATCH|DELETE) /[^`\s]*)`", API))
    assert not routes - listed, f"routes missing from docs/API.md: {sorted(routes - listed)}"
    assert not listed - routes, f"docs/API.md lists routes that do not exist: "\
                                f"{sorted(listed - routes)}"


def test_docs_api_lists_every_stable_error_code():
    codes = set(casework.errors._registry) | {code for code, _, _ in REFUSALS.values()}
    codes |= {"method_not_allowed", "internal_error"}
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| (\d{3}) \|", API, re.MULTILINE))
    assert not codes - set(rows), f"error codes missing from docs/API.md: {codes - set(rows)}"
    for code, cls in casework.errors._registry.items():
        assert rows[code] == str(cls.status), (code, rows[code], cls.status)


def test_docs_events_lists_every_declared_event_with_its_fields():
    rows = {(source, name): fields for source, name, fields in re.findall(
        r"^\| `([a-z_]+)\.events` \| `([a-z_]+)` \| \d+ \| ([^\n]*)$", EVENTS, re.MULTILINE)}
    for (source, name, _version), schema in all_declared().items():
        assert (source, name) in rows, f"{source}.{name} is not in docs/EVENTS.md"
        fields = rows[(source, name)]
        if fields.startswith("as `"):
            fields = rows[(source, fields.split("`")[1])]
        for field in schema.fields:
            assert f"`{field}`" in fields, (source, name, field)
