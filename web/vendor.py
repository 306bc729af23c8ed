"""Rebuild web/static/vendor/govuk-frontend/ from GOV.UK Frontend's npm package.

    npm pack govuk-frontend@6.6.0            # the package's tarball, from the npm registry
    .venv/bin/python -m web.vendor govuk-frontend-6.6.0.tgz

Takes ``dist/govuk/govuk-frontend.min.css`` and ``.min.js`` and the licence, and writes them with
VENDOR.md (version, SHA-256 of the tarball and of each file). The CSS is changed in exactly two
ways, because GOV.UK's typeface and crown are not ours to use: the ``@font-face`` rules of "GDS
Transport" are dropped and the font stack becomes the system's; the crown image (footer
copyright logo) is no longer referenced. Each file is also stored gzip-compressed (``.gz``), and
the web process serves that to browsers that accept it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import sys
import tarfile
from pathlib import Path

TARGET = Path(__file__).resolve().parent / "static" / "vendor" / "govuk-frontend"
SYSTEM_FONTS = ('system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue","Noto Sans",'
                '"Liberation Sans",Arial,sans-serif')
LICENCE = """The MIT License (MIT)

Copyright (c) 2018 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def without_brand(css: str) -> str:
    css = re.sub(r"@font-face\{font-family:GDS Transport;[^}]*\}", "", css)
    css = css.replace("GDS Transport,arial,sans-serif", SYSTEM_FONTS)
    css = css.replace("font-family:GDS Transport", "font-family:" + SYSTEM_FONTS)
    css = css.replace("url(/assets/images/govuk-crest.svg)", "none")
    assert "GDS Transport" not in css and "/assets/" not in css
    return css


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build(tarball: Path) -> None:
    raw = tarball.read_bytes()
    with tarfile.open(tarball) as tar:
        def read(name):
            return tar.extractfile(f"package/{name}").read()

        package = json.loads(read("package.json"))
        css = without_brand(read("dist/govuk/govuk-frontend.min.css").decode()).encode()
        js = read("dist/govuk/govuk-frontend.min.js")
    # the sourceMappingURL comments name files we do not ship
    css = re.sub(rb"/\*# sourceMappingURL=[^*]*\*/", b"", css)
    js = re.sub(rb"//# sourceMappingURL=\S+", b"", js)
    TARGET.mkdir(parents=True, exist_ok=True)
    files = {"govuk-frontend.min.css": css, "govuk-frontend.min.js": js,
             "LICENCE.txt": LICENCE.encode()}
    for name, data in files.items():
        (TARGET / name).write_bytes(data)
        if name.endswith((".css", ".js")):
            (TARGET / f"{name}.gz").write_bytes(gzip.compress(data, 9, mtime=0))
    rows = "\n".join(f"| `{name}` | `{sha256(data)}` |" for name, data in files.items())
    (TARGET / "VENDOR.md").write_text(f"""# GOV.UK Frontend {package['version']}

- package: `govuk-frontend@{package['version']}` from the npm registry (`npm pack`), licence
  {package['license']} (LICENCE.txt beside this file; the package's README: "Unless stated
  otherwise, the codebase is released under the MIT License").
- SHA-256 of the package's tarball: `{sha256(raw)}`
- rebuilt with `python -m web.vendor govuk-frontend-{package['version']}.tgz` (web/vendor.py).
- not taken: GOV.UK's typeface ("GDS Transport": its `@font-face` rules are dropped, the font stack
  is the system's), the crown and the GOV.UK logotype (no image of the package is shipped, the
  crown's reference is removed from the CSS).

| file | SHA-256 |
|---|---|
{rows}

Each `.css` and `.js` also has its gzip-compressed copy (`.gz`), served to browsers that accept
gzip.
""")


if __name__ == "__main__":
    build(Path(sys.argv[1]))
