"""``balie search``: search messages as a member of staff, from the command line."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.console import Console
from rich.table import Table
from rich.text import Text

from balie.accounts.models import User
from balie.archive.audit import AuditContext, reset_context, set_context
from balie.conversations.selectors import ConversationNotFound
from balie.search.errors import SearchError
from balie.search.params import DIRECTIONS, SORTS, parse_search
from balie.search.selectors import organisation_of, search_messages


class Command(BaseCommand):
    help = (
        "Search messages of one organisation as a member of staff sees them (written to the "
        'audit log). QUERY: words (all must occur), "a phrase", -excluded, prefix*.'
    )

    def add_arguments(self, parser):
        parser.add_argument("query", nargs="*", metavar="QUERY")
        parser.add_argument("--organisation", metavar="SLUG", required=True)
        parser.add_argument("--user", metavar="USERNAME", required=True, help="search as")
        parser.add_argument("--from", dest="from_", metavar="DATE", help="YYYY-MM-DD")
        parser.add_argument("--to", metavar="DATE", help="YYYY-MM-DD, through that day")
        parser.add_argument("--channel")
        parser.add_argument("--team", metavar="ID")
        parser.add_argument("--contact", metavar="ID")
        parser.add_argument("--status")
        parser.add_argument("--label", action="append", default=[], help="repeat for several")
        parser.add_argument("--case-reference", metavar="ZAAKNUMMER")
        parser.add_argument("--record-class", metavar="ID", help="record class (id)")
        parser.add_argument("--direction", choices=list(DIRECTIONS))
        parser.add_argument("--sort", choices=list(SORTS))
        parser.add_argument("--page", default="1")
        parser.add_argument("--page-size", default="20")
        parser.add_argument("--purpose", default="", help="why (kept in the audit log)")
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active staff user {options['user']!r}.")
        data = {
            "q": " ".join(options["query"]),
            "from": options["from_"],
            "to": options["to"],
            "channel": options["channel"],
            "team": options["team"],
            "contact": options["contact"],
            "status": options["status"],
            "label": options["label"],
            "case_reference": options["case_reference"],
            "record_class": options["record_class"],
            "direction": options["direction"],
            "sort": options["sort"],
            "page": options["page"],
            "page_size": options["page_size"],
        }
        token = set_context(AuditContext(channel="cli", purpose=options["purpose"]))
        try:
            organisation = organisation_of(user, options["organisation"])
            page = search_messages(user, organisation, parse_search(organisation.pk, data))
        except ConversationNotFound:
            raise CommandError(
                f"{options['user']} does not work for {options['organisation']!r}."
            ) from None
        except SearchError as error:
            raise CommandError(f"{error.field}: {error.detail}") from None
        finally:
            reset_context(token)
        if options["json"]:
            self.stdout.write(json.dumps(_as_json(page), ensure_ascii=False, indent=2))
        else:
            _print_table(page, self.stdout)


def _as_json(page) -> dict:
    return {
        "count": page.total,
        "count_exact": page.exact,
        "page": page.page,
        "page_size": page.page_size,
        "pages": page.pages,
        "results": [
            {
                "message": hit.message_id,
                "conversation": hit.conversation_id,
                "seq": hit.seq,
                "created_at": timezone.localtime(hit.created_at).isoformat(),
                "direction": hit.direction,
                "author": hit.author,
                "subject": hit.subject,
                "status": hit.status,
                "team": hit.team_id,
                "team_name": hit.team,
                "snippet": hit.snippet,
                "highlights": [list(pair) for pair in hit.highlights],
            }
            for hit in page.hits
        ],
    }


def _print_table(page, stdout) -> None:
    found = f"{page.total}" if page.exact else f"{page.total} or more (the most recent shown)"
    table = Table(title=f"{found} messages found (page {page.page} of {page.pages})")
    # Times as the console shows them: in BALIE_TIME_ZONE (Europe/Amsterdam), not in UTC.
    when = f"when ({timezone.get_current_timezone_name()})"
    for column in ("conversation", when, "who", "subject", "snippet"):
        table.add_column(column, overflow="fold")
    for hit in page.hits:
        snippet, at = [], 0
        for start, end in hit.highlights:
            snippet += [(hit.snippet[at:start], ""), (hit.snippet[start:end], "bold yellow")]
            at = end
        snippet.append((hit.snippet[at:], ""))
        table.add_row(
            f"#{hit.conversation_id}/{hit.seq}",
            timezone.localtime(hit.created_at).strftime("%Y-%m-%d %H:%M"),
            f"{hit.author} ({hit.direction})",
            hit.subject,
            Text.assemble(*snippet),
        )
    Console(file=stdout, width=160).print(table)
