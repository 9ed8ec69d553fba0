from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "balie.api"
    label = "api"

    def ready(self):
        from balie.api import schema  # noqa: F401  registers the API key scheme with OpenAPI
