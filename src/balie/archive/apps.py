from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "balie.archive"
    label = "archive"

    def ready(self) -> None:
        from balie.archive.actions import record_creation
        from balie.tenants.actions import organisation_created

        organisation_created.connect(record_creation, dispatch_uid="archive.record_creation")
