from django.apps import AppConfig


class WhatsAppConfig(AppConfig):
    """The WhatsApp Business Platform (Cloud API) connector: registers the ``whatsapp``
    connector with the connectors' registry; its templates live here."""

    name = "balie.connectors.whatsapp"
    label = "connectors_whatsapp"
    verbose_name = "WhatsApp connector"

    def ready(self):
        from balie.connectors.registry import register  # noqa: PLC0415
        from balie.connectors.whatsapp.connector import WhatsAppConnector  # noqa: PLC0415

        register(WhatsAppConnector())
