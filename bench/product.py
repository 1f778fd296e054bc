"""The bench's only door into the product (`compliance_center`, `workspaces`, `optout`,
`messaging`): every other module of the tool reaches product code through here, so that when
the product's modules move, this file is the one to update.

The imports are inside the functions: Django must be set up first (SeedingMixin.django_setup).
The servers the bench starts load the product by the names below, with bench/settings.py and
bench/urls.py (its settings and URLconf). The phases' raw SQL still reads the product's tables
by name (workspaces_contact, optout_optout, ...): moving a module leaves those unchanged.
"""

from __future__ import annotations

# How the bench starts the product's processes, from the repository root.
MANAGE_PY = "manage.py"  # `migrate`, `create_workspace`
WSGI_APPLICATION = "compliance_center.wsgi:application"  # gunicorn
CELERY_APP = "compliance_center"  # celery -A
SETTINGS_MODULE = "compliance_center.settings"  # bench/roundtrip.py, against a running server


def set_opt_out_scope(workspace_id: int, scope: str) -> None:
    """Sets a workspace's opt-out scope through the product's own service."""
    from optout.services import compliance_settings_update
    from workspaces.models import Workspace

    compliance_settings_update(
        workspace=Workspace.objects.get(pk=workspace_id), opt_out_scope=scope
    )


def policy_check():
    """The send path's policy check, `block_for(*, workspace_id, contact_phone, number)`: what
    blocks that send, or None. The function itself, not a wrapper: the bench times it."""
    from optout.selectors import block_for

    return block_for


def outbound_in_flight():
    """Outbound messages still queued, or sending without a provider id yet: a queryset, each
    `.exists()` asks the database again."""
    from django.db.models import Q

    from messaging.models import Message

    in_flight = Q(status="queued") | Q(status="sending", provider_sid__isnull=True)
    return Message.objects.filter(in_flight)


def roundtrip_models():
    """(Workspace, InboundMessage, Message), which bench/roundtrip.py reads."""
    from messaging.models import InboundMessage, Message
    from workspaces.models import Workspace

    return Workspace, InboundMessage, Message
