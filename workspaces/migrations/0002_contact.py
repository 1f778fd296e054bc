# Contact moves from messaging to workspaces: every app refers to the workspace's contacts, and
# workspaces is the lowest app. The table is kept (its rows, ids and foreign keys do not move):
# this migration only takes the model over; 0003 gives the table its new name.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workspaces", "0001_initial"),
        # The table was created by messaging's first migration.
        ("messaging", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Contact",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("phone", models.CharField(help_text="E.164", max_length=20)),
                        ("name", models.CharField(blank=True, max_length=200)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "workspace",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="contacts",
                                to="workspaces.workspace",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["name", "phone"],
                        "db_table": "messaging_contact",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("workspace", "phone"), name="contact_unique_phone"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
