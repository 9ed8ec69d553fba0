from django.apps import AppConfig


class NotificatiesConfig(AppConfig):
    name = "balie.integrations.notificaties"
    label = "notificaties"
    verbose_name = "Notificaties"
