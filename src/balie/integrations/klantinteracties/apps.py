"""Registering resolved conversations in the Klantinteracties API (Open Klant 2.x)."""

from django.apps import AppConfig


class KlantinteractiesConfig(AppConfig):
    name = "balie.integrations.klantinteracties"
    label = "klantinteracties"
    verbose_name = "Klantinteracties"

    def ready(self) -> None:
        from balie.archive import listeners
        from balie.conversations import followers
        from balie.integrations.klantinteracties import outbox, selectors

        listeners.register(outbox.do_queue_registrations)
        # The conversation pane shows the registration's state and klantcontact.
        followers.register_opening_details(selectors.opening_details)
