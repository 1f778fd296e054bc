# The ledger's contact is now workspaces.Contact (the same table: state only), and a consent
# event keeps its own copy of the evidence (the inbound text's MessageSid and arrival time)
# instead of a foreign key to messaging's InboundMessage: the ledger outlives message retention.

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_inbound_evidence(apps, schema_editor):
    ConsentEvent = apps.get_model("optout", "ConsentEvent")
    InboundMessage = apps.get_model("messaging", "InboundMessage")
    inbound = InboundMessage.objects.filter(pk=OuterRef("inbound_id"))
    ConsentEvent.objects.filter(inbound__isnull=False).update(
        message_sid=Subquery(inbound.values("message_sid")[:1]),
        received_at=Subquery(inbound.values("received_at")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("optout", "0002_sending_rules"),
        ("workspaces", "0002_contact"),
        ("messaging", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="consentevent",
                    name="contact",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="consent_events",
                        to="workspaces.contact",
                    ),
                ),
                migrations.AlterField(
                    model_name="optout",
                    name="contact",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="opt_outs",
                        to="workspaces.contact",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="consentevent",
            name="message_sid",
            field=models.CharField(blank=True, db_default="", default="", max_length=64),
        ),
        migrations.AddField(
            model_name="consentevent",
            name="received_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(copy_inbound_evidence, migrations.RunPython.noop),
        migrations.RemoveField(model_name="consentevent", name="inbound"),
    ]
