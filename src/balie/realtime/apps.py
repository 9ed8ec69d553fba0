from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "balie.realtime"
    label = "realtime"

    def ready(self) -> None:
        # A lower layer announces access changes; the sockets live here (decision 0018).
        from balie.accounts.actions import staff_access_changed
        from balie.realtime.sessions import on_access_changed

        staff_access_changed.connect(on_access_changed, dispatch_uid="realtime.access_changed")
