# The audit log names what a change was made to in `field`: a member's email (254) or a CRM URL
# (500) as well as a setting's name (widened; no row changes).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('workspaces', '0010_invitations_token_last_used_time_zone'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditlogentry',
            name='field',
            field=models.CharField(blank=True, max_length=500),
        ),
    ]
