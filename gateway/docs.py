"""A page to explore the API (Swagger UI) from this gateway's OpenAPI document, with Swagger
UI's files from the pinned ``swagger-ui-bundle`` package: nothing is loaded from another
origin (the Content-Security-Policy says so to the browser too)."""

from __future__ import annotations

from functools import cache

from swagger_ui_bundle import swagger_ui_path

DOCS = "/api/v1/docs"
DOCUMENT = "/api/v1/openapi.json"

# the files of the package the page uses, with their media types
ASSETS = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "index.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
    "oauth2-redirect.html": "text/html; charset=utf-8",
}
INITIALIZER = "casework-initializer.js"

PAGE = f"""<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>Casework API</title>
    <link rel="stylesheet" type="text/css" href="{DOCS}/swagger-ui.css">
    <link rel="stylesheet" type="text/css" href="{DOCS}/index.css">
    <link rel="icon" type="image/png" href="{DOCS}/favicon-32x32.png" sizes="32x32">
    <link rel="icon" type="image/png" href="{DOCS}/favicon-16x16.png" sizes="16x16">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="{DOCS}/swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="{DOCS}/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
    <script src="{DOCS}/{INITIALIZER}" charset="UTF-8"></script>
  </body>
</html>
"""

# validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io
INITIALIZER_JS = f"""window.onload = function () {{
  window.ui = SwaggerUIBundle({{
    url: "{DOCUMENT}",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    oauth2RedirectUrl: window.location.origin + "{DOCS}/oauth2-redirect.html",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout"
  }});
}};
"""

# Swagger UI sets inline styles; everything else comes from this origin only
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; "
                           "style-src 'self' 'unsafe-inline'; script-src 'self'; "
                           "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                           "form-action 'self'")
HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY,
           "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def asset(name: str) -> tuple[bytes, str] | None:
    """The bytes and media type of one of the page's files, or None for any other name."""
    if name == INITIALIZER:
        return INITIALIZER_JS.encode(), "text/javascript; charset=utf-8"
    if name not in ASSETS:
        return None
    return _packaged(name), ASSETS[name]


@cache
def _packaged(name: str) -> bytes:
    return (swagger_ui_path / name).read_bytes()
