"""``python -m tests.web.driver FLOW`` (JSON arguments on stdin): runs
``tests.web.flows.FLOW(pages, **arguments)`` in Debian's Chromium with Playwright, and prints
what it returns as the last line of stdout (JSON). A failed step exits non-zero with its
traceback. A process without eventlet (tests/web/conftest.py says why)."""

from __future__ import annotations

import json
import os
import sys

CHROMIUM = os.environ.get("CASEWORK_TEST_CHROMIUM", "/usr/bin/chromium")
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


class Checked:
    """A browser page whose every visit the flows check with axe-core (WCAG 2.x A and AA, 2.2
    AA included): ``checked.page`` is the Playwright page; ``checked.axe()`` checks the page as
    it is now (after each navigation and each state worth checking)."""

    def __init__(self, page):
        from axe_playwright_python.sync_playwright import Axe

        self.page = page
        self._axe = Axe()
        self.checked: list[str] = []

    def axe(self) -> None:
        results = self._axe.run(self.page, options={"runOnly": {"type": "tag", "values": WCAG}})
        self.checked.append(self.page.url)
        assert results.violations_count == 0, (self.page.url, results.generate_report())


def find(flow: str):
    """The flow named ``flow`` in tests/web/flows.py or in one of tests/web/flows_*.py (each
    part of the front end keeps its flows in a module of its own)."""
    import importlib
    from pathlib import Path

    names = ["flows", *sorted(p.stem for p in Path(__file__).parent.glob("flows_*.py"))]
    for name in names:
        module = importlib.import_module(f"tests.web.{name}")
        if hasattr(module, flow):
            return getattr(module, flow)
    raise LookupError(f"no flow {flow!r} in tests/web/flows*.py")


def main(flow: str, arguments: dict):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        contexts = []

        def pages(**options) -> Checked:
            context = browser.new_context(**options)
            context.set_default_timeout(15000)
            contexts.append(context)
            return Checked(context.new_page())

        try:
            return find(flow)(pages, **arguments)
        finally:
            for context in contexts:
                context.close()
            browser.close()


if __name__ == "__main__":
    result = main(sys.argv[1], json.loads(sys.stdin.read() or "{}"))
    print(json.dumps(result))
