"""Importing one's own work chats in the console: upload an export, review Balie's proposal
message by message (with its reasons), then store only what is chosen.

Every member of staff may import the chats of their own phone; the upload and its review are
theirs alone (another person's upload is a 404). The views call the actions of
``balie.imports.staging``; the export is read again for every page, never kept in memory.
"""

from __future__ import annotations

from datetime import date
from itertools import islice

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from balie.accounts.models import RECORDS_ROLES
from balie.imports.exports import ImportRefused, context_for, proposals, review
from balie.imports.models import ImportBatch, ImportUpload, Source
from balie.imports.parsers import available
from balie.imports.parsers.base import ParseError
from balie.imports.staging import (
    do_choose_where,
    do_confirm_upload,
    do_discard_upload,
    do_stage_upload,
    do_update_choices,
    export_of,
    rules_of,
)
from balie.web.console.inbox import organisation_or_404
from balie.web.console.pages import render_page

PAGE_SIZE = 100
MAX_BATCHES_SHOWN = 50


@login_required
@require_http_methods(["GET", "POST"])
def imports(request, slug: str):
    organisation, role = organisation_or_404(request.user, slug)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = gettext("Choose a file.")
        else:
            try:
                staged, _ = do_stage_upload(
                    organisation,
                    request.user,
                    chunks=upload.chunks(),
                    file_name=upload.name or "export",
                    source=request.POST.get("source", ""),
                    time_zone=request.POST.get("time_zone", ""),
                    date_order=request.POST.get("date_order", ""),
                    owner_note=request.POST.get("owner_note", "")[:1000],
                )
            except ImportRefused as refused:
                error = refused.message
            except ParseError as failed:
                error = failed.message
            else:
                return redirect("console:import_review", slug, staged.token)
    batches = ImportBatch.objects.for_organisation(organisation)
    if role not in RECORDS_ROLES:
        batches = batches.filter(owner=request.user)
    context = {
        "organisation": organisation,
        "sources": [(v, label) for v, label in Source.choices if v in available()],
        "error": error,
        "uploads": ImportUpload.objects.for_organisation(organisation).filter(
            uploaded_by=request.user
        ),
        "batches": batches.select_related("owner", "imported_by")[:MAX_BATCHES_SHOWN],
    }
    return render_page(request, "console/imports.html", context, status=400 if error else 200)


def _upload_or_404(request, slug: str, token: str):
    organisation, _role = organisation_or_404(request.user, slug)
    upload = (
        ImportUpload.objects.for_organisation(organisation)
        .filter(token=token, uploaded_by=request.user)
        .select_related("uploaded_by", "organisation")
        .first()
    )
    if upload is None:
        raise Http404("upload")
    return organisation, upload


@login_required
@require_http_methods(["GET", "POST"])
def import_review(request, slug: str, token: str):
    organisation, upload = _upload_or_404(request, slug, token)
    page = _page_number(request)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "cancel":
            do_discard_upload(upload)
            messages.success(request, gettext("Stopped. The file has been removed."))
            return redirect("console:imports", slug)
        if action in ("keep_where", "drop_where"):
            return _choose_where(request, slug, token, upload, keep=action == "keep_where")
        shown, proposed = _page_proposals(upload, page)[1:]
        chosen = {int(v) for v in request.POST.getlist("chosen") if v.isdigit()}
        me = [name for name in request.POST.getlist("me") if name]
        do_update_choices(upload, shown=shown, chosen=chosen & shown, proposed=proposed, me=me)
        if action == "confirm":
            try:
                batch = do_confirm_upload(upload)
            except (ImportRefused, ParseError) as refused:
                # the staged file is gone (shredded on failure): start again from the list
                messages.error(request, getattr(refused, "message", str(refused)))
                return redirect("console:imports", slug)
            messages.success(
                request,
                gettext("Done: %(added)s new messages in the archive (%(selected)s chosen).")
                % {"added": batch.messages_added, "selected": batch.messages_selected},
            )
            return redirect("console:imports", slug)
        target = int(request.POST.get("go", page)) if request.POST.get("go", "").isdigit() else page
        return redirect(reverse("console:import_review", args=[slug, token]) + f"?page={target}")
    reviewed = review(export_of(upload))
    rows, _shown, _proposed = _page_proposals(upload, page, reviewed)
    pages = max(1, -(-reviewed.messages // PAGE_SIZE))
    authors = sorted({a for s in reviewed.summaries.values() for a in s.authors})
    context = {
        "organisation": organisation,
        "upload": upload,
        "reviewed": reviewed,
        "chats": list(reviewed.summaries.values()),
        "authors": authors,
        "rows": rows,
        "page": page,
        "pages": pages,
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if page < pages else None,
    }
    return render_page(request, "console/import_review.html", context)


def _choose_where(request, slug, token, upload, *, keep: bool):
    try:
        since = _day(request.POST.get("from", ""))
        until = _day(request.POST.get("to", ""))
    except ValueError:
        messages.error(request, gettext("That date is not valid. Use yyyy-mm-dd."))
    else:
        touched = do_choose_where(
            upload, keep=keep, chat=request.POST.get("chat", ""), since=since, until=until
        )
        messages.success(request, gettext("%(count)s messages changed.") % {"count": touched})
    return redirect("console:import_review", slug, token)


def _day(value: str):
    return date.fromisoformat(value) if value else None


def _page_number(request) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10**7 else 1


def _page_proposals(upload, page: int, reviewed=None):
    """The page's messages with the proposal and the current choice; the numbers shown and
    those the proposal would store."""
    export = export_of(upload)
    reviewed = reviewed or review(export)
    context = context_for(upload.organisation, upload.uploaded_by, upload.source)
    rules = rules_of(upload)
    start = (page - 1) * PAGE_SIZE
    rows, shown, proposed = [], set(), set()
    for message, chat, proposal in islice(
        proposals(export, reviewed, context), start, start + PAGE_SIZE
    ):
        shown.add(message.index)
        if proposal.business:
            proposed.add(message.index)
        rows.append(
            {
                "message": message,
                "chat": chat,
                "proposal": proposal,
                "chosen": rules.selects(message, chat, proposal),
            }
        )
    return rows, shown, proposed
