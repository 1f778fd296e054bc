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


# ---------------------------------------------------------------- broadcasts and imports


def campaign_settings(workspace_id: int, **changes) -> None:
    """Changes compliance settings (consent_required, ...) through the product's service."""
    from optout.services import compliance_settings_update
    from workspaces.models import Workspace

    compliance_settings_update(workspace=Workspace.objects.get(pk=workspace_id), **changes)


def set_rates(rates: dict[str, int]) -> None:
    """Each number's messages_per_second."""
    from workspaces.models import PhoneNumber

    for number, rate in rates.items():
        PhoneNumber.objects.filter(number=number).update(messages_per_second=rate)


def broadcast_create(
    workspace_id: int, senders: list[str], audience: dict, body: str, send_at=None
) -> int:
    """A broadcast through the product's service (its preparation queued unless `send_at`)."""
    from messaging.broadcasts.services import broadcast_create as create
    from workspaces.models import Workspace

    return create(
        workspace=Workspace.objects.get(pk=workspace_id),
        from_=senders,
        body=body,
        audience=audience,
        send_at=send_at,
    ).pk


def broadcast_resolve(broadcast_id: int) -> None:
    """The set-based resolution of a broadcast's recipients, as its preparation runs it."""
    from messaging.broadcasts import audience
    from messaging.broadcasts.models import Broadcast
    from messaging.broadcasts.services import parse_audience
    from optout.selectors import compliance_settings_for

    broadcast = Broadcast.objects.select_related("workspace").get(pk=broadcast_id)
    audience.resolve(
        broadcast=broadcast,
        rules=compliance_settings_for(broadcast.workspace),
        audience=parse_audience(broadcast.audience, broadcast.workspace),
    )


def broadcast_counts(broadcast_id: int) -> dict:
    from messaging.broadcasts.models import Broadcast
    from messaging.broadcasts.selectors import broadcast_counts as counts

    broadcast = Broadcast.objects.select_related("workspace").get(pk=broadcast_id)
    return {"status": broadcast.status, **counts(broadcast)}


def broadcast_cancel(broadcast_id: int) -> None:
    from messaging.broadcasts.models import Broadcast
    from messaging.broadcasts.services import broadcast_cancel as cancel

    cancel(broadcast=Broadcast.objects.get(pk=broadcast_id))


def import_file(workspace_id: int, path: str, kind: str, mapping: list[str]) -> dict:
    """Imports a CSV file through the product's services, in this process (no worker): the
    upload stored, then processed slice after slice until done. Returns the import's figures."""
    from django.core.files import File

    from optout.imports import services
    from optout.imports.models import Import
    from workspaces.models import Workspace

    with open(path, "rb") as f:
        job = services.import_create(
            workspace=Workspace.objects.get(pk=workspace_id),
            kind=kind,
            upload=File(f, name=path.rsplit("/", 1)[-1]),
            mapping=mapping,
        )
    while services.import_process(import_id=job.pk, max_seconds=3600).again:
        pass
    job = Import.objects.get(pk=job.pk)
    return {
        "status": job.status,
        "rows_total": job.rows_total,
        "rows_done": job.rows_done,
        "created": job.created_count,
        "errors": job.error_count,
        "failure": job.failure,
    }
