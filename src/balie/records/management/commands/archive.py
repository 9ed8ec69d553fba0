"""``balie archive export-mdto --organisation SLUG --output DIR [--due-before DATE |
--conversation ID ...]``: write conversations for transfer to an e-Depot, as files with MDTO
metadata and a checksum manifest (see :mod:`balie.records.transfer`)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from balie.accounts.models import User
from balie.archive.audit import AuditContext, reset_context, set_context
from balie.errors import BalieError
from balie.records import transfer
from balie.tenants.models import Organisation


class Command(BaseCommand):
    help = "The archive's transfer: export-mdto writes conversations for an e-Depot."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="export-mdto")
        export = sub.add_parser(
            "export-mdto",
            help="Write conversations as files with MDTO 1.0.1 metadata and checksums.",
            description=(
                "Without --conversation: the closed conversations of record classes with "
                "waardering 'bewaren' whose closing date plus --after-years years lies before "
                "--due-before (or now). Held conversations are included: transfer is not "
                "destruction. The directory must not exist or be empty; it appears only "
                "when the export is complete."
            ),
        )
        export.add_argument("--organisation", metavar="SLUG", required=True)
        export.add_argument("--output", metavar="DIR", required=True, help="a new directory")
        which = export.add_mutually_exclusive_group()
        which.add_argument(
            "--due-before", metavar="DATE", help="YYYY-MM-DD: due before the start of this day"
        )
        which.add_argument(
            "--conversation", metavar="ID", nargs="+", action="extend",
            help="these conversations (closed, not destroyed) instead of the due ones",
        )  # fmt: skip
        export.add_argument(
            "--after-years", metavar="N",
            help="years after closing that a conversation is due (default 20, the transfer "
            "term of the Archiefwet 1995)",
        )  # fmt: skip
        export.add_argument(
            "--user", metavar="USERNAME",
            help="the records manager responsible (kept in the audit log and the metadata)",
        )  # fmt: skip

    def handle(self, *args, action, **options):
        token = set_context(AuditContext(channel="cli", purpose="Overbrenging (MDTO-export)"))
        try:
            self._export(**options)
        except BalieError as error:
            raise CommandError(error.message) from None
        finally:
            reset_context(token)

    def _export(self, *, organisation, output, due_before, conversation, after_years, user,
                **options):  # fmt: skip
        found = Organisation.objects.filter(slug=organisation).first()
        if found is None:
            raise CommandError(_("No organisation with slug %(slug)s.") % {"slug": organisation})
        actor = self._user(user) if user else None
        output = transfer.check_output(Path(output))
        if conversation:
            if after_years is not None:
                raise CommandError(_("--after-years does not go with --conversation."))
            chosen = transfer.chosen_for_transfer(found.pk, conversation)
        else:
            before = transfer.start_of(transfer.parse_day(due_before)) if due_before else None
            years = transfer.DEFAULT_AFTER_YEARS if after_years is None else _years(after_years)
            chosen = transfer.due_for_transfer(found.pk, before=before, after_years=years)
        if not chosen:
            self.stdout.write(_("No conversation is due for transfer; nothing was written."))
            return
        done = transfer.do_export_mdto(found, chosen, output, actor=actor)
        self.stdout.write(
            _("%(count)s conversations, %(files)s files (%(size)s bytes) written to %(dir)s.")
            % {"count": len(done.conversations), "files": done.files, "size": done.size,
               "dir": done.directory}
        )  # fmt: skip
        self.stdout.write(
            _("Check it with: cd %(dir)s && sha256sum -c checksums.sha256")
            % {"dir": done.directory}
        )

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active staff user %(username)s.") % {"username": username})
        return user


def _years(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise CommandError(
            _("--after-years is a whole number of years, not %(text)s.") % {"text": text}
        )
    return int(text)
