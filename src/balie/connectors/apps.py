from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "balie.connectors"
    label = "connectors"
    verbose_name = "Connectors"

    def ready(self):
        from balie.connectors.outbound import send_outbound  # noqa: PLC0415
        from balie.conversations.models import Channel  # noqa: PLC0415
        from balie.conversations.tasks import register_sender  # noqa: PLC0415

        # The conversations' delivery task hands every external channel's outbound message
        # to the connectors, which find the account and the connector (decision 0018).
        for channel in (Channel.WHATSAPP, Channel.SMS, Channel.EMAIL):
            register_sender(channel, send_outbound)
