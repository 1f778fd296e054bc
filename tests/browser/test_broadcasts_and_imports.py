"""Contacts, imports and broadcasts in real Chromium under the strict CSP: the import wizard
(upload, mapping over a preview, progress, refused rows), the Contacts page's filters, the
broadcast composer with its eligibility preview, a broadcast's live progress with pause and
resume, and its report. No page overflows at 390 px; screenshots at 1280 and 390 px."""

import pytest
from playwright.sync_api import expect

from messaging.broadcasts import services as broadcasts
from messaging.broadcasts.models import Broadcast
from optout import services as consent
from tests.browser.test_security_headers import Watch
from tests.support.compliance_browser import DESKTOP, MOBILE
from tests.support.world import NUMBER_A
from workspaces.models import Contact

pytestmark = pytest.mark.browser

CSV = (
    "Mobile,First name,Last name,Tags,City\n"
    "(415) 555-0801,Ada,Lovelace,club,London\n"
    "+14155550802,Grace,Hopper,club,Arlington\n"
    "+14155550803,Alan,Turing,club,Wilmslow\n"
    "oops,Not,Valid,club,Nowhere\n"
    "+14155550802,Grace,Again,club,\n"
)


def fits_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def shoot(page, screenshot_dir, name):
    for size, suffix in ((DESKTOP, "-1280"), (MOBILE, "-390")):
        page.set_viewport_size(size)
        page.wait_for_timeout(150)
        assert fits_width(page), f"{name} overflows at {size['width']} px"
        page.screenshot(path=str(screenshot_dir / f"{name}{suffix}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


@pytest.fixture
def imports_dir(settings, tmp_path):
    settings.IMPORT_DIR = str(tmp_path / "imports")


def test_import_wizard_then_a_broadcast_with_its_preview_progress_and_report(
    page, live_server, login, world, screenshot_dir, tmp_path, imports_dir
):
    watched = Watch(page)
    base = live_server.url
    page.set_viewport_size(DESKTOP)
    login(page, "admin@acme.test", "pw-admin-1")

    # 1. The import wizard: upload, map (the preview shows the first rows), import.
    page.goto(f"{base}/contacts/import/")
    shoot(page, screenshot_dir, "import-upload")
    path = tmp_path / "people.csv"
    path.write_text(CSV)
    page.set_input_files("#id_file", str(path))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("#mapping")).to_contain_text("Lovelace")
    expect(page.locator("#col0")).to_have_value("phone")
    expect(page.locator("#col3")).to_have_value("tags")
    expect(page.locator("#col4")).to_have_value("field:city")
    shoot(page, screenshot_dir, "import-mapping")
    page.locator("#start-import").click()
    expect(page.locator("#import-progress")).to_have_attribute("data-status", "done")
    expect(page.locator("#rows-done")).to_have_text("5")
    expect(page.locator("#import-bar")).to_have_attribute("value", "5")
    expect(page.locator(".errors-table")).to_contain_text("invalid number: 'oops'")
    expect(page.locator(".errors-table")).to_contain_text(
        "duplicate in file: same number as line 3"
    )
    shoot(page, screenshot_dir, "import-done")
    with page.expect_download() as download:
        page.click("#download-errors")
    assert download.value.path().read_text().splitlines()[0] == "line,reason"

    # 2. The Contacts page, filtered by the imported tag.
    consent.opt_out_api(
        workspace=world.workspace, contact_phone="+14155550803", phone_number=world.number_a
    )
    page.goto(f"{base}/contacts/?tag=club")
    expect(page.locator("table.contacts-table tbody tr")).to_have_count(3)
    expect(page.locator('tr[data-contact="+14155550803"]')).to_contain_text("Opted out")
    expect(page.locator('tr[data-contact="+14155550801"]')).to_contain_text("London")
    shoot(page, screenshot_dir, "contacts")

    # 3. The composer: the preview says who is eligible and who is excluded, and the text.
    page.click("#new-broadcast")
    page.locator("#senders input").first.check()
    page.fill("#id_body", "Hi {first_name|there}, see you in {city|town}!")
    page.fill("#id_tag", "club")
    page.locator("#id_body").dispatch_event("change")
    expect(page.locator("#count-eligible")).to_have_text("2")
    expect(page.locator("#count-opted-out")).to_have_text("1")
    expect(page.locator("#preview-text")).to_contain_text("Hi Ada, see you in London!")
    expect(page.locator("#preview-cost")).to_contain_text("2 segments")
    shoot(page, screenshot_dir, "broadcast-composer")
    page.fill("#id_body", "Hi {frist_name}")
    page.locator("#id_body").dispatch_event("change")
    expect(page.locator("#preview-problem")).to_contain_text("not a merge field")
    page.fill("#id_body", "Hi {first_name|there}, see you in {city|town}!")
    page.fill("#id_send_at", "2099-01-01T09:00")
    page.locator("#send-broadcast").click()

    # 4. Scheduled: pause and resume, then it starts and the page follows it live.
    expect(page.locator("#broadcast-status")).to_have_text("Scheduled")
    page.locator("#pause").click()
    expect(page.locator("#broadcast-status")).to_have_text("Paused")
    page.locator("#resume").click()
    expect(page.locator("#broadcast-status")).to_have_text("Scheduled")
    broadcast = Broadcast.objects.get()
    Broadcast.objects.filter(pk=broadcast.pk).update(send_at=None)
    broadcasts.broadcast_prepare(broadcast_id=broadcast.pk)  # eager: the steps run inline
    from messaging.tasks import broadcast_step

    broadcast_step.apply(args=[broadcast.pk])
    broadcast_step.apply(args=[broadcast.pk])
    expect(page.locator("#broadcast-status")).to_have_text("Done", timeout=15000)
    expect(page.locator("#count-sent")).to_have_text("2")
    expect(page.locator("#count-opted-out")).to_have_text("1")
    page.reload()
    expect(page.locator(".report-table tbody tr")).to_have_count(3)
    expect(page.locator('tr[data-phone="+14155550803"]')).to_contain_text("Excluded: opted out")
    shoot(page, screenshot_dir, "broadcast-report")
    with page.expect_download() as download:
        page.click("#export-report")
    assert len(download.value.path().read_text().splitlines()) == 4
    page.goto(f"{base}/broadcasts/")
    shoot(page, screenshot_dir, "broadcasts")
    watched.check("contacts, imports and broadcasts")
    assert Contact.objects.filter(workspace=world.workspace).count() == 3
    assert NUMBER_A
