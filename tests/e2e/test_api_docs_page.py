"""The gateway serves a page to explore the API (Swagger UI) from its own OpenAPI document, with
every file from the pinned swagger-ui-bundle package on the same origin: no CDN."""

from __future__ import annotations

from html.parser import HTMLParser

import requests
from swagger_ui_bundle import swagger_ui_path

DOCS = "/api/v1/docs"


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.links += [value for name, value in attrs if name in ("src", "href") and value]


def test_the_api_page_loads_its_files_from_the_gateway_only(gateway_url):
    page = requests.get(f"{gateway_url}{DOCS}", timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "connect-src 'self'" in policy
    parser = Links()
    parser.feed(page.text)
    assert len(parser.links) >= 5, parser.links
    for link in parser.links:
        # same origin: a path on this gateway, never another host (nor //host/...)
        assert link.startswith("/") and not link.startswith("//"), link
        asset = requests.get(f"{gateway_url}{link}", timeout=10)
        assert asset.status_code == 200, link
        assert asset.content, link
        expected = {".css": "text/css", ".js": "text/javascript", ".png": "image/png"}
        suffix = link[link.rindex("."):]
        assert asset.headers["Content-Type"].startswith(expected[suffix]), (link, asset.headers)
        packaged = swagger_ui_path / link.rsplit("/", 1)[1]
        if packaged.exists():  # Swagger UI's own files are the package's, byte for byte
            assert asset.content == packaged.read_bytes(), link
    script = "".join(parser.links)
    assert "swagger-ui-bundle.js" in script and "swagger-ui.css" in script

    # the page's own script points Swagger UI at this gateway's document, and at no validator
    initializer = [link for link in parser.links if "initializer" in link]
    (initializer,) = initializer
    code = requests.get(f"{gateway_url}{initializer}", timeout=10).text
    assert 'url: "/api/v1/openapi.json"' in code
    assert "validatorUrl: null" in code
    assert "http" not in code.replace("window.location.origin", "")
    assert requests.get(f"{gateway_url}/api/v1/openapi.json", timeout=10).status_code == 200


def test_the_api_page_serves_nothing_but_its_files(gateway_url):
    for name in ("index.j2", "nothing.js", "..%2F..%2Fpyproject.toml", "__init__.py",
                 "swagger-ui-bundle.js.map"):
        answer = requests.get(f"{gateway_url}{DOCS}/{name}", timeout=10)
        assert answer.status_code == 404, name
        assert answer.headers["Content-Type"] == "application/problem+json"
