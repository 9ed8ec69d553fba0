from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "balie.conversations"
    label = "conversations"
