# Contact now belongs to workspaces (see workspaces 0002): conversations refer to it there, and
# messaging lets go of the model. State only: the table and its rows stay as they are.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_initial"),
        ("workspaces", "0002_contact"),
        ("optout", "0003_contact_in_workspaces_ledger_evidence"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="conversation",
                    name="contact",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="conversations",
                        to="workspaces.contact",
                    ),
                ),
                migrations.DeleteModel(name="Contact"),
            ],
            database_operations=[],
        ),
    ]
