"""seed_demo: an idempotent demo workspace for `make run`, with a short history to look at.

Everything goes through the product's own services (texts through the inbound pipeline, the
agent's reply through the send policy), so the demo shows what real use would. Each step is
recognised when run again (the demo's texts have fixed carrier ids, a duplicate of which is a
no-op), so a second run adds nothing but a fresh API token (only its hash is stored: the old
demo token is revoked and a new one printed)."""

import os
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from compliance_center.errors import DomainError
from messaging.models import Direction, InboundMessage, Message, MessageSource
from messaging.services.inbound import inbound_process, inbound_receive
from messaging.services.outbound import message_send
from optout import services as consent_services
from optout.models import OptIn, OptOutScope, SignatureMode
from optout.selectors import compliance_settings_for
from workspaces import services
from workspaces.models import ApiToken, Contact, PhoneNumber, Role, Workspace
from workspaces.selectors import number_owner

DEMO_SLUG = "demo"
DEMO_TIME_ZONE = "America/Los_Angeles"
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "compliance-demo"
AGENT_EMAIL = "agent@example.com"
TOKEN_NAME = "Demo (seed_demo)"
SALES, SUPPORT = "+14155550100", "+14155550101"
NUMBERS = [(SALES, "Sales"), (SUPPORT, "Support")]
ADA, GRACE, ALAN, UNNAMED, KATHERINE, MARGARET = (
    "+14155550123",
    "+14155550124",
    "+14155550125",
    "+14155550126",
    "+14155550127",
    "+14155550128",
)
CONTACTS = [
    (ADA, "Ada Lovelace"),
    (GRACE, "Grace Hopper"),
    (ALAN, "Alan Turing"),
    (UNNAMED, ""),
    (KATHERINE, "Katherine Johnson"),
    (MARGARET, "Margaret Hamilton"),
]
AGENT_REPLY = "Hi Ada, your order #1042 is ready for pickup at our Main St store until 6 pm."
CONSENT_EVIDENCE = "Ticked “Text me order updates” on the checkout form at shop.example.com"


@dataclass(frozen=True)
class DemoText:
    """A text a demo contact sends, under the scope it is meant to be recorded in."""

    sid: str
    contact: str
    to: str
    body: str
    scope: str = OptOutScope.INBOX


TEXTS_BEFORE_REPLY = [
    DemoText("SMdemo0000000000000000000000000001", ADA, SALES, "Hi! Is my order ready yet?"),
]
TEXTS_AFTER_REPLY = [
    # Opted out of every number (Inbox Opt-Out, the default)...
    DemoText("SMdemo0000000000000000000000000002", GRACE, SALES, "STOP"),
    # ...and of one number only (recorded under Phone Number Opt-Out, then the scope is put
    # back: a scope change never weakens an opt-out already made).
    DemoText("SMdemo0000000000000000000000000003", ALAN, SUPPORT, "STOP", OptOutScope.PHONE_NUMBER),
    # A text that may revoke consent: a review for a person, due in ten business days.
    DemoText("SMdemo0000000000000000000000000004", MARGARET, SUPPORT, "Leave me alone"),
]


class Command(BaseCommand):
    help = (
        "Create (or refresh) the demo workspace: two numbers, named contacts with a short "
        "history, an admin and an agent login, and a fresh API token."
    )

    @transaction.atomic
    def handle(self, *args, **opts):
        workspace = Workspace.objects.filter(slug=DEMO_SLUG).first()
        if workspace is None:
            workspace = services.workspace_create(name="Demo")
            workspace.slug, workspace.time_zone = DEMO_SLUG, DEMO_TIME_ZONE
            workspace.save(update_fields=["slug", "time_zone"])
            # Carrier-preferred: every sent message carries "Reply STOP to opt out."
            consent_services.compliance_settings_update(
                workspace=workspace, signature_mode=SignatureMode.EVERY_MESSAGE
            )
        admin = services.member_add(
            workspace=workspace, email=ADMIN_EMAIL, role=Role.ADMIN, password=ADMIN_PASSWORD
        ).user
        services.member_add(
            workspace=workspace, email=AGENT_EMAIL, role=Role.AGENT, password=ADMIN_PASSWORD
        )
        for number, label in NUMBERS:
            if not PhoneNumber.objects.filter(number=number).exists():
                services.phone_number_add(workspace=workspace, number=number, label=label)
        for phone, name in CONTACTS:
            Contact.objects.get_or_create(workspace=workspace, phone=phone, defaults={"name": name})
        for text in TEXTS_BEFORE_REPLY:
            self._text_in(workspace, text)
        self._agent_reply(workspace, admin)
        for text in TEXTS_AFTER_REPLY:
            self._text_in(workspace, text)
        self._consent_on_record(workspace, admin)
        token = self._fresh_token(workspace)
        self._report(token)

    def _text_in(self, workspace: Workspace, text: DemoText) -> None:
        """The contact's text through the same pipeline as a carrier webhook (once: a repeated
        carrier id is a no-op), processed now rather than by the worker."""
        if InboundMessage.objects.filter(message_sid=text.sid).exists():
            return
        rules = compliance_settings_for(workspace)
        scope_before = rules.opt_out_scope
        if text.scope != scope_before:
            consent_services.compliance_settings_update(
                workspace=workspace, opt_out_scope=text.scope
            )
        owner = number_owner(text.to, fresh=True)
        params = {"MessageSid": text.sid, "From": text.contact, "To": text.to, "Body": text.body}
        inbound, _ = inbound_receive(owner=owner, params=params)
        inbound_process(inbound_id=inbound.pk)  # a no-op if the webhook already did
        if text.scope != scope_before:
            consent_services.compliance_settings_update(
                workspace=workspace, opt_out_scope=scope_before
            )

    def _agent_reply(self, workspace: Workspace, admin) -> None:
        """The agent answers Ada from the inbox (signed: the demo signs every message)."""
        answered = Message.objects.filter(
            workspace=workspace,
            conversation__contact__phone=ADA,
            direction=Direction.OUTBOUND,
            source=MessageSource.INBOX,
        ).exists()
        if answered:
            return
        try:
            message_send(
                workspace=workspace,
                from_number=SALES,
                to=ADA,
                body=AGENT_REPLY,
                source=MessageSource.INBOX,
                sent_by=admin,
            )
        except DomainError as refusal:  # the demo's rules were changed by hand: say so
            self.stdout.write(f"The demo reply to Ada was not sent: {refusal.detail}")

    def _consent_on_record(self, workspace: Workspace, admin) -> None:
        """Katherine agreed on a web form: consent recorded by the admin, with its evidence."""
        if OptIn.objects.filter(workspace=workspace, contact__phone=KATHERINE).exists():
            return
        try:
            consent_services.consent_record(
                workspace=workspace,
                contact_phone=KATHERINE,
                source="web_form",
                evidence=CONSENT_EVIDENCE,
                number=PhoneNumber.objects.get(number=SALES),
                actor=admin,
            )
        except DomainError as refusal:
            self.stdout.write(f"Katherine's consent was not recorded: {refusal.detail}")

    def _fresh_token(self, workspace: Workspace) -> str:
        """Only a token's hash is kept, so a run cannot show the previous one: it is revoked and
        a new one made (the demo always has exactly one)."""
        for old in ApiToken.objects.filter(
            workspace=workspace, name=TOKEN_NAME, revoked_at__isnull=True
        ):
            services.api_token_revoke(token=old)
        return services.api_token_create(workspace=workspace, name=TOKEN_NAME)

    def _report(self, token: str) -> None:
        port = os.environ.get("PORT", "").strip()
        url = f"http://127.0.0.1:{port}" if port else settings.PUBLIC_BASE_URL
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo workspace ready. Log in at {url}/ as {ADMIN_EMAIL} / {ADMIN_PASSWORD} "
                f"(admin) or {AGENT_EMAIL} / {ADMIN_PASSWORD} (agent)."
            )
        )
        self.stdout.write(
            f"API token of the demo workspace (shown once; the next seed_demo makes a new one):\n"
            f"  {token}\n"
            f'  curl -H "Authorization: Token {token}" {url}/api/v1/contacts'
        )
        public = settings.PUBLIC_BASE_URL.rstrip("/")
        if public.startswith("https://") and public != url:  # a tunnel Twilio can reach
            self.stdout.write(
                f"Twilio posts texts to {public}/webhooks/twilio/sms/ (PUBLIC_BASE_URL)."
            )
