from django.apps import AppConfig


class WebPushConfig(AppConfig):
    """Web Push: the residents' push subscriptions, and the archive listener that hears of
    an agent's answer and queues the push (sent after commit)."""

    name = "balie.connectors.webpush"
    label = "connectors_webpush"
    verbose_name = "Web Push"

    def ready(self) -> None:
        from django.core import checks  # noqa: PLC0415

        from balie.archive import listeners  # noqa: PLC0415
        from balie.connectors.webpush.keys import check_key  # noqa: PLC0415
        from balie.connectors.webpush.listener import queue_pushes  # noqa: PLC0415

        listeners.register(queue_pushes)
        checks.register(check_key)
