# The audit log's table and index take the names of the app that owns them (renames: no row is
# copied).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workspaces", "0008_auditlogentry_moved_from_optout"),
        # optout must have let go of the model before its table changes name.
        ("optout", "0008_auditlogentry_moved_to_workspaces"),
    ]

    operations = [
        migrations.AlterModelTable(name="auditlogentry", table=None),
        migrations.RenameIndex(
            model_name="auditlogentry",
            new_name="audit_workspace_time",
            old_name="optout_audi_workspa_3735f3_idx",
        ),
    ]
