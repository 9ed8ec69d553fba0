from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "balie.realtime"
    label = "realtime"
