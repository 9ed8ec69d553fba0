from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "balie.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Who may change an organisation's theme (tenants.theme asks; decision 0018).
        from balie.accounts.actors import Actor
        from balie.accounts.models import Role
        from balie.tenants import theme

        theme.register_permission(
            lambda actor, organisation: Actor.of(actor).has_role(organisation.pk, {Role.ADMIN})
        )
