"""The demo with everything in it, for the browser tests that look at every page: `seed_demo`
(named contacts with a short history) plus what a workspace in use also has — a long thread, a
double opt-in waiting for its YES, a long value in the audit log, a dead letter with a long
error, a pending invitation, a CRM endpoint with a failed test delivery."""

from dataclasses import dataclass
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from messaging.models import Conversation, InboundMessage
from messaging.services.inbound import inbound_process, inbound_receive
from optout import services as consent
from optout.models import RevocationReview, WebhookEndpoint
from workspaces import accounts
from workspaces.models import Contact, PhoneNumber, Workspace
from workspaces.selectors import number_owner

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.com", "compliance-demo"
SALES, SUPPORT = "+14155550100", "+14155550101"
ADA, GRACE, MARGARET, PENDING = "+14155550123", "+14155550124", "+14155550128", "+14155550129"
LONG_CONFIRMATION = (
    "You have been unsubscribed from Demo texts and will receive no further messages from any of "
    "our numbers, including order updates, pickup reminders and seasonal offers. "
    "Reply START to opt back in at any time."
)


@dataclass(frozen=True)
class Demo:
    workspace: Workspace
    sales: PhoneNumber
    support: PhoneNumber

    def contact(self, phone: str) -> Contact:
        return Contact.objects.get(workspace=self.workspace, phone=phone)

    def conversation(self, phone: str, number: str = SALES) -> Conversation:
        return Conversation.objects.get(
            workspace=self.workspace, contact__phone=phone, phone_number__number=number
        )


def _text_in(to: str, from_: str, body: str, sid: str) -> None:
    owner = number_owner(to, fresh=True)
    inbound, _ = inbound_receive(
        owner=owner, params={"MessageSid": sid, "From": from_, "To": to, "Body": body}
    )
    inbound_process(inbound_id=inbound.pk)


def full_demo() -> Demo:
    call_command("seed_demo", stdout=StringIO())
    workspace = Workspace.objects.get(slug="demo")
    admin = workspace.memberships.get(user__email=ADMIN_EMAIL).user
    sales = PhoneNumber.objects.get(number=SALES)
    support = PhoneNumber.objects.get(number=SUPPORT)

    # Ada and the shop went back and forth for a while: a thread longer than the screen.
    for i in range(8):
        _text_in(
            SALES,
            ADA,
            f"Another question about my order, number {i}: can I pick it up after six tonight?",
            f"SMfull{i:028d}",
        )
    # A double opt-in waiting for its YES.
    consent.compliance_settings_update(workspace=workspace, double_opt_in_enabled=True)
    Contact.objects.create(workspace=workspace, phone=PENDING, name="Mary Jackson")
    consent.consent_record(
        workspace=workspace,
        contact_phone=PENDING,
        source="paper_form",
        evidence="Signed the loyalty card form at the Main St counter",
        number=sales,
        actor=admin,
    )
    consent.compliance_settings_update(workspace=workspace, double_opt_in_enabled=False)
    # A long value in the audit log.
    consent.compliance_settings_update(
        workspace=workspace, actor=admin, via="web", opt_out_confirmation_text=LONG_CONFIRMATION
    )
    # A text that failed every attempt, with a long error.
    InboundMessage.objects.create(
        workspace=workspace,
        phone_number=support,
        message_sid="SMdead00000000000000000000000001",
        from_number="+14155550177",
        body="STOP sending me these please, I asked twice already",
        attempts=8,
        last_error="OperationalError: could not obtain lock on row in relation "
        '"workspaces_contact" after 2000 ms; ' + "the database was busy " * 12,
        dead_at=timezone.now(),
    )
    # A member invited, and a CRM endpoint whose test delivery failed (nothing listens there).
    accounts.invitation_create(
        workspace=workspace, email="new.manager@example.com", role="manager", invited_by=admin
    )
    endpoint = consent.webhook_endpoint_create(
        workspace=workspace, url="http://127.0.0.1:9/hooks/sms", actor=admin
    )
    consent.webhook_test_send(endpoint=endpoint, actor=admin)
    assert RevocationReview.objects.filter(workspace=workspace).exists()
    assert WebhookEndpoint.objects.filter(workspace=workspace).exists()
    return Demo(workspace=workspace, sales=sales, support=support)
