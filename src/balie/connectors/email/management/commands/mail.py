"""``balie mail poll [--organisation SLUG] [--once]``: take the mail of every enabled e-mail
account that is read over IMAP. With ``--once`` one round each, then a count per outcome;
without, it keeps running: one thread per mailbox, waiting with IDLE where the server offers
it, noticing added or switched-off accounts within a minute, until interrupted."""

from __future__ import annotations

import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from balie.connectors.email.imap import mail_accounts, watch
from balie.connectors.email.tasks import poll_all
from balie.tenants.models import Organisation

RESCAN_SECONDS = 60.0


class Command(BaseCommand):
    help = "E-mail channels: take the mail of their mailboxes (IMAP)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="poll")
        poll = sub.add_parser("poll", help="Take the mailboxes' unread mail.")
        poll.add_argument("--organisation", help="Only this organisation's (its slug).")
        poll.add_argument("--once", action="store_true", help="One round, then stop.")

    def handle(self, *args, action, organisation=None, once=False, **options):
        organisation_id = None
        if organisation:
            found = Organisation.objects.filter(slug=organisation).first()
            if found is None:
                raise CommandError(
                    _("No organisation with slug %(slug)s.") % {"slug": organisation}
                )
            organisation_id = found.pk
        if once:
            counts = poll_all(organisation_id)
            for outcome, count in sorted(counts.items()):
                self.stdout.write(f"{outcome}: {count}")
            if not counts:
                self.stdout.write(_("No unread mail."))
            return
        self._run(organisation_id)

    def _run(self, organisation_id: int | None, stop: threading.Event | None = None) -> None:
        """Watch each mailbox in a thread of its own until ``stop`` or an interrupt."""
        watching: dict[int, tuple[threading.Thread, threading.Event]] = {}
        stop = stop or threading.Event()
        try:
            while not stop.is_set():
                wanted = {account.pk for account in mail_accounts(organisation_id)}
                for pk in list(watching):
                    thread, own_stop = watching[pk]
                    if pk not in wanted or not thread.is_alive():
                        own_stop.set()
                        del watching[pk]
                for pk in wanted - set(watching):
                    own_stop = threading.Event()
                    thread = threading.Thread(
                        target=watch, args=(pk, own_stop), name=f"mail-{pk}", daemon=True
                    )
                    thread.start()
                    watching[pk] = (thread, own_stop)
                stop.wait(RESCAN_SECONDS)
        except KeyboardInterrupt:
            pass
        finally:
            for _thread, own_stop in watching.values():
                own_stop.set()
            for thread, _own_stop in watching.values():
                thread.join(RESCAN_SECONDS)
            connections.close_all()
