from django.apps import AppConfig


class NotificatiesConfig(AppConfig):
    name = "balie.integrations.notificaties"
    label = "notificaties"
    verbose_name = "Notificaties"

    def ready(self) -> None:
        # A higher layer registering with a lower one (decision 0018).
        from balie.archive import listeners
        from balie.integrations.notificaties.listener import do_queue_notifications

        listeners.register(do_queue_notifications)
