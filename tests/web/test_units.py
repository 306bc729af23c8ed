"""The web front end's parts that need no browser: safe redirects, the vendored GOV.UK Frontend
(its checksums, and none of GOV.UK's typeface or crown), the Spanish catalogue complete and
compiled, and the settings."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web"
VENDOR = WEB / "static" / "vendor" / "govuk-frontend"
TRANSLATIONS = WEB / "translations"


@pytest.mark.parametrize("target,expected", [
    ("/staff/records/1?x=2", "/staff/records/1?x=2"),
    ("//evil.example/staff/", None),
    ("https://evil.example/staff/", None),
    ("/\\evil.example", None),
    ("/portal/", None),  # the staff console sends back to the staff console only
    ("", None),
    (None, None),
])
def test_redirects_after_sign_in_stay_on_the_site(target, expected):
    from web.common import local_path

    assert local_path(target, "/staff/") == expected


def test_the_vendored_files_are_what_vendor_md_says():
    listed = dict(re.findall(r"\| `([^`]+)` \| `([0-9a-f]{64})` \|",
                             (VENDOR / "VENDOR.md").read_text()))
    assert set(listed) == {"govuk-frontend.min.css", "govuk-frontend.min.js", "LICENCE.txt"}
    for name, digest in listed.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    assert "# GOV.UK Frontend 6.6.0" in (VENDOR / "VENDOR.md").read_text()
    assert "MIT License" in (VENDOR / "LICENCE.txt").read_text()


def test_no_govuk_typeface_crown_or_logotype_is_shipped():
    css = (VENDOR / "govuk-frontend.min.css").read_text()
    assert "GDS Transport" not in css and "/assets/" not in css and "@font-face" not in css
    assert "system-ui" in css
    shipped = {p.name for p in VENDOR.iterdir()}
    assert not {n for n in shipped if n.endswith((".woff", ".woff2", ".svg", ".png", ".ico"))}


def test_the_compressed_copies_match_their_files():
    import gzip

    for name in ("govuk-frontend.min.css", "govuk-frontend.min.js"):
        assert gzip.decompress((VENDOR / f"{name}.gz").read_bytes()) == \
            (VENDOR / name).read_bytes()


def test_every_portal_text_has_its_spanish_and_the_catalogue_is_compiled():
    from babel.messages.mofile import read_mo, write_mo
    from babel.messages.pofile import read_po

    with open(TRANSLATIONS / "messages.pot", "rb") as stream:
        template = read_po(stream)
    with open(TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po", "rb") as stream:
        spanish = read_po(stream, locale="es")
    wanted = {m.id for m in template if m.id}
    have = {m.id: m.string for m in spanish if m.id}
    assert wanted <= set(have), wanted - set(have)
    assert all(have[m] for m in wanted), [m for m in wanted if not have[m]]
    compiled = io.BytesIO()
    write_mo(compiled, spanish)
    with open(TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.mo", "rb") as stream:
        shipped = read_mo(stream)
    assert {m.id: m.string for m in shipped if m.id} == {k: v for k, v in have.items()}


def test_the_spanish_table_translates_every_extracted_text():
    from babel.messages.pofile import read_po

    from web.translations.spanish import catalogue

    spanish = catalogue()
    with open(TRANSLATIONS / "messages.pot", "rb") as stream:
        template = read_po(stream)
    assert not [m.id for m in template if m.id and m.id not in spanish]


def test_web_settings_refuse_the_placeholder_key_in_production(monkeypatch):
    from casework.config import Settings

    monkeypatch.setenv("CASEWORK_ENV", "production")
    monkeypatch.setenv("CASEWORK_OPERATOR_TOKEN", "a real operator secret")
    monkeypatch.setenv("CASEWORK_CALLER_SIGNING_KEY", "a real signing secret")
    settings = Settings()  # the services need no web key
    with pytest.raises(RuntimeError, match="CASEWORK_WEB_SECRET_KEY"):
        settings.web.check(settings.environment)
    monkeypatch.setenv("CASEWORK_WEB_SECRET_KEY", "a real web secret")
    settings = Settings()
    settings.web.check(settings.environment)
    assert settings.web.secure_cookies is True  # HTTPS-only cookies in production
    assert "a real web secret" not in repr(settings.web)


def test_run_trusts_the_web_process_address_for_forwarded_logins():
    from casework.cli import web_environment

    assert web_environment({})["CASEWORK_TRUSTED_PROXIES"] == "127.0.0.1"
    assert web_environment({"CASEWORK_TRUSTED_PROXIES": "10.0.0.5"})[
        "CASEWORK_TRUSTED_PROXIES"] == "10.0.0.5,127.0.0.1"
    remote = {"CASEWORK_WEB_GATEWAY_URL": "http://gateway.internal:8001"}
    assert "CASEWORK_TRUSTED_PROXIES" not in web_environment(remote)
