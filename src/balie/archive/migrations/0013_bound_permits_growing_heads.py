"""A destruction permit bound to one list and one transaction; chain heads that only grow;
the heads each verification run saw (see archive.triggers)."""

import django.db.models.deletion
from django.db import migrations, models

from balie.archive.triggers import bind_permits

drop_v1, create_v2 = bind_permits()


class Migration(migrations.Migration):

    dependencies = [
        ('archive', '0012_translatable_choice_labels'),
    ]

    operations = [
        migrations.RunPython(*drop_v1),
        migrations.AddField(
            model_name='destructionpermit',
            name='destruction_list',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='archive.destructionlist'),
        ),
        migrations.AddField(
            model_name='destructionpermit',
            name='txid',
            field=models.BigIntegerField(blank=True, help_text='PostgreSQL: txid_current() of the writing transaction.', null=True),
        ),
        migrations.AddField(
            model_name='verificationrun',
            name='audit_hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='verificationrun',
            name='audit_seq',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='verificationrun',
            name='events_hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='verificationrun',
            name='events_seq',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(*create_v2),
    ]
