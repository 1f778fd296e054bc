"""What consent does when a tenant changes: a new workspace gets its compliance settings; a
number with opt-outs made on it is not removed."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from workspaces.models import Workspace
from workspaces.signals import RemovalImpact, phone_number_removal

from .models import ComplianceSettings, OptOut


@receiver(post_save, sender=Workspace, dispatch_uid="optout.settings_for_new_workspace")
def settings_for_new_workspace(sender: type, instance: Workspace, created: bool, **kwargs: Any):
    if created:
        ComplianceSettings.objects.get_or_create(workspace=instance)


@receiver(phone_number_removal, dispatch_uid="optout.opt_outs_keep_their_number")
def opt_outs_keep_their_number(sender: type, number: Any, **kwargs: Any) -> RemovalImpact | None:
    """A number with opt-outs made on it stays: removing it would delete them, and the
    contacts would be texted again from the other numbers (under Inbox Opt-Out)."""
    contacts = OptOut.objects.filter(phone_number=number).values("contact_id").distinct().count()
    if not contacts:
        return None
    people = "1 contact" if contacts == 1 else f"{contacts} contacts"
    return RemovalImpact(
        blockers=[
            f"{people} opted out on this number: removing it would delete their opt-outs and "
            "they could be texted again. Keep the number (relabel it, e.g. “Retired”) so that "
            "the block list keeps them."
        ]
    )
