"""Every page passes the Content-Security-Policy in real Chromium (no inline script, no inline
style, no CDN), the workspace switcher still works without an inline handler, and the API docs
render from installed assets with every other host cut off."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from messaging.models import Conversation
from workspaces import services
from workspaces.models import Role

pytestmark = pytest.mark.browser

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


class Watch:
    """What a page did that the policy forbids or that would need the internet: CSP violations
    (the DOM event and Chromium's console report) and requests to any other host (aborted)."""

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


@pytest.fixture
def watched(page):
    return Watch(page)


@pytest.fixture
def two_workspaces(world, other_world):
    services.member_add(workspace=other_world.workspace, email="admin@acme.test", role=Role.ADMIN)
    return world, other_world


def test_the_policy_header_is_strict(client, db):
    policy = client.get("/login/")["Content-Security-Policy"]
    directives = dict(
        (d.split()[0], d.split()[1:]) for d in (p.strip() for p in policy.split(";")) if d
    )
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


def test_every_page_passes_the_policy(
    page, live_server, login, watched, two_workspaces, text_in, settings
):
    world, _ = two_workspaces
    text_in("Hello, is the shop open on Sunday?")
    conversation = Conversation.objects.get(workspace=world.workspace)
    base = live_server.url
    login(page, "admin@acme.test", "pw-admin-1")
    watched.check("the login page")
    pages = {
        "inbox": "/inbox/",
        "a thread": f"/inbox/c/{conversation.pk}/",
        "new conversation": "/inbox/new/",
        "simulator": "/simulator/",
        "overview": "/compliance/",
        "opt-out": "/compliance/opt-out/",
        "keywords": "/compliance/keywords/",
        "block list": "/compliance/block-list/",
        "contact": f"/compliance/contacts/{conversation.contact_id}/",
        "audit log": "/compliance/audit-log/",
        "API docs": "/api/docs/",
    }
    for name, path in pages.items():
        response = page.goto(f"{base}{path}")
        assert response.status == 200, (name, response.status)
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        watched.check(name)
    # htmx at work under the policy: the composer's live preview and the inbox's polling.
    page.goto(f"{base}/inbox/c/{conversation.pk}/")
    page.locator("textarea").first.fill("We open at 10.")
    page.wait_for_timeout(2500)
    watched.check("a thread, typing")


def test_the_workspace_switcher_works_without_inline_script(
    page, live_server, login, watched, two_workspaces
):
    _, other = two_workspaces
    login(page, "admin@acme.test", "pw-admin-1")
    assert page.locator("select#workspace-switcher[onchange]").count() == 0
    page.select_option("#workspace-switcher", str(other.workspace.id))
    expect(page.locator("#workspace-switcher")).to_have_value(str(other.workspace.id))
    page.wait_for_load_state("networkidle")
    assert page.locator("#workspace-switcher option:checked").inner_text() == "Other"
    watched.check("the switcher")


def test_the_api_docs_render_offline(page, live_server, watched, db, screenshot_dir):
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/messages").first).to_be_visible(
        timeout=15000
    )
    expect(page.get_by_role("link", name=re.compile("Compliance Center"))).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "api-docs.png"))
    watched.check("the API docs")


def test_the_admin_passes_the_policy(page, live_server, watched, world):
    world.admin_user.is_staff = world.admin_user.is_superuser = True
    world.admin_user.save(update_fields=["is_staff", "is_superuser"])
    base = live_server.url
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "admin@acme.test")
    page.fill("#id_password", "pw-admin-1")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    for path in ("/admin/", "/admin/auth/user/", f"/admin/auth/user/{world.admin_user.pk}/change/"):
        assert page.goto(f"{base}{path}").status == 200
        page.wait_for_load_state("networkidle")
        watched.check(path)
