# The CRM delivery log: the HTTP status each delivery got, and test deliveries (no consent
# event) beside the consent events'.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('optout', '0008_auditlogentry_moved_to_workspaces'),
    ]

    operations = [
        migrations.AddField(
            model_name='webhookdelivery',
            name='kind',
            field=models.CharField(choices=[('consent', 'Consent event'), ('test', 'Test')], default='consent', max_length=16),
        ),
        migrations.AddField(
            model_name='webhookdelivery',
            name='response_code',
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='webhookdelivery',
            name='event',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='optout.consentevent'),
        ),
        migrations.AddConstraint(
            model_name='webhookdelivery',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('event__isnull', True), ('kind', 'test')), models.Q(('event__isnull', False), ('kind', 'consent')), _connector='OR'), name='delivery_event_matches_kind'),
        ),
    ]
