"""The resident's web chat: the page, uploads, signed downloads and the embeddable widget.

Thin views: reads through ``selectors``/``queries``, writes through ``actions``. The chat
itself runs over the resident WebSocket (docs/realtime.md); these views only serve what a
socket cannot carry.
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_POST

from balie.conf.limits import declared_too_large, too_large_detail
from balie.conversations import actions, events, limits, selectors
from balie.conversations.files import FileRejected
from balie.errors import TooMany
from balie.tenants.selectors import organisation_by_slug
from balie.web.downloads import attachment_response
from balie.web.resident import login, pwa, texts
from balie.web.security import allow_inline_styles
from balie.web.theming import logo_link, theme_css_url

SIGNED_LINK_MAX_AGE = timedelta(days=7)
TOKEN_HEADER = "X-Balie-Token"  # noqa: S105 - a header name, not a secret


def _organisation_or_404(slug: str):
    organisation = organisation_by_slug(slug)
    if organisation is None:
        raise Http404("organisation")
    return organisation


def _error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


def _too_many(error: TooMany) -> JsonResponse:
    """429 in the errors' shape, with Retry-After when waiting helps."""
    response = JsonResponse(error.as_dict(), status=error.status)
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response


def _count_upload(request, conversation, size: int) -> None:
    """Uploads and their bytes per device token and per client address (IPv6: /64)."""
    token = limits.token_scope(conversation.organisation_id, conversation.resident_token_hash)
    address = limits.address_scope(request.META.get("REMOTE_ADDR"))
    limits.check(
        [
            (limits.UPLOADS_PER_TOKEN, token, 1),
            (limits.UPLOAD_BYTES_PER_TOKEN, token, size),
            (limits.UPLOADS_PER_IP, address, 1),
            (limits.UPLOAD_BYTES_PER_IP, address, size),
        ]
    )


def _language(request) -> str:
    return texts.language_from(request.GET.get("lang"))


@xframe_options_exempt  # the one page a municipality's site may show in its frame
@require_GET
@gzip_page  # reflects no input, and Django masks a CSRF token anew per response (BREACH)
def chat(request, slug: str):
    organisation = _organisation_or_404(slug)
    language = _language(request)
    max_upload_mb = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
    config = {
        "slug": organisation.slug,
        "organisation": organisation.name,
        "socketPath": f"/ws/c/{organisation.slug}/",
        "uploadUrl": reverse("resident:upload", args=[organisation.slug]),
        "maxUploadBytes": settings.MAX_UPLOAD_BYTES,
        "maxUploadMb": max_upload_mb,
        "maxMessageChars": settings.MAX_MESSAGE_CHARS,
        "editWindowMinutes": settings.EDIT_WINDOW_MINUTES,
        "language": language,
        "embed": request.GET.get("embed") == "1",
        "pwa": pwa.page_config(organisation),
    }
    # Both languages' texts, so that the script can switch without a reload.
    catalogues = texts.catalogues()
    identity = login.identity_for(request, organisation)
    with translation.override(language):
        response = render(
            request,
            "resident/chat.html",
            {
                "organisation": organisation,
                "language": language,
                "page_title": catalogues[language]["page_title"]
                % {"organisation": organisation.name},
                "switch": {
                    key: catalogues[language][key]
                    for key in ("switch_language", "switch_language_label", "switch_language_lang")
                },
                "max_upload_mb": max_upload_mb,
                "texts": catalogues,
                "config": config,
                "embed": config["embed"],
                "identity": identity,  # DigiD, history
                "logo": logo_link(organisation),
            },
        )
    if identity and identity["logged_in"]:
        # A page with a resident's history: kept by no cache, the service worker's included
        # (sw.js keeps no copy of a no-store page and drops the copy it had).
        response["Cache-Control"] = "no-store, private"
    return response  # its Content-Security-Policy: balie.web.security (framed)


@csrf_exempt  # authenticated by the device token header, never by a cookie
@require_POST
def upload(request, slug: str):
    if declared_too_large(request):
        return _error(413, "too_large", too_large_detail())
    try:
        conversation = selectors.access_conversation_by_token(
            slug, request.headers.get(TOKEN_HEADER)
        )
    except selectors.ConversationNotFound:
        return _error(404, "not_found", gettext("This conversation was not found."))
    try:
        uploaded = request.FILES.get("file")
    except (MultiPartParserError, SuspiciousOperation):  # a broken or abusive multipart body
        return _error(400, "malformed_upload", gettext("The upload did not arrive properly."))
    if uploaded is None:
        return _error(400, "no_file", gettext("Choose a file (field 'file')."))
    try:
        _count_upload(request, conversation, uploaded.size)
        attachment = actions.do_store_attachment(
            conversation, data=uploaded.read(), filename=uploaded.name or ""
        )
    except FileRejected as rejected:
        return _error(400, rejected.code, str(rejected))
    except TooMany as refused:  # too many or too much: shown in place, with when to retry
        return _too_many(refused)
    return JsonResponse(
        {"attachment": events.attachment_payload(attachment, for_resident=True)}, status=201
    )


@require_GET
def attachment(request, signed: str):
    try:
        attachment_id = signing.loads(
            signed, salt=events.RESIDENT_ATTACHMENT_SALT, max_age=SIGNED_LINK_MAX_AGE
        )
        found = selectors.resident_attachment_by_id(attachment_id)
    except (signing.BadSignature, selectors.ConversationNotFound):
        raise Http404("attachment") from None
    return attachment_response(found)


@require_GET
def widget(request, slug: str):
    organisation = _organisation_or_404(slug)
    widget_config = {
        "chatPath": reverse("resident:chat", args=[organisation.slug]),
        "themePath": theme_css_url(organisation),
        "logoPath": (logo_link(organisation) or {}).get("url", ""),
        "organisation": organisation.name,
        "strings": texts.catalogues(keys=texts.WIDGET_KEYS),
    }
    response = render(
        request,
        "resident/widget.js",
        {"widget_json": _json_for_script(widget_config)},
        content_type="application/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


def _json_for_script(value) -> str:
    """JSON that is safe inside JavaScript source, even if a name contains ``</script>``."""
    return json.dumps(value).translate(
        {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}
    )


@require_GET
@allow_inline_styles  # it stands in for a municipality's own page
def embed_example(request, slug: str):
    organisation = _organisation_or_404(slug)
    widget_url = request.build_absolute_uri(reverse("resident:widget", args=[organisation.slug]))
    return render(
        request,
        "resident/embed_example.html",
        {"organisation": organisation, "widget_url": widget_url},
    )
