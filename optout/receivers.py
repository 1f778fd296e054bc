"""What consent does when a tenant changes: a new workspace gets its compliance settings."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from workspaces.models import Workspace

from .models import ComplianceSettings


@receiver(post_save, sender=Workspace, dispatch_uid="optout.settings_for_new_workspace")
def settings_for_new_workspace(sender: type, instance: Workspace, created: bool, **kwargs: Any):
    if created:
        ComplianceSettings.objects.get_or_create(workspace=instance)
