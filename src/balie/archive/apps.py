from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "balie.archive"
    label = "archive"
