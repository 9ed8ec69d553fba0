from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "balie.web"
    label = "web"
