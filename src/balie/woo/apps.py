from django.apps import AppConfig


class WooConfig(AppConfig):
    name = "balie.woo"
    label = "woo"
    verbose_name = "Woo"
