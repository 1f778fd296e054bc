"""Workspace administration in real Chromium, the way a newcomer does it without a terminal: sign
up, add a number, connect Twilio (the loopback fake, through the real SDK) and check the
connection, create an API token and use it; invite a member who joins as an Agent in another
browser and sees no Settings; a CRM endpoint that gets a STOP, shows it in its delivery log with
the response code, and sends it again. Every new page is looked at in both widths (screenshots,
no overflow at 390 px, no CSP violation), empty and full."""

import hashlib
import hmac
import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from optout import services as consent
from optout.models import WebhookDelivery, WebhookEndpoint
from tests.support.browser_pages import DESKTOP, Watch, look_at
from tests.support.crm_receiver import CrmReceiver
from tests.support.twilio_webhooks import inbound_params, sign
from tests.support.world import CONTACT, NUMBER_A
from workspaces import accounts, services
from workspaces.models import ApiToken, AuditLogEntry, Invitation, Membership, Workspace

pytestmark = pytest.mark.browser

SID = "AC" + "5d2e" * 8
TOKEN = "9f86d081884c7d659a2feaa0c55ad015"
NEW_NUMBER = "+14155550188"
WEBHOOK = "/webhooks/twilio/sms/"


@pytest.fixture
def browser_context_args(browser_context_args):
    """The people in these tests are in Chicago: a new workspace takes the browser's zone."""
    return {**browser_context_args, "timezone_id": "America/Chicago"}


@pytest.fixture
def watched(page):
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm asks before removals
    return Watch(page)


@pytest.fixture
def receiver():
    started = CrmReceiver().start()
    yield started
    started.stop()


def test_a_newcomer_sets_up_a_workspace_without_a_terminal(
    page, live_server, fake_twilio, public_base_url, watched, screenshot_dir, db
):
    base = live_server.url
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/login/")
    look_at(page, "login", screenshot_dir, watched)
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    # A password Django's validators refuse is said at the field.
    page.fill("#id_email", "owner@newco.test")
    page.fill("#id_password", "password")
    page.fill("#id_password2", "password")
    page.fill("#id_workspace_name", "Newco Dental")
    page.click("button[type=submit]")
    expect(page.locator("#id_password_errors")).to_contain_text("too common")
    look_at(page, "signup-errors", screenshot_dir, watched)
    page.fill("#id_password", "a-long-enough-passphrase")
    page.fill("#id_password2", "a-long-enough-passphrase")
    page.click("button[type=submit]")

    # Logged in, Admin of the new workspace, on Settings with what is left to do.
    page.wait_for_url(f"{base}/settings/")
    workspace = Workspace.objects.get(name="Newco Dental")
    assert Membership.objects.get(workspace=workspace).role == "admin"
    assert workspace.time_zone == "America/Chicago"  # the browser's, not UTC
    expect(page.locator("#id_time_zone")).to_have_value("America/Chicago")
    expect(page.get_by_role("heading", name="Finish setting up")).to_be_visible()
    expect(
        page.locator(".mainnav").get_by_role("link", name="Settings", exact=True)
    ).to_be_visible()
    look_at(page, "settings-general-new", screenshot_dir, watched)
    for name, path in {
        "numbers": "/settings/numbers/",
        "twilio": "/settings/twilio/",
        "members": "/settings/members/",
        "tokens": "/settings/api-tokens/",
        "webhooks": "/settings/webhooks/",
    }.items():
        page.goto(f"{base}{path}")
        look_at(page, f"settings-{name}-empty", screenshot_dir, watched)

    # A phone number: E.164 checked at the field, then added with a label.
    page.goto(f"{base}/settings/numbers/")
    page.fill("#id_number", "555-01")
    page.get_by_role("button", name="Add number").click()
    expect(page.locator("#id_number_errors")).to_contain_text("is not a valid phone number")
    page.fill("#id_number", "(415) 555-0188")
    page.fill("#id_label", "Front desk")
    page.get_by_role("button", name="Add number").click()
    expect(page.get_by_role("heading", name=re.compile(r"\(415\) 555-0188"))).to_be_visible()
    look_at(page, "settings-number", screenshot_dir, watched)

    # Twilio: the SID's format at the field; then credentials the fake knows, and the check.
    page.goto(f"{base}/settings/twilio/")
    expect(page.get_by_role("button", name="Check connection")).to_be_disabled()
    page.fill("#id_account_sid", "AC123")
    page.fill("#id_auth_token", TOKEN)
    page.get_by_role("button", name="Save credentials").click()
    expect(page.locator("#id_account_sid_errors")).to_contain_text("AC followed by 32")
    fake_twilio.add_account(
        SID, TOKEN, numbers=[NEW_NUMBER], sms_url=f"{base}{WEBHOOK}", friendly_name="Newco"
    )
    page.fill("#id_account_sid", SID)
    page.fill("#id_auth_token", TOKEN)
    page.get_by_role("button", name="Save credentials").click()
    expect(page.locator(".flash")).to_contain_text("Twilio credentials saved")
    assert TOKEN not in page.content()  # write-only
    page.get_by_role("button", name="Check connection").click()
    expect(page.locator(".check-result")).to_contain_text("Connected to Newco")
    expect(page.locator("#sms-url")).to_have_text(f"{base}/webhooks/twilio/sms/")
    expect(page.locator("#status-url")).to_have_text(f"{base}/webhooks/twilio/status/")
    look_at(page, "settings-twilio-connected", screenshot_dir, watched)

    # An API token, shown once, that works against the API at once.
    page.goto(f"{base}/settings/api-tokens/")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#id_name_errors")).to_contain_text("Name the token")
    page.fill("#id_name", "CRM sync")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").inner_text()
    assert token.startswith("cc_")
    look_at(page, "settings-token-created", screenshot_dir, watched)
    answer = page.request.get(
        f"{base}/api/v1/phone-numbers", headers={"Authorization": f"Token {token}"}
    )
    assert answer.status == 200, answer.text()
    assert [n["number"] for n in answer.json()["results"]] == [NEW_NUMBER]
    page.reload()
    assert token not in page.content()  # shown once
    expect(page.locator("tr[data-token]")).to_contain_text("CRM sync")
    assert ApiToken.objects.get(workspace=workspace).last_used_at is not None
    expect(page.locator("tr[data-token] td[data-label='Last used'] time")).to_be_visible()

    # The checklist is done but for the team; the audit log has it all, in words.
    page.goto(f"{base}/settings/")
    expect(page.locator("li[data-step=numbers].done")).to_be_visible()
    expect(page.locator("li[data-step=twilio].done")).to_be_visible()
    expect(page.locator("li[data-step=members]:not(.done)")).to_be_visible()
    page.goto(f"{base}/compliance/audit-log/")
    for words in (
        "Created the workspace",
        "Added a phone number",
        "Changed the Twilio credentials",
        "Checked the Twilio connection",
        "Created an API token",
    ):
        expect(page.locator("table.audit-table")).to_contain_text(words)
    assert TOKEN not in page.content()
    watched.check("the audit log")


def test_an_invited_agent_joins_in_another_browser_and_sees_no_settings(
    browser, page, live_server, public_base_url, world, login, watched, screenshot_dir
):
    base = live_server.url
    login(page, "admin@acme.test", "pw-admin-1")
    page.goto(f"{base}/settings/members/")
    page.fill("#id_email", "newagent@acme.test")
    page.select_option("#id_role", "agent")
    page.get_by_role("button", name="Send invitation").click()
    link = page.locator("#invitation-url").inner_text()
    assert link.startswith(f"{base}/invitations/")
    [email] = mail.outbox
    assert email.to == ["newagent@acme.test"] and link in email.body
    look_at(page, "settings-members-invited", screenshot_dir, watched)

    # The invited person, in a browser of their own, sets a password and joins.
    other = browser.new_context(viewport=DESKTOP)
    agent_page = other.new_page()
    agent_watch = Watch(agent_page)
    agent_page.goto(link)
    expect(agent_page.get_by_role("heading", name="Join Acme")).to_be_visible()
    expect(agent_page.locator("main")).to_contain_text("as Agent")
    look_at(agent_page, "invitation-accept", screenshot_dir, agent_watch)
    agent_page.fill("#id_password", "short")
    agent_page.fill("#id_password2", "short")
    agent_page.click("button[type=submit]")
    expect(agent_page.locator("#id_password_errors")).to_contain_text("too short")
    agent_page.fill("#id_password", "agent-passphrase-42")
    agent_page.fill("#id_password2", "agent-passphrase-42")
    agent_page.click("button[type=submit]")
    agent_page.wait_for_url(re.compile(r"/inbox/"))
    expect(agent_page.locator(".flash")).to_contain_text("You joined Acme as Agent")
    nav = agent_page.locator(".mainnav")
    expect(nav.get_by_role("link", name="Inbox")).to_be_visible()
    expect(nav.get_by_role("link", name="Settings", exact=True)).to_have_count(0)
    expect(nav.get_by_role("link", name=re.compile("Compliance Center"))).to_have_count(0)
    for path in ("/settings/", "/settings/members/", "/compliance/"):
        assert agent_page.goto(f"{base}{path}").status == 403
    # The link works once.
    agent_page.goto(link)
    expect(agent_page.locator("main")).to_contain_text("already been used")
    look_at(agent_page, "invitation-used", screenshot_dir, agent_watch)
    other.close()

    # The admin sees the new member; the last admin cannot be demoted.
    page.goto(f"{base}/settings/members/")
    expect(page.locator("tr[data-member='newagent@acme.test']")).to_contain_text("newagent")
    row = page.locator("tr[data-member='admin@acme.test']")
    row.locator("select").select_option("agent")
    row.get_by_role("button", name="Save").click()
    expect(page.locator("tr[data-member='admin@acme.test'] [role=alert]")).to_contain_text(
        "last Admin"
    )
    look_at(page, "settings-members-last-admin", screenshot_dir, watched)
    assert Membership.objects.get(user=world.admin_user).role == "admin"
    # Re-role the manager, remove the new agent.
    row = page.locator("tr[data-member='manager@acme.test']")
    row.locator("select").select_option("agent")
    row.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_contain_text("manager@acme.test is now Agent")
    page.locator("tr[data-member='newagent@acme.test']").get_by_role(
        "button", name="Remove"
    ).click()
    expect(page.locator(".flash")).to_contain_text("newagent@acme.test removed")
    assert not Membership.objects.filter(user__email="newagent@acme.test").exists()
    actions = set(AuditLogEntry.objects.values_list("action", flat=True))
    assert {"member_invited", "member_joined", "member_role_changed", "member_removed"} <= actions


def test_a_crm_endpoint_gets_a_stop_logs_it_and_sends_it_again(
    page, live_server, public_base_url, world, login, watched, screenshot_dir, receiver
):
    base = live_server.url
    login(page, "admin@acme.test", "pw-admin-1")
    page.goto(f"{base}/settings/webhooks/")
    page.fill("#id_url", "not a url")
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.locator("#id_url_errors")).to_contain_text("Type a whole URL")
    page.fill("#id_url", receiver.url)
    page.get_by_role("button", name="Add endpoint").click()
    secret = page.locator("#signing-secret").inner_text()
    endpoint = WebhookEndpoint.objects.get(workspace=world.workspace)
    assert secret == endpoint.secret
    look_at(page, "settings-webhook-created", screenshot_dir, watched)

    # The carrier's side: a signed STOP posted to the live server.
    params = inbound_params("STOP", to=NUMBER_A, from_=CONTACT)
    answer = page.request.post(
        f"{base}{WEBHOOK}", form=params, headers={"X-Twilio-Signature": sign(WEBHOOK, params)}
    )
    assert answer.status == 200, answer.text()
    [first] = receiver.received
    assert (
        first.headers["X-Compliance-Signature"]
        == hmac.new(secret.encode(), first.body, hashlib.sha256).hexdigest()
    )
    assert json.loads(first.body)["type"] == "contact.opt_out"

    page.reload()
    assert secret not in page.content()  # shown once
    row = page.locator("tr[data-delivery]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Opt-out of (415) 555-0123")
    expect(row.locator(".response-code")).to_have_text("200")
    expect(row).to_contain_text("Delivered")
    look_at(page, "settings-webhook-log", screenshot_dir, watched)

    row.get_by_role("button", name="Resend").click()
    expect(page.locator(".flash")).to_contain_text("being sent again")
    assert len(receiver.received) == 2
    second = receiver.received[1]
    assert second.body == first.body
    assert second.headers["X-Compliance-Event"] == first.headers["X-Compliance-Event"]
    assert WebhookDelivery.objects.get().attempts == 2

    receiver.fail_next(*[503] * 9)
    page.get_by_role("button", name="Send test delivery").click()
    expect(page.locator(".flash")).to_contain_text("Test failed: HTTP 503")
    test_row = page.locator("tr[data-delivery]").first
    expect(test_row).to_contain_text("Test")
    expect(test_row.locator(".response-code")).to_have_text("503")
    assert json.loads(receiver.received[-1].body)["type"] == "test"
    page.get_by_role("button", name="Disable").click()
    expect(page.locator(".flash")).to_contain_text("Disabled")
    look_at(page, "settings-webhook-full", screenshot_dir, watched)
    page.goto(f"{base}/settings/webhooks/")
    look_at(page, "settings-webhooks-list", screenshot_dir, watched)
    actions = set(AuditLogEntry.objects.values_list("action", flat=True))
    assert {
        "crm_endpoint_added",
        "crm_delivery_resent",
        "crm_test_sent",
        "crm_endpoint_disabled",
    } <= actions


def test_every_settings_page_with_full_data_fits_a_phone(
    page, live_server, public_base_url, world, other_world, login, watched, screenshot_dir
):
    """Many members, invitations, tokens, endpoints and deliveries, long emails and URLs: still
    no horizontal overflow at 390 px, and no CSP violation."""
    ws = world.workspace
    for i in range(6):
        services.member_add(
            workspace=ws,
            email=f"a.very.long.email.address.number{i}@a-long-company-domain.example",
            role=["agent", "manager"][i % 2],
        )
        accounts.invitation_create(
            workspace=ws,
            email=f"invited.person.with.a.long.name{i}@another-long-domain.example",
            role="agent",
            invited_by=world.admin_user,
        )
        services.api_token_create(
            workspace=ws,
            name=f"Integration number {i} with a long name",
            created_by=world.admin_user,
        )
    endpoint = consent.webhook_endpoint_create(
        workspace=ws,
        url="https://crm.a-very-long-customer-domain.example/hooks/compliance/sms/opt-outs?k=1",
        actor=world.admin_user,
    )
    for i in range(5):
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            kind="test",
            status=["delivered", "failed", "pending"][i % 3],
            attempts=i + 1,
            response_code=[200, 500, None][i % 3],
            last_error="" if i % 3 == 0 else "HTTPSConnectionPool: Max retries exceeded with url",
        )
    services.api_token_revoke(
        token=ApiToken.objects.filter(workspace=ws).first(), actor=world.admin_user
    )
    expired = Invitation.objects.filter(workspace=ws).order_by("id").first()
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    login(page, "admin@acme.test", "pw-admin-1")
    base = live_server.url
    pages = {
        "general": "/settings/",
        "numbers": "/settings/numbers/",
        "number": f"/settings/numbers/{world.number_a.pk}/",
        "twilio": "/settings/twilio/",
        "members": "/settings/members/",
        "tokens": "/settings/api-tokens/",
        "webhooks": "/settings/webhooks/",
        "webhook": f"/settings/webhooks/{endpoint.pk}/",
        "audit-log": "/compliance/audit-log/",
    }
    for name, path in pages.items():
        assert page.goto(f"{base}{path}").status == 200, name
        look_at(page, f"settings-{name}-full", screenshot_dir, watched)
    # A manager reads the same pages, without forms.
    page.context.clear_cookies()
    login(page, "manager@acme.test", "pw-manager-1")
    page.goto(f"{base}/settings/members/")
    expect(page.locator("form.invite-form")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("only an Admin can change them")
    look_at(page, "settings-members-manager", screenshot_dir, watched)


def test_the_account_pages_fit_a_phone(
    page, live_server, public_base_url, world, watched, screenshot_dir
):
    base = live_server.url
    issued = accounts.invitation_create(
        workspace=world.workspace, email="someone@acme.test", role="manager"
    )
    for name, url in {
        "signup": f"{base}/signup/",
        "password-reset": f"{base}/password-reset/",
        "password-reset-sent": f"{base}/password-reset/sent/",
        "password-reset-bad-link": f"{base}/password-reset/MQ/bad-token/",
        "invitation-new-account": issued.url,
        "invitation-not-valid": f"{base}/invitations/not-a-real-token/",
    }.items():
        page.goto(url)
        look_at(page, f"account-{name}", screenshot_dir, watched)
