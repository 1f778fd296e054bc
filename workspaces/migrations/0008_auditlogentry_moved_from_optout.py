# The audit log moves from optout to workspaces: workspace settings, numbers, members, tokens and
# CRM endpoints are audited too, and workspaces is the lowest app. The table is kept (its rows and
# ids do not move): this migration only takes the model over (as 0002 did for Contact); optout
# 0004 lets go of it and 0006 gives the table and its index their new names.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workspaces", "0007_number_registration"),
        # The table was created by optout's first migration.
        ("optout", "0003_contact_in_workspaces_ledger_evidence"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditLogEntry",
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
                        ("via", models.CharField(default="web", max_length=16)),
                        ("action", models.CharField(max_length=64)),
                        ("field", models.CharField(blank=True, max_length=64)),
                        ("old_value", models.TextField(blank=True)),
                        ("new_value", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "workspace",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="audit_log",
                                to="workspaces.workspace",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-created_at", "-id"],
                        "db_table": "optout_auditlogentry",
                        # The name optout's first migration gave the index.
                        "indexes": [
                            models.Index(
                                fields=["workspace", "-created_at"],
                                name="optout_audi_workspa_3735f3_idx",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
