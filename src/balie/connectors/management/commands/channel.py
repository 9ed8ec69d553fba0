"""``balie channel add <kind> --organisation SLUG --name NAME --<setting> … --<secret> …``:
add a channel account and print its webhook address; ``balie channel list --organisation
SLUG``; ``balie channel enable|disable ID``. The flags of each kind come from its connector
(``balie channel add whatsapp --help``). Secrets can be given as ``--access-token-file F`` to
keep them out of the shell history."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from balie.connectors.accounts import account_view, do_add_channel, do_update_channel
from balie.connectors.models import ChannelAccount
from balie.connectors.registry import connectors
from balie.errors import BalieError
from balie.tenants.models import Organisation


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


class Command(BaseCommand):
    help = "Channel accounts (WhatsApp, e-mail, SMS): add, list, enable, disable."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="add|list|enable|disable")
        add = sub.add_parser("add", help="Add a channel account; prints its webhook address.")
        kinds = add.add_subparsers(dest="kind", required=True, metavar="|".join(connectors()))
        for kind, connector in sorted(connectors().items()):
            one = kinds.add_parser(kind, help=_("A %(kind)s account.") % {"kind": kind})
            one.add_argument("--organisation", required=True, help="The organisation's slug.")
            one.add_argument("--name", required=True, help="How staff recognise it.")
            for field in connector.settings:
                one.add_argument(_flag(field.name), dest=f"setting_{field.name}", help=field.help)
            for field in connector.secrets:
                one.add_argument(_flag(field.name), dest=f"secret_{field.name}", help=field.help)
                one.add_argument(
                    _flag(field.name) + "-file", dest=f"secretfile_{field.name}",
                    help=_("Read %(name)s from this file.") % {"name": field.name},
                )  # fmt: skip
        listing = sub.add_parser("list", help="The organisation's channel accounts.")
        listing.add_argument("--organisation", required=True, help="The organisation's slug.")
        for action in ("enable", "disable"):
            switch = sub.add_parser(action, help=f"{action.capitalize()} a channel account.")
            switch.add_argument("id", type=int, help="The account's id (balie channel list).")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except BalieError as error:
            raise CommandError(error.message) from None

    def _organisation(self, slug: str) -> Organisation:
        found = Organisation.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(_("No organisation with slug %(slug)s.") % {"slug": slug})
        return found

    def _add(self, *, kind, organisation, name, **options):
        settings = {k[8:]: v for k, v in options.items() if k.startswith("setting_") and v}
        secrets = {k[7:]: v for k, v in options.items() if k.startswith("secret_") and v}
        for key, path in options.items():
            if key.startswith("secretfile_") and path:
                try:
                    secrets[key[11:]] = Path(path).read_text(encoding="utf-8").strip()
                except OSError as error:
                    raise CommandError(
                        _("Cannot read %(file)s: %(error)s") % {"file": path, "error": error}
                    ) from None
        account = do_add_channel(
            self._organisation(organisation).pk, actor=None, kind=kind, name=name,
            settings=settings, secrets=secrets,
        )  # fmt: skip
        view = account_view(account)
        self.stdout.write(
            _("Channel %(id)s added. Webhook address: %(url)s")
            % {"id": account.pk, "url": view["webhook_url"]}
        )

    def _list(self, *, organisation, **options):
        found = self._organisation(organisation)
        for account in ChannelAccount.objects.for_organisation(found).order_by("pk"):
            view = account_view(account)
            state = _("on") if account.enabled else _("off")
            self.stdout.write(
                f"{account.pk}\t{account.kind}\t{account.name}\t{state}\t{view['webhook_url']}"
            )

    def _switch(self, account_id: int, enabled: bool) -> None:
        account = ChannelAccount.objects.filter(pk=account_id).first()
        if account is None:
            raise CommandError(_("No channel %(id)s.") % {"id": account_id})
        do_update_channel(account, actor=None, enabled=enabled)
        self.stdout.write(_("Channel %(id)s is %(state)s.") % {
            "id": account.pk, "state": _("on") if enabled else _("off")})  # fmt: skip

    def _enable(self, *, id, **options):
        self._switch(id, True)

    def _disable(self, *, id, **options):
        self._switch(id, False)
