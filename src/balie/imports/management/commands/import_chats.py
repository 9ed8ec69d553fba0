"""``balie import whatsapp|sms|telegram FILE``: an official's work chats into the archive.

Reads the export, proposes which messages are business, private or doubtful (with reasons),
applies the ``--select`` rules on top of the proposal and stores only the selected messages,
in one transaction. Doubtful messages must be decided: ``--include``/``--exclude`` them, or
``--doubt keep|drop`` for all; until then nothing is stored. ``--dry-run`` shows the proposal
and stores nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import IO, cast

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from balie.accounts.models import User
from balie.imports.actions import do_import
from balie.imports.exports import Export, ImportRefused, context_for, proposals, review
from balie.imports.models import Source
from balie.imports.parsers.base import ParseError
from balie.imports.selection import Rules
from balie.tenants.models import Organisation


class Command(BaseCommand):
    help = (
        "Import an official's work chats from a phone's export (WhatsApp .txt/.zip, SMS Backup "
        "& Restore .xml (messages or calls), Telegram Desktop result.json or its folder zipped). "
        "Only the selected messages are stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", choices=Source.values)
        parser.add_argument("file", metavar="FILE")
        parser.add_argument("--organisation", metavar="SLUG", required=True)
        parser.add_argument("--owner", metavar="USERNAME", required=True, help="whose phone")
        parser.add_argument(
            "--importer", metavar="USERNAME", help="who imports (default: the owner)"
        )
        parser.add_argument("--timezone", default="Europe/Amsterdam", help="of the export's times")
        parser.add_argument(
            "--select",
            default="proposal",
            choices=["proposal", "all", "none"],
            help="start from Balie's proposal (default), everything or nothing",
        )
        parser.add_argument(
            "--doubt",
            default="ask",
            choices=["ask", "keep", "drop"],
            help="doubtful messages not decided by --include/--exclude: refuse (default), "
            "keep them all or drop them all",
        )
        parser.add_argument(
            "--family", action="append", default=[], help="an author who is family (repeat)"
        )
        parser.add_argument("--chat", action="append", default=[], help="only this chat (repeat)")
        parser.add_argument("--from", dest="since", metavar="DATE", help="YYYY-MM-DD")
        parser.add_argument("--to", dest="until", metavar="DATE", help="YYYY-MM-DD, that day too")
        parser.add_argument("--include", metavar="N,N-M", default="", help="message numbers in")
        parser.add_argument("--exclude", metavar="N,N-M", default="", help="message numbers out")
        parser.add_argument(
            "--me", action="append", default=[], help="the owner's name in the chat (repeat)"
        )
        parser.add_argument("--date-order", choices=["dmy", "mdy", "ymd"], help="WhatsApp only")
        parser.add_argument("--owner-note", default="", help="device and owner, for provenance")
        parser.add_argument("--dry-run", action="store_true", help="show the proposal only")

    def handle(self, *args, **options):
        console = Console(file=cast(IO[str], self.stdout), width=120)
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation {options['organisation']!r}.")
        owner = _user(options["owner"])
        importer = _user(options["importer"]) if options["importer"] else owner
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        export = Export(
            path=path,
            source=options["source"],
            file_name=path.name,
            time_zone=options["timezone"],
            date_order=options["date_order"],
            owner_name=owner.get_full_name() or owner.username,
        )
        try:
            rules = Rules(
                base=options["select"],
                doubt=options["doubt"],
                chats=frozenset(options["chat"]),
                since=_date(options["since"], "--from"),
                until=_date(options["until"], "--to"),
                include=_numbers(options["include"], "--include"),
                exclude=_numbers(options["exclude"], "--exclude"),
            )
            me = frozenset(options["me"] or [owner.get_full_name()]) - {""}
            family = frozenset(options["family"])
            if options["dry_run"]:
                self._show_proposal(console, export, organisation, owner, rules, me, family)
                return
            batch = self._import(
                console, export, organisation, owner, importer, rules, me, family, options
            )
        except ParseError as error:
            raise CommandError(error.message) from None
        except ImportRefused as error:
            raise CommandError(error.message) from None
        except ValueError as error:
            raise CommandError(str(error)) from None
        table = Table(title=f"Import {batch.pk}: {batch.file_name}")
        table.add_column("")
        table.add_column("", justify="right")
        for label, value in (
            ("format", batch.format),
            ("sha256", batch.sha256),
            ("messages in the file", batch.messages_in_file),
            ("selected", batch.messages_selected),
            ("added to the archive", batch.messages_added),
            ("already in the archive", batch.messages_already_archived),
            ("attachments added", batch.attachments_added),
            ("conversations", batch.conversations_touched),
        ):
            table.add_row(label, str(value))
        console.print(table)

    def _import(self, console, export, organisation, owner, importer, rules, me, family, options):
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,}/{task.total:,} messages"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress:
            reviewed = review(export)
            task = progress.add_task("importing", total=reviewed.messages)
            return do_import(
                export,
                organisation=organisation,
                owner=owner,
                importer=importer,
                rules=rules,
                me=me,
                family=family,
                owner_note=options["owner_note"],
                channel="cli",
                progress=lambda done: progress.update(task, completed=done),
            )

    def _show_proposal(self, console, export, organisation, owner, rules, me, family) -> None:
        reviewed = review(export)
        chats = Table(title=f"{export.file_name}: {reviewed.format}")
        for column in ("chat", "messages", "authors", "from", "to"):
            chats.add_column(column)
        for summary in reviewed.summaries.values():
            chats.add_row(
                summary.chat,
                str(summary.messages),
                ", ".join(a for a, _ in summary.authors.most_common(5)),
                f"{summary.first:%Y-%m-%d}" if summary.first else "",
                f"{summary.last:%Y-%m-%d}" if summary.last else "",
            )
        console.print(chats)
        console.print("[bold]Proposal[/bold] (nothing stored: --dry-run)")
        context = context_for(organisation, owner, export.source, me=me, family=family)
        words = {"business": "work", "private": "private", "doubt": "doubt"}
        for message, chat, proposal in proposals(export, reviewed, context):
            if rules.undecided(message, chat, proposal):
                outcome = "decide (doubt)"
            else:
                outcome = "store" if rules.selects(message, chat, proposal) else "skip"
            console.print(
                f"#{message.index} {message.timestamp:%Y-%m-%d %H:%M} [{chat}] "
                f"{message.author or '(system)'}: {message.text[:100]}",
                markup=False,
                highlight=False,
            )
            console.print(
                f"    {outcome}: {words[proposal.verdict]} {_percent(proposal)}: "
                f"{' '.join(proposal.reasons)}",
                markup=False,
                highlight=False,
            )


def _percent(proposal) -> str:
    """How sure a verdict is; for a doubtful message, its chance of work."""
    if proposal.doubt:
        return f"({proposal.work_percent}% work)"
    return f"{proposal.confidence}%"


def _user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active staff user {username!r}.")
    return user


def _date(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: {value!r} is not a date (YYYY-MM-DD).") from None


def _numbers(value: str, option: str) -> frozenset[int]:
    """'3,7-9' -> {3, 7, 8, 9}."""
    found: set[int] = set()
    for part in filter(None, (p.strip() for p in value.split(","))):
        try:
            low, _, high = part.partition("-")
            first, last = int(low), int(high or low)
        except ValueError:
            raise CommandError(f"{option}: {part!r} is not a number or a range N-M.") from None
        if first < 0 or last < first or last - first > 10_000_000:
            raise CommandError(f"{option}: {part!r} is not a range N-M with N <= M.")
        found.update(range(first, last + 1))
    return frozenset(found)
