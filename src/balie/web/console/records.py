"""Records management in the console: record classes, the daily review, what is due, holds
and destruction lists (records managers, Woo officers, auditors, administrators), and one
destruction list with its four-eyes review and, once executed, the printable destruction
record.

Forms post to small views that call one action each; a refused action shows the page again
with the action's (Dutch) message next to the form, a forbidden one answers 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from balie.accounts.models import HOLD_ROLES, RECORDS_READ_ROLES, RECORDS_ROLES
from balie.archive.models import HoldKind, HoldScope, ListStatus, Trigger, Waardering
from balie.conversations.actions import ActionError
from balie.conversations.models import Channel
from balie.conversations.selectors import record_list_read
from balie.records import selectors as records
from balie.records.destruction import (
    do_approve_destruction,
    do_propose_destruction,
    do_reject_destruction,
)
from balie.records.holds import do_place_hold, do_release_hold
from balie.records.record_classes import do_save_record_class
from balie.web.console.inbox import organisation_or_404
from balie.web.console.pages import render_page

MAX_DUE_SHOWN = 500
MAX_HOLDS_SHOWN = 200
MAX_LISTS_SHOWN = 100
TEXT_FIELDS = ("code", "name", "description", "selectielijst_reference", "retention")


def _records_role(request, slug: str):
    organisation, role = organisation_or_404(request.user, slug)
    if role not in RECORDS_READ_ROLES:
        raise Http404("records")
    return organisation, role


def _overview_url(organisation, anchor: str = "") -> str:
    return reverse("console:records", args=[organisation.slug]) + (f"#{anchor}" if anchor else "")


@login_required
@require_GET
def overview(request, slug: str):
    organisation, role = _records_role(request, slug)
    return _overview(request, organisation, role)


def _overview(request, organisation, role, *, failed: dict | None = None, status: int = 200):
    """The page; ``failed`` names the form that was refused, its message and posted values."""
    failed = failed or {}
    user = request.user
    due = records.due_for(user, organisation.pk)
    due_page = _due_page(request, len(due))
    shown = due[(due_page - 1) * MAX_DUE_SHOWN : due_page * MAX_DUE_SHOWN]
    record_list_read(
        user, [row.conversation for row in shown], kind="conversation",
        filters={"list": "retention.due"},
    )  # fmt: skip
    record_classes = list(records.record_classes_for(user, organisation.pk))
    context = {
        "organisation": organisation,
        "can_manage": role in RECORDS_ROLES,
        "can_hold": role in HOLD_ROLES,
        "class_forms": [_class_form(rc, failed) for rc in record_classes],
        "new_class": _class_form(None, failed),
        "review": records.retention_reviews_for(user, organisation.pk).first(),
        "due": shown,
        "due_more": _due_pages(due_page, len(shown), len(due)),
        "holds": records.record_holds_read(
            user, records.holds_for(user, organisation.pk)[:MAX_HOLDS_SHOWN]
        ),
        "lists": records.record_destruction_lists_read(
            user, records.destruction_lists_for(user, organisation.pk)[:MAX_LISTS_SHOWN]
        ),
        "triggers": Trigger.choices,
        "waarderingen": Waardering.choices,
        "channels": Channel.choices,
        "hold_kinds": HoldKind.choices,
        "hold_scopes": HoldScope.choices,
        "failed": failed,
    }
    return render_page(request, "console/records.html", context, status=status)


def _due_page(request, total: int) -> int:
    """``?due_page=N``, kept within the pages there are (a stale link shows the last one)."""
    value = request.GET.get("due_page", "")
    pages = max(1, -(-total // MAX_DUE_SHOWN))
    return min(int(value), pages) if value.isdigit() and int(value) > 0 else 1


def _due_pages(page: int, shown: int, total: int) -> dict | None:
    """Where this page of the due list starts and ends, and the neighbouring pages."""
    if total <= MAX_DUE_SHOWN:
        return None
    first = (page - 1) * MAX_DUE_SHOWN + 1
    return {
        "text": gettext("Conversations %(first)s to %(last)s of %(total)s.")
        % {"first": first, "last": first + shown - 1, "total": total},
        "previous": page - 1 if page > 1 else None,
        "next": page + 1 if first + shown - 1 < total else None,
        "previous_text": gettext("Previous %(size)s") % {"size": MAX_DUE_SHOWN},
        "next_text": gettext("Next %(size)s") % {"size": MAX_DUE_SHOWN},
    }


def _class_form(record_class, failed: dict) -> dict:
    """Values and error of the create form (``record_class=None``) or one class's edit form."""
    form_id = str(record_class.pk) if record_class else "new"
    mine = failed.get("form") == f"record_class:{form_id}"
    if mine:
        values = failed["values"]
    elif record_class is not None:
        values = {name: getattr(record_class, name) for name in (*TEXT_FIELDS, "trigger",
                  "waardering", "is_default", "channels")}  # fmt: skip
    else:
        values = {"trigger": Trigger.CLOSED, "waardering": Waardering.DESTROY, "channels": []}
    return {
        "id": form_id,
        "record_class": record_class,
        "values": values,
        "error": failed.get("error") if mine else "",
    }


def _refused(request, organisation, role, form: str, error: Exception, values=None, **more):
    """The form again with the action's refusal (a NotAllowed is the middleware's 403)."""
    failed = {"form": form, "error": str(error), "values": values or {}, **more}
    return _overview(request, organisation, role, failed=failed, status=400)


@login_required
@require_POST
def save_record_class(request, slug: str):
    organisation, role = _records_role(request, slug)
    post = request.POST
    values = {name: post.get(name, "") for name in TEXT_FIELDS}
    values.update(
        trigger=post.get("trigger", ""),
        waardering=post.get("waardering", ""),
        is_default="is_default" in post,
        channels=post.getlist("channels"),
    )
    record_class = None
    if post.get("record_class"):
        record_class = records.access_record_class(request.user, post["record_class"])
        if record_class.organisation_id != organisation.pk:
            raise Http404("record class")
    form = f"record_class:{record_class.pk if record_class else 'new'}"
    try:
        do_save_record_class(
            organisation.pk, actor=request.user, record_class=record_class, **values
        )
    except ActionError as error:
        return _refused(request, organisation, role, form, error, values)
    messages.success(request, gettext("Saved."))
    return redirect(_overview_url(organisation, "record-classes"))


@login_required
@require_POST
def place_hold(request, slug: str):
    organisation, role = _records_role(request, slug)
    post = request.POST
    values = {
        name: post.get(name, "") for name in ("kind", "scope", "target", "reference", "reason")
    }
    target = values["target"].strip()
    try:
        if values["scope"] not in HoldScope.values:
            raise ActionError("invalid_field", gettext_lazy("Choose what the hold covers."))
        do_place_hold(
            organisation.pk,
            actor=request.user,
            kind=values["kind"],
            scope=values["scope"],
            target_id=int(target) if target.isdigit() else target,
            reference=values["reference"],
            reason=values["reason"],
        )
    except ActionError as error:
        return _refused(request, organisation, role, "hold", error, values)
    messages.success(request, gettext("Saved."))
    return redirect(_overview_url(organisation, "holds"))


@login_required
@require_POST
def release_hold(request, slug: str, hold_id: int):
    organisation, role = _records_role(request, slug)
    hold = records.access_hold(request.user, hold_id, audit=False)  # a write: in the archive
    if hold.organisation_id != organisation.pk:
        raise Http404("hold")
    reason = request.POST.get("reason", "")
    try:
        do_release_hold(hold, actor=request.user, reason=reason)
    except ActionError as error:
        return _refused(request, organisation, role, "release", error, release_id=hold.pk)
    messages.success(request, gettext("Saved."))
    return redirect(_overview_url(organisation, "holds"))


@login_required
@require_POST
def propose(request, slug: str):
    organisation, role = _records_role(request, slug)
    post = request.POST
    values = {"title": post.get("title", ""), "note": post.get("note", "")}
    try:
        proposed = do_propose_destruction(
            organisation.pk,
            actor=request.user,
            conversation_ids=post.getlist("conversation"),
            title=values["title"],
            note=values["note"],
        )
    except ActionError as error:
        return _refused(request, organisation, role, "propose", error, values)
    return redirect("console:destruction", slug=organisation.slug, list_id=proposed.pk)


# --- one destruction list ------------------------------------------------------------------


def _destruction_list(request, slug: str, list_id: int, *, audit: bool = True):
    organisation, role = _records_role(request, slug)
    destruction_list = records.access_destruction_list(request.user, list_id, audit=audit)
    if destruction_list.organisation_id != organisation.pk:
        raise Http404("destruction list")
    return organisation, role, destruction_list


@login_required
@require_GET
def destruction(request, slug: str, list_id: int):
    return _destruction_page(request, *_destruction_list(request, slug, list_id))


def _destruction_page(request, organisation, role, destruction_list, *, error="", status=200):
    proposed = destruction_list.status == ListStatus.PROPOSED
    is_proposer = destruction_list.proposed_by_id == request.user.pk
    context = {
        "organisation": organisation,
        "list": destruction_list,
        "items": list(destruction_list.items.all()),
        "executed": destruction_list.status == ListStatus.DESTROYED,
        "being_executed": destruction_list.status == ListStatus.APPROVED,
        "can_review": proposed and role in RECORDS_ROLES and not is_proposer,
        "four_eyes": proposed and role in RECORDS_ROLES and is_proposer,
        "error": error,
    }
    return render_page(request, "console/destruction.html", context, status=status)


@login_required
@require_POST
def review(request, slug: str, list_id: int):
    organisation, role, destruction_list = _destruction_list(request, slug, list_id, audit=False)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        return _destruction_page(
            request, organisation, role, destruction_list,
            error=gettext("Choose approve or reject."), status=400,
        )  # fmt: skip
    act = do_approve_destruction if decision == "approve" else do_reject_destruction
    try:
        act(destruction_list, actor=request.user, note=request.POST.get("note", ""))
    except ActionError as error:  # shown on the page; a refusal (NotAllowed) is a 403
        return _destruction_page(
            request, organisation, role, destruction_list, error=str(error), status=400
        )
    return redirect("console:destruction", slug=organisation.slug, list_id=destruction_list.pk)
