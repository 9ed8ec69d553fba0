"""The audit log in the console: who read what, when, from where and why (auditors,
administrators), filtered as in the API and exported to CSV; and the results of the
archive's integrity checks (records managers too)."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from balie.accounts.models import INTEGRITY_ROLES
from balie.archive.checks import latest_runs
from balie.archive.selectors import AuditNotAllowed, audit_entries_for, csv_rows, filter_entries
from balie.web.console import signins
from balie.web.console.inbox import organisation_or_404
from balie.web.console.pages import render_page

ACTIONS = (
    "conversation.read",
    "conversation.list",
    "attachment.read",
    "contact.read",
    "contact.list",
    "message.search",
    "hold.read",
    "hold.list",
    "destruction_list.read",
    "destruction_list.list",
    *signins.ACTIONS,
)
PAGE_SIZE = 100
MAX_EXPORT_ROWS = 200_000


def _entries(request, slug: str):
    organisation, _role = organisation_or_404(request.user, slug)
    try:
        qs = audit_entries_for(request.user, organisation.pk)
    except AuditNotAllowed:
        raise Http404("audit") from None
    filters = _filters(request)
    return organisation, filter_entries(qs, **filters["query"]), filters["form"]


def _filters(request) -> dict:
    form = {key: request.GET.get(key, "") for key in ("actor", "action", "since", "until")}
    query: dict = {}
    if form["actor"].isdigit():
        query["actor_id"] = int(form["actor"])
    if form["action"] in ACTIONS:
        query["action"] = form["action"]
    for key, at in (("since", time.min), ("until", time.max)):
        try:
            day = datetime.strptime(form[key], "%Y-%m-%d").date()  # noqa: DTZ007 - a date
        except ValueError:
            form[key] = ""
            continue
        query[key] = timezone.make_aware(datetime.combine(day, at))
    return {"query": query, "form": form}


@login_required
@require_GET
def audit_log(request, slug: str):
    organisation, entries, form = _entries(request, slug)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "console/audit.html",
        {
            "organisation": organisation,
            "page": page,
            "form": form,
            "actions": ACTIONS,
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def audit_export(request, slug: str):
    organisation, entries, _form = _entries(request, slug)
    if entries.count() > MAX_EXPORT_ROWS:
        return HttpResponse(
            gettext("More than %(limit)s lines: choose a shorter period or more filters.")
            % {"limit": f"{MAX_EXPORT_ROWS:,}"},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse("".join(csv_rows(entries)), content_type="text/csv; charset=utf-8")
    filename = f"auditlog-{organisation.slug}-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def integrity(request, slug: str):
    organisation, role = organisation_or_404(request.user, slug)
    if role not in INTEGRITY_ROLES:
        raise Http404("integrity")
    return render_page(
        request,
        "console/integrity.html",
        {"organisation": organisation, "runs": latest_runs(organisation.pk)},
    )
