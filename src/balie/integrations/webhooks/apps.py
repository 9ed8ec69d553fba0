from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "balie.integrations.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
