"""``balie search-reindex``: rebuild the search index from the messages."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from balie.conversations.models import Message
from balie.search.index import reindex_all
from balie.tenants.models import Organisation


class Command(BaseCommand):
    help = "Rebuild the full-text search index of every message (or of one organisation)."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", metavar="SLUG", help="only this organisation")

    def handle(self, *args, organisation=None, **options):
        organisation_id = None
        if organisation:
            found = Organisation.objects.filter(slug=organisation).first()
            if found is None:
                raise CommandError(f"No organisation with slug {organisation!r}.")
            organisation_id = found.pk
        messages = Message.objects.all()
        if organisation_id is not None:
            messages = messages.filter(organisation_id=organisation_id)
        total = messages.count()
        done = 0
        with Progress(transient=True) as progress:
            task = progress.add_task("Indexing messages", total=total)
            for done in reindex_all(organisation_id):
                progress.update(task, completed=done)
        self.stdout.write(f"Indexed {done} messages.")
