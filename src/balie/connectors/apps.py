from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "balie.connectors"
    label = "connectors"
    verbose_name = "Connectors"
