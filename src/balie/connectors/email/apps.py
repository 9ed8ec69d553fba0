from django.apps import AppConfig


class EmailConfig(AppConfig):
    """The e-mail connector: registers the one ``email`` connector with the connectors'
    registry."""

    name = "balie.connectors.email"
    label = "connectors_email"
    verbose_name = "E-mail connector"

    def ready(self):
        from balie.connectors.email.connector import EmailConnector  # noqa: PLC0415
        from balie.connectors.registry import register  # noqa: PLC0415

        register(EmailConnector())
