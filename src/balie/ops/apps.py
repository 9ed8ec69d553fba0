from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "balie.ops"
    label = "ops"
