"""create_workspace --name NAME --admin-email EMAIL [...] [--json]"""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from workspaces import services
from workspaces.models import Role


class Command(BaseCommand):
    help = "Create a workspace with an admin and an API token."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password", default=None)
        parser.add_argument("--twilio-account-sid", default="")
        parser.add_argument("--twilio-auth-token", default="")
        parser.add_argument(
            "--phone-number", action="append", default=[], help="E.164; may be repeated."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **opts):
        name = opts["name"].strip()
        if not name:
            raise CommandError("--name must not be empty")
        try:
            validate_email(opts["admin_email"])
        except ValidationError as exc:
            raise CommandError(f"--admin-email: {exc.messages[0]}") from exc
        sid = opts["twilio_account_sid"]
        if sid and not (sid.startswith("AC") and len(sid) == 34):
            raise CommandError("--twilio-account-sid must look like AC followed by 32 characters")
        with transaction.atomic():
            workspace = services.workspace_create(
                name=name, twilio_account_sid=sid, twilio_auth_token=opts["twilio_auth_token"]
            )
            membership = services.member_add(
                workspace=workspace,
                email=opts["admin_email"],
                role=Role.ADMIN,
                password=opts["admin_password"],
            )
            numbers = []
            for raw in opts["phone_number"]:
                try:
                    numbers.append(
                        services.phone_number_add(workspace=workspace, number=raw).number
                    )
                except Exception as exc:
                    raise CommandError(f"--phone-number {raw}: {exc}") from exc
            token = services.api_token_create(workspace=workspace, created_by=membership.user)
        result = {
            "workspace": workspace.slug,
            "workspace_id": workspace.id,
            "name": workspace.name,
            "admin_email": membership.user.email,
            "api_token": token,
            "phone_numbers": numbers,
        }
        if opts["json"]:
            self.stdout.write(json.dumps(result))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")
