"""seed_demo: an idempotent demo workspace for `make run`."""

from django.core.management.base import BaseCommand
from django.db import transaction

from workspaces import services
from workspaces.models import Contact, PhoneNumber, Role, Workspace

DEMO_SLUG = "demo"
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "compliance-demo"
AGENT_EMAIL = "agent@example.com"
NUMBERS = [("+14155550100", "Sales"), ("+14155550101", "Support")]
CONTACTS = [
    ("+14155550123", "Ada Lovelace"),
    ("+14155550124", "Grace Hopper"),
    ("+14155550125", "Alan Turing"),
    ("+14155550126", ""),
]


class Command(BaseCommand):
    help = "Create (or refresh) the demo workspace: two numbers, a few contacts, an admin login."

    @transaction.atomic
    def handle(self, *args, **opts):
        workspace = Workspace.objects.filter(slug=DEMO_SLUG).first()
        if workspace is None:
            workspace = services.workspace_create(name="Demo")
            workspace.slug = DEMO_SLUG
            workspace.save(update_fields=["slug"])
        services.member_add(
            workspace=workspace, email=ADMIN_EMAIL, role=Role.ADMIN, password=ADMIN_PASSWORD
        )
        services.member_add(
            workspace=workspace, email=AGENT_EMAIL, role=Role.AGENT, password=ADMIN_PASSWORD
        )
        for number, label in NUMBERS:
            if not PhoneNumber.objects.filter(number=number).exists():
                services.phone_number_add(workspace=workspace, number=number, label=label)
        for phone, name in CONTACTS:
            Contact.objects.get_or_create(workspace=workspace, phone=phone, defaults={"name": name})
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo workspace ready. Log in at http://127.0.0.1:8000/ as {ADMIN_EMAIL} / "
                f"{ADMIN_PASSWORD} (admin) or {AGENT_EMAIL} / {ADMIN_PASSWORD} (agent)."
            )
        )
