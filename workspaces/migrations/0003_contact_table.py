# The contacts' table takes the name of the app that owns it (a rename: no row is copied).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workspaces", "0002_contact"),
    ]

    operations = [
        migrations.AlterModelTable(name="contact", table=None),
    ]
