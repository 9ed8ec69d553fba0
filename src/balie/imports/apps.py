from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "balie.imports"
    label = "imports"
