"""Registering resolved conversations in the Klantinteracties API (Open Klant 2.x)."""

from django.apps import AppConfig


class KlantinteractiesConfig(AppConfig):
    name = "balie.integrations.klantinteracties"
    label = "klantinteracties"
    verbose_name = "Klantinteracties"

    def ready(self) -> None:
        from balie.archive import listeners
        from balie.integrations.klantinteracties import outbox

        listeners.register(outbox.hear)
