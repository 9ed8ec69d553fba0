"""Storing an official's selected chat messages in the archive: the one write path of
imports (:func:`do_import`).

An export is read three times, never kept in memory whole: a first pass sums up its chats
(who writes, how many messages), a second proposes and applies the official's selection, and
only the selected messages are stored, in one transaction (:mod:`balie.imports.writer`).

What is not selected is not written anywhere: not to the database, not to the file store,
not to a log (only counts are logged).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from balie.accounts.actors import Actor
from balie.accounts.models import RECORDS_ROLES
from balie.imports.exports import Export, ImportRefused, context_for, proposals, review
from balie.imports.models import ImportBatch
from balie.imports.selection import Rules, classifier_version
from balie.imports.writer import CHUNK, Writer, file_sha256, remove_unreferenced

__all__ = ["ImportRefused", "do_import"]

log = logging.getLogger(__name__)


def do_import(
    export: Export,
    *,
    organisation,
    owner,
    importer,
    rules: Rules,
    me: frozenset[str] = frozenset(),
    family: frozenset[str] = frozenset(),
    owner_note: str = "",
    channel: str = "cli",
    progress: Callable[[int], None] | None = None,
) -> ImportBatch:
    """Store the selected messages of ``export`` as imported conversations; one transaction.

    ``me``: the author names that are the official (their messages are stored as sent by
    them); SMS exports say so themselves. ``family``: the authors the official marked as
    family (the proposal weighs that). While ``rules`` leave a doubtful message undecided,
    nothing is stored: ``ImportRefused("undecided")`` says how many there are.
    """
    _check_people(organisation, owner, importer)
    data = export.path.stat().st_size
    digest = file_sha256(export.path)
    reviewed = review(export)
    context = context_for(organisation, owner, export.source, me=me, family=family)
    stored_blobs: list[str] = []
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                organisation=organisation,
                source=export.source,
                file_name=export.file_name[:255],
                sha256=digest,
                size=data,
                parser=f"balie.imports.parsers.{export.source}",
                format=reviewed.format[:100],
                classifier=classifier_version(),
                time_zone=reviewed.time_zone,
                owner=owner,
                owner_note=owner_note,
                imported_by=importer,
                channel=channel,
                messages_in_file=reviewed.messages,
            )
            writer = Writer(batch, export, reviewed, owner, importer, me, stored_blobs)
            seen = undecided = 0
            for message, chat, proposal in proposals(export, reviewed, context):
                seen += 1
                if rules.undecided(message, chat, proposal):
                    undecided += 1
                elif not undecided and rules.selects(message, chat, proposal):
                    writer.add(message, chat)
                if progress and seen % CHUNK == 0:
                    progress(seen)
            if undecided:  # nothing is stored: the transaction is rolled back
                raise ImportRefused(
                    "undecided",
                    ngettext(
                        "%(count)s message is marked 'doubt': decide whether it is kept.",
                        "%(count)s messages are marked 'doubt': decide whether they are kept.",
                        undecided,
                    ),
                    params={"count": undecided},
                )
            writer.flush()
            writer.finish()
            if progress:
                progress(seen)
    except BaseException:
        remove_unreferenced(stored_blobs)
        raise
    log.info(
        "import.done",
        extra={
            "batch": batch.pk,
            "selected": batch.messages_selected,
            "added": batch.messages_added,
        },
    )
    return batch


def _check_people(organisation, owner, importer) -> None:
    """The owner works for the organisation; officials import their own chats, records
    managers and administrators may import for someone else."""
    if Actor.of(owner).role_in(organisation.pk) is None:
        raise ImportRefused(
            "owner_not_member",
            _("%(owner)s does not work for %(organisation)s."),
            params={"owner": owner.username, "organisation": organisation.name},
        )
    if importer != owner and not Actor.of(importer).has_role(organisation.pk, RECORDS_ROLES):
        raise ImportRefused(
            "not_allowed",
            _(
                "Only the owner of the phone, a records manager or an administrator may import "
                "these chats."
            ),
        )
