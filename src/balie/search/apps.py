from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "balie.search"
    label = "search"

    def ready(self) -> None:
        from balie.conversations import followers
        from balie.search import index

        followers.register_index(index)
