"""Browser helpers for the Settings and account pages: watch a page for CSP violations and
requests off this machine, and look at a page at desktop and phone widths (a screenshot of each
into test-results/screenshots/, and no horizontal overflow at 390 px)."""

import re
from pathlib import Path
from urllib.parse import urlsplit

DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


class Watch:
    """What a page did that the Content-Security-Policy forbids (the DOM event and Chromium's
    console report), and requests to any other host (aborted: every page works offline)."""

    def __init__(self, page):
        self.violations: list[str] = []
        self.offsite: list[str] = []
        page.expose_function("__cspViolation", lambda text: self.violations.append(text))
        page.add_init_script(
            """document.addEventListener("securitypolicyviolation", (e) =>
                 window.__cspViolation(`${e.violatedDirective} blocked ${e.blockedURI}` +
                                       ` at ${e.sourceFile}:${e.lineNumber}`));"""
        )
        page.on("console", self._console)
        page.route("**/*", self._route)

    def _console(self, message):
        if re.search(r"Content.Security.Policy|Refused to", message.text, re.IGNORECASE):
            self.violations.append(f"console: {message.text}")

    def _route(self, route):
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            self.offsite.append(route.request.url)
            route.abort()

    def check(self, where: str):
        assert self.violations == [], f"CSP violations on {where}: {self.violations}"
        assert self.offsite == [], f"requests off this machine from {where}: {self.offsite}"


def look_at(page, name: str, screenshot_dir: Path, watch: Watch | None = None) -> None:
    """The page as it is now, at 1280 and at 390 px: a full-page screenshot of each, no
    horizontal overflow on the phone, no CSP violation. Leaves the page at desktop width."""
    for label, size in (("1280", DESKTOP), ("390", MOBILE)):
        page.set_viewport_size(size)
        page.wait_for_timeout(50)
        page.screenshot(path=str(screenshot_dir / f"{name}-{label}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{name} overflows at {size['width']} px: {width} px wide"
    page.set_viewport_size(DESKTOP)
    if watch is not None:
        watch.check(name)
