"""The audit log moved from optout to workspaces without copying a row: a database with entries
written under the old layout keeps them, with their ids and actors, after migrating forward
(and back)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("optout", "0003_contact_in_workspaces_ledger_evidence"),
    ("workspaces", "0004_contact_phone_holds_sender_ids"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_audit_entries_survive_the_move_to_workspaces():
    try:
        old = _migrate(BEFORE)
        User = old.get_model("auth", "User")
        Workspace = old.get_model("workspaces", "Workspace")
        OldEntry = old.get_model("optout", "AuditLogEntry")
        user = User.objects.create(username="a@old.test", email="a@old.test")
        workspace = Workspace.objects.create(name="Old", slug="old")
        ids = [
            OldEntry.objects.create(
                workspace=workspace,
                actor=user,
                action="setting_changed",
                field="help_text",
                old_value=f"old {i}",
                new_value=f"new {i}",
            ).id
            for i in range(3)
        ]

        new = _migrate(_latest())
        Entry = new.get_model("workspaces", "AuditLogEntry")
        assert Entry._meta.db_table == "workspaces_auditlogentry"
        rows = list(
            Entry.objects.order_by("id").values_list("id", "actor__email", "old_value", "workspace")
        )
        assert rows == [(ids[i], "a@old.test", f"old {i}", workspace.id) for i in range(3)]
        assert "optout_auditlogentry" not in connection.introspection.table_names()
        # New entries continue the ids.
        from workspaces.models import AuditLogEntry
        from workspaces.services import audit_record

        entry = audit_record(
            workspace=AuditLogEntry.workspace.field.related_model.objects.get(pk=workspace.id),
            actor=None,
            action="x",
        )
        assert entry.id > max(ids)

        back = _migrate(BEFORE)
        assert back.get_model("optout", "AuditLogEntry").objects.count() == 4
    finally:
        _migrate(_latest())
