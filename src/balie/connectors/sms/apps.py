from django.apps import AppConfig


class SmsConfig(AppConfig):
    """The SMS connector: registers the one ``sms`` connector with the connectors' registry."""

    name = "balie.connectors.sms"
    label = "connectors_sms"
    verbose_name = "SMS connector"

    def ready(self):
        from balie.connectors.registry import register  # noqa: PLC0415
        from balie.connectors.sms.connector import SmsConnector  # noqa: PLC0415

        register(SmsConnector())
