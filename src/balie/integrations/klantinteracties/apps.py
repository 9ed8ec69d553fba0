from django.apps import AppConfig


class KlantinteractiesConfig(AppConfig):
    name = "balie.integrations.klantinteracties"
    label = "klantinteracties"
    verbose_name = "Klantinteracties"
