# The contacts' table takes the name of the app that owns it (a rename: no row is copied).
# It runs once every other app's migrations refer to workspaces.Contact (optout 0003, messaging
# 0002): a table created later with a key to "messaging_contact" would point at nothing.

from django.db import migrations


class Migration(migrations.Migration):
    # The rename comes after the apps' moves of the model (messaging 0002, which follows optout
    # 0003): on SQLite a table created by them after the rename would keep a reference to the old
    # name ("no such table: main.messaging_contact" on every insert into it).
    dependencies = [
        ("workspaces", "0002_contact"),
        ("messaging", "0002_contact_moved_to_workspaces"),
    ]

    operations = [
        migrations.AlterModelTable(name="contact", table=None),
    ]
