"""Files in conversations: staff uploads and the staff download.

Downloads never trust the stored name or type for rendering: ``nosniff``, a sandbox CSP and a
Content-Disposition header on every answer. Images are served from their display copy
(EXIF/GPS removed); PDFs as the original, as a download.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from balie.conf.limits import declared_too_large, too_large_detail
from balie.conversations import actions, events, selectors
from balie.errors import Invalid
from balie.web.console.jsonviews import error, json_endpoint
from balie.web.downloads import attachment_response


@csrf_exempt  # checked below, after the size: a too large body is refused before parsing
@require_POST
def upload(request, conversation_id: int):
    if declared_too_large(request):
        return error(413, "too_large", too_large_detail())
    return _store_upload(request, conversation_id)


@csrf_protect
@json_endpoint
def _store_upload(request, conversation_id: int):
    conversation = selectors.access_conversation(request.user, conversation_id, write=True)
    upload = request.FILES.get("file")
    if upload is None:
        raise Invalid("no_file", _("Choose a file (field 'file')."))
    attachment = actions.do_store_attachment(
        conversation, data=upload.read(), filename=upload.name or "", uploaded_by=request.user
    )
    payload = events.attachment_payload(attachment, for_resident=False)
    return JsonResponse({"attachment": payload}, status=201)


@login_required
@require_GET
def download(request, attachment_id: int):
    attachment = selectors.access_attachment(request.user, attachment_id)
    return attachment_response(attachment)
