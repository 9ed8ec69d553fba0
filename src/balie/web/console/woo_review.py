"""Reviewing one document of a Woo request: the messages with the detector's proposals
marked per category, accept or reject them, change the ground, black out a selection or a
string everywhere, and decide the document — from the keyboard if wanted (woo_review.js).

The page gets its data as JSON and posts each change to a small JSON endpoint that calls one
action; the change reaches every other reviewer through the review socket
(``woo_live.WooReviewConsumer``). Two reviewers never overwrite each other's work: each
redaction is its own row, and the last change to it wins, shown to both.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET, require_POST

from balie.accounts.models import Role
from balie.archive.audit import record_read
from balie.conversations.actions.checks import id_from_outside
from balie.errors import NotFound
from balie.web.console.jsonviews import json_body, json_endpoint
from balie.web.console.pages import render_page
from balie.web.console.woo import request_or_404, woo_role
from balie.web.downloads import package_file_response
from balie.woo import review
from balie.woo.events import document_payload, redaction_payload
from balie.woo.letter import GROUNDS
from balie.woo.models import Decision
from balie.woo.package import parts
from balie.woo.review import REDACTION_CATEGORIES, progress_of
from balie.woo.selectors import document_for_review, document_of, redaction_of


def _config(request, organisation, role, woo_request, number) -> dict:
    data = document_for_review(request.user, woo_request, number)
    numbers = list(woo_request.documents.order_by("number").values_list("number", flat=True))
    return {
        **data,
        "can_write": role == Role.WOO_OFFICER and woo_request.is_open,
        "grounds": [{"code": code, "text": text} for code, text in GROUNDS.items()],
        "decisions": [{"value": value, "label": str(label)} for value, label in Decision.choices],
        "categories": list(REDACTION_CATEGORIES),
        "documents": numbers,
        "progress": progress_of(woo_request),
        "socket": f"/ws/woo/{organisation.slug}/{woo_request.reference}/",
    }


@login_required
@require_GET
def document(request, slug: str, reference: str, number: str):
    organisation, role = woo_role(request, slug)
    woo_request = request_or_404(organisation, reference)
    try:
        config = _config(request, organisation, role, woo_request, number)
    except NotFound:
        raise Http404("document") from None
    index = config["documents"].index(config["document"]["number"])
    before = config["documents"][index - 1] if index > 0 else None
    after = config["documents"][index + 1] if index + 1 < len(config["documents"]) else None
    context = {
        "organisation": organisation,
        "woo": woo_request,
        "config": config,
        "number": config["document"]["number"],
        "previous": before,
        "next": after,
    }
    return render_page(request, "console/woo_document.html", context)


@json_endpoint
@require_GET
def document_data(request, slug: str, reference: str, number: str):
    organisation, role = woo_role(request, slug)
    woo_request = request_or_404(organisation, reference)
    return JsonResponse(_config(request, organisation, role, woo_request, number))


@json_endpoint
@require_POST
def redaction(request, slug: str, reference: str, redaction_id: str):
    """Accept, reject or re-ground one redaction: ``{"state": …, "ground": …}``."""
    organisation, _role = woo_role(request, slug)
    woo_request = request_or_404(organisation, reference)
    body = json_body(request)
    changed = review.do_review_redaction(
        redaction_of(woo_request, redaction_id), actor=request.user,
        state=body.get("state"), ground=body.get("ground"),
    )  # fmt: skip
    return JsonResponse({"redaction": redaction_payload(changed)})


@json_endpoint
@require_POST
def add_redaction(request, slug: str, reference: str, number: str):
    """Black out a selection: ``{"message": id, "start": …, "end": …, "ground": …}``, the
    positions in code points of the message's text."""
    organisation, _role = woo_role(request, slug)
    woo_request = request_or_404(organisation, reference)
    document_ = document_of(woo_request, number)
    body = json_body(request)
    added = review.do_add_redaction(
        document_, actor=request.user, message_id=id_from_outside(body.get("message")),
        start=body.get("start"), end=body.get("end"), ground=body.get("ground"),
    )  # fmt: skip
    return JsonResponse({"redaction": redaction_payload(added)}, status=201)


@json_endpoint
@require_POST
def everywhere(request, slug: str, reference: str):
    """Black out a string in every document of the request: ``{"text": …, "ground": …}``."""
    organisation, _role = woo_role(request, slug)
    woo_request = request_or_404(organisation, reference)
    body = json_body(request)
    count = review.do_redact_everywhere(
        woo_request, actor=request.user, text=body.get("text"), ground=body.get("ground")
    )
    return JsonResponse({"count": count})


@json_endpoint
@require_POST
def decide(request, slug: str, reference: str, number: str):
    """``{"decision": …, "grounds": [...], "explanation": …}`` for one document."""
    organisation, _role = woo_role(request, slug)
    woo_request = request_or_404(organisation, reference)
    document_ = document_of(woo_request, number)
    body = json_body(request)
    decided = review.do_decide_document(
        document_, actor=request.user, decision=body.get("decision"),
        grounds=body.get("grounds", []), explanation=body.get("explanation", ""),
    )  # fmt: skip
    return JsonResponse({"document": document_payload(decided)})


@login_required
@require_GET
def package_part(request, slug: str, reference: str, name: str):
    """One file of the publication package (a document's PDF, the inventarislijst, …)."""
    organisation, _role = woo_role(request, slug)
    woo_request = request_or_404(organisation, reference)
    make = parts(woo_request).get(name)
    if make is None:
        raise Http404("part")
    content = make()
    record_read(
        request.user, organisation_id=organisation.pk, action="woo.package",
        object_type="woo_request", object_id=woo_request.pk,
        detail={"reference": woo_request.reference, "file": name},
    )  # fmt: skip
    return package_file_response(name, content)
