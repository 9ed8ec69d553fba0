# Generated for issue 17 (resident identification with DigiD)

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_sso_and_identities'),
        ('tenants', '0002_privacy'),
    ]

    operations = [
        migrations.CreateModel(
            name='ResidentSignOn',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('enabled', models.BooleanField(default=True)),
                ('issuer', models.URLField(help_text="The broker's exact 'iss'.", max_length=1000)),
                ('authorization_endpoint', models.URLField(max_length=1000)),
                ('token_endpoint', models.URLField(max_length=1000)),
                ('jwks_uri', models.URLField(max_length=1000)),
                ('client_id', models.CharField(max_length=255)),
                ('client_secret', models.TextField(help_text='Sealed (tenants.secrets); never shown.')),
                ('token_auth_basic', models.BooleanField(default=True, help_text='client_secret_basic; otherwise client_secret_post.')),
                ('scopes', models.JSONField(default=list)),
                ('acr_values', models.JSONField(blank=True, default=list, help_text="'acr' values accepted (asked for in this order); empty: any.")),
                ('bsn_claim', models.CharField(default='bsn', help_text='Dotted path of the claim holding the BSN.', max_length=200)),
                ('bsn_prefix', models.CharField(blank=True, help_text="A prefix the claim's value must start with, removed (e.g. 's00000000:').", max_length=50)),
                ('show_bsn_to_agents', models.BooleanField(default=False, help_text='Agents may show the BSN in the contact panel (audit-logged).')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('organisation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='resident_sign_on', to='tenants.organisation')),
            ],
        ),
    ]
