"""The Compliance Center's Keywords tab in real Chromium: a custom keyword with its language and
reply, matched by a signed text over HTTP; the duplicate and the 21st keyword refused."""

import pytest
from playwright.sync_api import expect

from optout import services
from optout.models import ConsentEvent, Keyword
from tests.support.compliance_browser import DESKTOP, processed, text_in_over_http
from tests.support.consent import blocked, last_reply
from tests.support.waiting import wait_for
from tests.support.world import CONTACT, NUMBER_A

pytestmark = pytest.mark.browser


def test_custom_keyword_matches_and_the_limit_is_shown(
    page, live_server, public_base_url, login, world, screenshot_dir
):
    base = live_server.url
    page.set_viewport_size(DESKTOP)
    login(page, "admin@acme.test", "pw-admin-1")
    page.goto(f"{base}/compliance/keywords/")
    card = page.locator("#kw-opt_out")
    expect(card.locator(".chip.builtin", has_text="STOP").first).to_be_visible()
    expect(card.get_by_role("button", name="Remove STOP")).to_have_count(0)

    page.fill("#id_opt_out-keyword", "Baja")
    card.locator("summary").click()
    page.fill("#id_opt_out-language", "es")
    page.fill("#id_opt_out-reply_text", "Has sido dado de baja. Responde START para volver.")
    card.get_by_role("button", name="Add").click()
    expect(page.locator("#kw-opt_out [data-saved]")).to_contain_text("BAJA added")
    expect(page.locator('#kw-opt_out [data-keyword="BAJA"]')).to_contain_text("es")

    # A duplicate across kinds is refused next to the field.
    page.fill("#id_opt_in-keyword", "baja")
    page.locator("#kw-opt_in").get_by_role("button", name="Add").click()
    expect(page.locator("#id_opt_in-keyword_errors")).to_have_text(
        "BAJA is already a custom opt-out keyword."
    )

    # The contact texts it: an opt-out, with the keyword's own reply.
    sid = text_in_over_http(page, base, "  baja!  ", to=NUMBER_A)
    wait_for(lambda: processed(sid) and last_reply(), message="BAJA processed")
    event = ConsentEvent.objects.get(contact__phone=CONTACT)
    assert (event.kind, event.source, event.message_body) == ("opt_out", "keyword", "  baja!  ")
    assert blocked(world, NUMBER_A)
    assert last_reply().body == "Has sido dado de baja. Responde START para volver."

    # Fill the kind up to 19, add the 20th in the page, then the 21st is refused.
    for i in range(18):
        services.keyword_add(workspace=world.workspace, kind="opt_out", keyword=f"ALTO{i}")
    page.goto(f"{base}/compliance/keywords/")
    page.fill("#id_opt_out-keyword", "PARAR")
    page.locator("#kw-opt_out").get_by_role("button", name="Add").click()
    expect(page.locator("#kw-opt_out .kw-head .badge")).to_have_text("20 of 20 custom")
    # At 20 of 20 there is nothing to type: the field and its button are disabled, and why.
    expect(page.locator("#id_opt_out-keyword")).to_be_disabled()
    expect(page.locator("#kw-opt_out").get_by_role("button", name="Add")).to_be_disabled()
    expect(page.locator("#kw-opt_out [data-limit-reached]")).to_contain_text("20 of 20")
    # Custom keywords sort naturally: ALTO2 before ALTO10.
    words = page.locator("#kw-opt_out .kw-item").evaluate_all(
        "items => items.map(i => i.dataset.keyword)"
    )
    assert words.index("ALTO2") < words.index("ALTO10")
    # The service still refuses a 21st (the API, a page left open).
    response = page.request.post(
        f"{base}/compliance/keywords/add/opt_out/",
        form={"opt_out-keyword": "DETENER", "opt_out-kind": "opt_out"},
        headers={
            "X-CSRFToken": next(
                c["value"] for c in page.context.cookies() if c["name"] == "csrftoken"
            )
        },
    )
    assert "A workspace can have at most 20 custom opt-out keywords." in response.text()
    assert not Keyword.objects.filter(keyword="DETENER").exists()
    page.screenshot(path=str(screenshot_dir / "compliance-keywords.png"), full_page=True)
