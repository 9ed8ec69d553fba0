"""Uploads waiting for review in the console: the export file in a private staging folder,
and the official's choices so far.

The staged file holds every message, also the private ones, so it lives no longer than
needed: it is overwritten and removed when the upload is refused or fails in any way, when
the import is confirmed (or fails) or cancelled, and the daily ``imports-cleanup`` job removes
what was left for more than a day.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.imports.actions import do_import
from balie.imports.exports import Export, ImportRefused, Reviewed, review
from balie.imports.models import ImportBatch, ImportUpload, Source
from balie.imports.selection import Rules

__all__ = [
    "KEEP_FOR",
    "do_cleanup_uploads",
    "do_choose",
    "do_choose_where",
    "do_confirm_upload",
    "do_discard_upload",
    "do_stage_upload",
    "do_update_choices",
    "export_of",
]

KEEP_FOR = timedelta(days=1)
CHUNK = 1024 * 1024


def staging_dir() -> Path:
    path = Path(settings.IMPORT_STAGING_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _path(upload: ImportUpload) -> Path:
    return staging_dir() / upload.token


def export_of(upload: ImportUpload) -> Export:
    return Export(
        path=_path(upload),
        source=upload.source,
        file_name=upload.file_name,
        time_zone=upload.time_zone,
        date_order=upload.date_order or None,
        owner_name=upload.uploaded_by.get_full_name() or upload.uploaded_by.username,
    )


def do_stage_upload(
    organisation, user, *, chunks, file_name: str, source: str, time_zone: str = "",
    date_order: str = "", owner_note: str = "",
) -> tuple[ImportUpload, Reviewed]:  # fmt: skip
    """Keep an uploaded export for review; refuse it (and keep nothing) when it is too
    large or cannot be read."""
    if source not in Source.values:
        raise ImportRefused("unknown_source", _("Choose WhatsApp, SMS or Telegram."))
    if date_order not in ("", "dmy", "mdy", "ymd"):
        raise ImportRefused("invalid_date_order", _("The date order is dmy, mdy or ymd."))
    token = secrets.token_hex(16)
    path = staging_dir() / token
    size = 0
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > settings.IMPORT_MAX_BYTES:
                    raise ImportRefused(
                        "too_large",
                        _("The file is too large: the maximum is %(limit)s MB."),
                        params={"limit": settings.IMPORT_MAX_BYTES // (1024 * 1024)},
                    )
                out.write(chunk)
        upload = ImportUpload(
            token=token,
            organisation=organisation,
            uploaded_by=user,
            source=source,
            file_name=Path(file_name).name[:255] or "export",
            size=size,
            time_zone=time_zone or "Europe/Amsterdam",
            date_order=date_order,
            owner_note=owner_note,
        )
        reviewed = review(export_of(upload))
        own = user.get_full_name().strip()
        authors = {a for s in reviewed.summaries.values() for a in s.authors}
        upload.me = [own] if own in authors else []
        upload.save()
        return upload, reviewed
    except BaseException:
        # whatever went wrong (a refusal, a damaged zip, a bug): the private messages go now
        _shred(path)
        raise


def do_update_choices(
    upload: ImportUpload, *, shown: dict[int, str], decisions: dict[int, bool],
    me: list[str] | None = None, family: list[str] | None = None,
) -> None:  # fmt: skip
    """The choices of one page: ``shown`` maps each message number on it to its proposal's
    verdict (business, private, doubt); ``decisions`` the official's choice for those they
    decided (True: keep). Only what differs from the proposal is stored, and every decided
    doubt; a message shown without a decision is undecided again."""
    include, exclude = set(upload.include) - set(shown), set(upload.exclude) - set(shown)
    for index, verdict in shown.items():
        keep = decisions.get(index)
        if keep is True and verdict != "business":
            include.add(index)
        elif keep is False and verdict != "private":
            exclude.add(index)
    upload.include, upload.exclude = sorted(include), sorted(exclude)
    if me is not None:
        upload.me = me
    if family is not None:
        upload.family = family
    upload.save(update_fields=["include", "exclude", "me", "family"])


def do_choose(upload: ImportUpload, indexes: list[int], keep: bool | None) -> int:
    """Keep (True) or leave out (False) these messages at once, or give them back to the
    proposal (None): a whole chat, or its doubtful messages. Returns how many."""
    chosen = set(indexes)
    include, exclude = set(upload.include) - chosen, set(upload.exclude) - chosen
    if keep is True:
        include |= chosen
    elif keep is False:
        exclude |= chosen
    upload.include, upload.exclude = sorted(include), sorted(exclude)
    upload.save(update_fields=["include", "exclude"])
    return len(chosen)


def do_choose_where(
    upload: ImportUpload, *, keep: bool, chat: str = "", since=None, until=None
) -> int:
    """Choose (or leave out) every message of a chat and/or a period at once; returns how
    many messages that touched."""
    chat_export = export_of(upload).parse()
    include, exclude = set(upload.include), set(upload.exclude)
    touched = 0
    for message in chat_export.messages:
        in_chat = message.chat or chat_export.title
        day = message.timestamp.date()
        if chat and in_chat != chat:
            continue
        if (since and day < since) or (until and day > until):
            continue
        touched += 1
        (include if keep else exclude).add(message.index)
        (exclude if keep else include).discard(message.index)
    upload.include, upload.exclude = sorted(include), sorted(exclude)
    upload.save(update_fields=["include", "exclude"])
    return touched


def rules_of(upload: ImportUpload) -> Rules:
    return Rules(include=frozenset(upload.include), exclude=frozenset(upload.exclude))


def do_confirm_upload(upload: ImportUpload) -> ImportBatch:
    """Import what the official chose, then remove the staged file; also when the import
    fails (the official uploads again rather than leave the private messages lying), except
    when doubtful messages are still undecided: nothing is stored and the review goes on."""
    try:
        batch = do_import(
            export_of(upload),
            organisation=upload.organisation,
            owner=upload.uploaded_by,
            importer=upload.uploaded_by,
            rules=rules_of(upload),
            me=frozenset(upload.me),
            family=frozenset(upload.family),
            owner_note=upload.owner_note,
            channel="console",
        )
    except ImportRefused as refused:
        if refused.code != "undecided":
            do_discard_upload(upload)
        raise
    except BaseException:
        do_discard_upload(upload)
        raise
    do_discard_upload(upload)
    return batch


def do_discard_upload(upload: ImportUpload) -> None:
    """Forget an upload: its row and (overwritten first) its file."""
    path = _path(upload)
    upload.delete()
    _shred(path)


def do_cleanup_uploads(now=None) -> int:
    """The daily job: uploads left for more than a day, and stray staged files."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    old = list(ImportUpload.objects.filter(created_at__lt=cutoff))
    for upload in old:
        do_discard_upload(upload)
    known = set(ImportUpload.objects.values_list("token", flat=True))
    for path in staging_dir().iterdir():
        if path.name not in known and path.stat().st_mtime < cutoff.timestamp():
            _shred(path)
    return len(old)


def _shred(path: Path) -> None:
    """Overwrite, then remove: the private messages do not stay in the file's blocks
    (as far as the file system allows; see docs/guides/imports.md)."""
    try:
        size = path.stat().st_size
        with path.open("r+b") as file:
            remaining = size
            while remaining > 0:
                step = min(CHUNK, remaining)
                file.write(b"\0" * step)
                remaining -= step
            file.flush()
            os.fsync(file.fileno())
        path.unlink()
    except FileNotFoundError:
        pass
