from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "balie.api"
    label = "api"
