"""WEB: the client portal on a cheap phone and a poor connection (issue 20): each portal page's
weight transferred with its style sheets and scripts (bar: under 100 KB), and its load time on
Chrome DevTools' "Slow 4G" profile (bar: at most 2.5 s), measured in Debian's Chromium.

The harness's platform plus a web process (`casework serve web`) in front of its gateway. A
client joins the agency through its global invitation link (API.md "Invitation links"), staff
accept the request (an agency record of the client) and ask the client for an assessment and a
document, and the client signs in; each page is then loaded with an empty cache (Chromium's
DevTools protocol: `Network.setCacheDisabled`), once unthrottled to count the bytes
(`encodedDataLength` of every response of the page) and once under
`Network.emulateNetworkConditions` with Slow 4G's figures (562.5 ms latency, 1.44 Mbit/s down,
675 kbit/s up) to time it (navigation start to the end of the `load` event). The measuring runs
in a process of its own (`python -m bench.scenarios.web_page_weight`, Playwright's sync API).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import requests

from ..report import Report, table
from ..stack import free_port, wait_until

ID = "web"
TITLE = "portal page weight and Slow-4G load time"
WEIGHT_BAR_KB = 100.0
LOAD_BAR_S = 2.5
SLOW_4G = {"offline": False, "latency": 562.5, "downloadThroughput": 1.44e6 / 8,
           "uploadThroughput": 675e3 / 8}
CHROMIUM = os.environ.get("CASEWORK_BENCH_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "a long bench passphrase"


def run(ctx) -> Report:
    report = Report(ID, TITLE)
    port = free_port()
    web_url = f"http://127.0.0.1:{port}"
    env = ctx.platform.env({"CASEWORK_WEB_HOST": "127.0.0.1", "CASEWORK_WEB_PORT": str(port),
                            "CASEWORK_WEB_GATEWAY_URL": ctx.platform.url,
                            "CASEWORK_WEB_WORKERS": "1"})
    web = ctx.procs.start("web", [sys.executable, "-m", "casework.cli", "serve", "web"], env)

    def answers() -> bool:
        try:
            return requests.get(f"{web_url}/portal/login", timeout=3).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_until(answers, 60, "the web process")
        username, record_id, asked = joined_client(ctx)
        figures = measure({"web_url": web_url, "username": username, "password": PASSWORD,
                           "record_id": record_id, "requests": asked})
    finally:
        ctx.procs.stop([web])
    rows = []
    for page in figures:
        kb = page["bytes"] / 1000
        report.check(f"{page['path']} transferred", f"{kb:.1f} KB", f"< {WEIGHT_BAR_KB:g} KB",
                     kb < WEIGHT_BAR_KB)
        report.check(f"{page['path']} load, Slow 4G", f"{page['slow4g_s']:.2f} s",
                     f"≤ {LOAD_BAR_S:g} s", page["slow4g_s"] <= LOAD_BAR_S)
        rows.append([page["path"], page["title"], str(page["requests"]), f"{kb:.1f}",
                     f"{page['unthrottled_s'] * 1000:.0f}", f"{page['slow4g_s']:.2f}"])
    report.section("Portal pages, empty cache", table(
        ["page", "title", "requests", "KB transferred (gzip)", "load, unthrottled (ms)",
         "load, Slow 4G (s)"], rows))
    report.notes.append("KB = 1000 bytes, the encoded (gzip) bytes of every response of the "
                        "page: the HTML, GOV.UK Frontend's CSS and JS, the site's own CSS and "
                        "JS module; Slow 4G: 562.5 ms latency, 1.44 Mbit/s down, 675 kbit/s up")
    return report


FEATURES = ["profile_editing", "availability", "sessions", "messages", "requests"]


def joined_client(ctx) -> tuple[str, str, list[str]]:
    """A client of the benchmark's agency, joined through its global invitation link and
    accepted (their agency record), asked for an assessment and a document: the username, the
    record's id and the requests' ids."""
    url, headers = ctx.platform.url, ctx.staff.headers
    settings = requests.patch(f"{url}/api/v1/staff/settings", headers=headers,
                              json={"portal_enabled": True, "portal_features": FEATURES},
                              timeout=30)
    settings.raise_for_status()
    link = requests.post(f"{url}/api/v1/staff/invitation-links", headers=headers, json={},
                         timeout=30)
    link.raise_for_status()
    email = f"bench-client-{uuid.uuid4().hex[:10]}@example.org"
    joined = requests.post(f"{url}/api/v1/join/{link.json()['slug']}", timeout=30, json={
        "first_name": "Bea", "last_name": "Client", "email": email,
        "phones": [{"type": "mobile", "number": "+44 20 7946 0000"}], "password": PASSWORD})
    assert joined.status_code == 202, joined.text
    accepted = requests.post(
        f"{url}/api/v1/staff/enrollment-requests/{joined.json()['request_id']}/accept",
        headers=headers, json={}, timeout=30)
    assert accepted.status_code == 200, accepted.text
    record_id = accepted.json()["record_id"]
    login = requests.post(f"{url}/api/v1/auth/portal/login", timeout=30,
                          json={"username": email, "password": PASSWORD})
    login.raise_for_status()
    client = {"Authorization": f"Bearer {login.json()['access_token']}"}
    wait_until(lambda: requests.get(f"{url}/api/v1/portal/records/{record_id}", headers=client,
                                    timeout=10).status_code == 200, 60, "the client's record")
    survey = requests.post(f"{url}/api/v1/staff/assessments", headers=headers, timeout=30, json={
        "name": f"Bench wellbeing {uuid.uuid4().hex[:6]}", "questions": [
            {"id": "mood", "text": "How do you feel?", "kind": "text"},
            {"id": "nights", "text": "Nights slept rough this month", "kind": "number"},
            {"id": "safe", "text": "Do you feel safe?", "kind": "yes_no"},
            {"id": "housing", "text": "Where do you live?", "kind": "choice",
             "choices": ["Own home", "Rented", "Shelter", "Street"]}]})
    assert survey.status_code == 201, survey.text
    asked = []
    for body in ({"type": "assessment", "assessment_id": survey.json()["id"]},
                 {"type": "document", "document_category": "identity",
                  "document_name": "Passport"}):
        made = requests.post(f"{url}/api/v1/staff/records/{record_id}/requests",
                             headers=headers, json=body, timeout=30)
        assert made.status_code == 201, made.text
        asked.append(made.json()["id"])
    # a staff view of the record, for the page of who viewed it
    requests.get(f"{url}/api/v1/staff/records/{record_id}", headers=headers,
                 timeout=30).raise_for_status()
    return email, record_id, asked


def measure(arguments: dict) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", "bench.scenarios.web_page_weight"],
                          input=json.dumps(arguments), capture_output=True, text=True,
                          timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"measuring the pages failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def load(context, url: str, throttle: dict | None) -> dict:
    """One cold load of ``url`` in a new page: bytes transferred, requests, load time (s)."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if throttle:
        cdp.send("Network.emulateNetworkConditions", throttle)
    finished: dict[str, float] = {}
    cdp.on("Network.loadingFinished",
           lambda event: finished.__setitem__(event["requestId"], event["encodedDataLength"]))
    response = page.goto(url, wait_until="load", timeout=60000)
    # the page itself, not a redirect to the sign-in page
    assert response.status == 200 and page.url == url, (url, page.url, response.status)
    page.wait_for_timeout(200)  # the last loadingFinished events
    timing = page.evaluate(
        "(() => { const n = performance.getEntriesByType('navigation')[0];"
        " return n.loadEventEnd - n.startTime; })()")
    title = page.title()
    page.close()
    return {"bytes": int(sum(finished.values())), "requests": len(finished),
            "seconds": timing / 1000, "title": title}


def main(arguments: dict) -> list[dict]:
    from playwright.sync_api import sync_playwright

    web_url = arguments["web_url"]
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(locale="es-ES")
        for path in ("/portal/login",):
            plain = load(context, web_url + path, None)
            slow = load(context, web_url + path, SLOW_4G)
            results.append({"path": path, "bytes": plain["bytes"], "requests": plain["requests"],
                            "unthrottled_s": plain["seconds"], "slow4g_s": slow["seconds"],
                            "title": plain["title"]})
        page = context.new_page()
        page.goto(web_url + "/portal/login")
        page.locator("#username").fill(arguments["username"])
        page.locator("#password").fill(arguments["password"])
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url(web_url + "/portal/")
        page.close()
        record = f"/portal/records/{arguments['record_id']}"
        for path in ("/portal/", "/portal/me/phones", "/portal/me/details", "/portal/password",
                     record, f"{record}/edit", f"{record}/requests",
                     *(f"{record}/requests/{r}" for r in arguments["requests"]),
                     f"{record}/access", f"{record}/threads", f"{record}/availability",
                     f"{record}/sessions", f"{record}/payments"):
            plain = load(context, web_url + path, None)
            slow = load(context, web_url + path, SLOW_4G)
            results.append({"path": path, "bytes": plain["bytes"], "requests": plain["requests"],
                            "unthrottled_s": plain["seconds"], "slow4g_s": slow["seconds"],
                            "title": plain["title"]})
        browser.close()
    return results


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.stdin.read()))))
