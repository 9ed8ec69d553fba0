from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "balie.integrations.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from balie.archive import listeners
        from balie.integrations.webhooks import listener

        listeners.register(listener.do_queue_deliveries)
