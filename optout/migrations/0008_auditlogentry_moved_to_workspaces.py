# The audit log now belongs to workspaces (see workspaces 0005): optout lets go of the model.
# State only: the table and its rows stay as they are. The content type follows the model, so
# that permissions granted on it keep their meaning.

from django.db import migrations


def content_type_to_workspaces(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="workspaces", model="auditlogentry").exists():
        ContentType.objects.filter(app_label="optout", model="auditlogentry").update(
            app_label="workspaces"
        )


def content_type_to_optout(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="optout", model="auditlogentry").exists():
        ContentType.objects.filter(app_label="workspaces", model="auditlogentry").update(
            app_label="optout"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("optout", "0007_revocation_reviews"),
        ("workspaces", "0008_auditlogentry_moved_from_optout"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditLogEntry")],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_workspaces, content_type_to_optout),
    ]
