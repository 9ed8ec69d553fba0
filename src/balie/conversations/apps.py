from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "balie.conversations"
    label = "conversations"

    def ready(self) -> None:
        from balie.conversations import followers, identity

        # The pane shows "Identified with DigiD" (and whether the BSN may be shown).
        followers.register_opening_details(identity.opening_details)
