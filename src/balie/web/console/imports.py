"""Importing one's own work chats in the console: upload an export, review Balie's proposal
chat by chat (work, private or doubt, with the reasons), decide, then store only what is
chosen.

Every member of staff may import the chats of their own phone; the upload and its review are
theirs alone (another person's upload is a 404). The views call the actions of
``balie.imports.staging``; the export is read again for every page, never kept in memory.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from balie.accounts.models import RECORDS_ROLES
from balie.imports.exports import ImportRefused
from balie.imports.models import ImportBatch, ImportUpload, Source
from balie.imports.parsers import available
from balie.imports.parsers.base import ParseError
from balie.imports.review import overview
from balie.imports.staging import (
    do_choose,
    do_choose_where,
    do_confirm_upload,
    do_discard_upload,
    do_stage_upload,
    do_update_choices,
)
from balie.web.console.inbox import organisation_or_404
from balie.web.console.pages import render_page

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
    chat, page = _number(request, "chat", 0), _number(request, "page", 1)
    if request.method == "POST":
        return _review_post(request, slug, token, upload, chat, page)
    seen = overview(upload, chat, page)
    context = {
        "organisation": organisation,
        "upload": upload,
        "seen": seen,
        "reviewed": seen.reviewed,
        "previous_page": seen.page - 1 if seen.page > 1 else None,
        "next_page": seen.page + 1 if seen.page < seen.pages else None,
        "next_chat": _next_chat(seen),
    }
    return render_page(request, "console/import_review.html", context)


def _next_chat(seen):
    later = [c for c in seen.chats if c.number > seen.chat.number]
    return (next((c for c in later if c.undecided), None) or seen.first_undecided()
            or (later[0] if later else None))  # fmt: skip


def _review_post(request, slug, token, upload, chat: int, page: int):
    action = request.POST.get("action", "save")
    here = reverse("console:import_review", args=[slug, token])
    if action == "cancel":
        do_discard_upload(upload)
        messages.success(request, gettext("Stopped. The file has been removed."))
        return redirect("console:imports", slug)
    if action in ("keep_where", "drop_where"):
        return _choose_where(request, slug, token, upload, keep=action == "keep_where")
    seen = overview(upload, chat, page)
    _save_page(request, upload, seen)
    bulk = {
        "chat_keep": (seen.chat.indexes, True),
        "chat_drop": (seen.chat.indexes, False),
        "chat_reset": (seen.chat.indexes, None),
        "doubt_keep": (seen.chat.doubtful, True),
        "doubt_drop": (seen.chat.doubtful, False),
    }
    if action in bulk:
        touched = do_choose(upload, *bulk[action])
        messages.success(request, gettext("%(count)s messages changed.") % {"count": touched})
        return redirect(f"{here}?chat={seen.chat.number}")
    if action == "confirm":
        return _confirm(request, slug, here, upload)
    target_chat = _posted_number(request, "go_chat", seen.chat.number)
    target_page = _posted_number(request, "go", seen.page) if target_chat == chat else 1
    return redirect(f"{here}?chat={target_chat}&page={target_page}")


def _save_page(request, upload, seen) -> None:
    """Store what the review form carried: the radios of the page's messages (a row without a
    choice is undecided again) and who is who. A form without the page's rows (a bulk button
    of another page, a link) changes no message."""
    people = "people" in request.POST
    if "page_rows" not in request.POST and not people:
        return
    decisions = {}
    shown = {}
    if "page_rows" in request.POST:
        shown = {row.message.index: row.proposal.verdict for row in seen.rows}
        for row in seen.rows:
            value = request.POST.get(f"d{row.message.index}")
            if value in ("keep", "drop"):
                decisions[row.message.index] = value == "keep"
    do_update_choices(
        upload,
        shown=shown,
        decisions=decisions,
        me=[n for n in request.POST.getlist("me") if n in seen.authors] if people else None,
        family=[n for n in request.POST.getlist("family") if n in seen.authors] if people else None,
    )


def _confirm(request, slug, here, upload):
    try:
        batch = do_confirm_upload(upload)
    except ImportRefused as refused:
        messages.error(request, refused.message)
        if refused.code == "undecided":  # nothing stored; the review goes on
            first = overview(upload).first_undecided()
            return redirect(f"{here}?chat={first.number if first else 0}")
        return redirect("console:imports", slug)  # the staged file is gone (shredded)
    except ParseError as failed:
        messages.error(request, failed.message)
        return redirect("console:imports", slug)
    messages.success(
        request,
        gettext("Done: %(added)s new messages in the archive (%(selected)s chosen).")
        % {"added": batch.messages_added, "selected": batch.messages_selected},
    )
    return redirect("console:imports", slug)


def _number(request, name: str, default: int) -> int:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() and int(raw) < 10**7 else default


def _posted_number(request, name: str, default: int) -> int:
    raw = request.POST.get(name, "")
    return int(raw) if raw.isdigit() and int(raw) < 10**7 else default


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
