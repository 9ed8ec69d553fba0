"""Files in conversations: staff uploads and the staff download.

Downloads never trust the stored name or type for rendering: ``nosniff``, a sandbox CSP and a
Content-Disposition header on every answer. Images are served from their display copy
(EXIF/GPS removed); PDFs as the original, as a download.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from balie.conversations import actions, events, selectors
from balie.conversations.blobs import open_blob
from balie.web.console.jsonviews import BadRequest, error, json_endpoint

# Room for the multipart envelope around the file itself.
MULTIPART_OVERHEAD = 64 * 1024


@csrf_exempt  # checked below, after the size: a too large body is refused before parsing
@require_POST
def upload(request, conversation_id: int):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD:
        limit_mb = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
        return error(413, "too_large", f"Het bestand is te groot. Het maximum is {limit_mb} MB.")
    return _store_upload(request, conversation_id)


@csrf_protect
@json_endpoint
def _store_upload(request, conversation_id: int):
    conversation = selectors.access_conversation(request.user, conversation_id, write=True)
    upload = request.FILES.get("file")
    if upload is None:
        raise BadRequest("no_file", "Kies een bestand (veld 'file').")
    attachment = actions.do_store_attachment(
        conversation, data=upload.read(), filename=upload.name or "", uploaded_by=request.user
    )
    payload = events.attachment_payload(attachment, for_resident=False)
    return JsonResponse({"attachment": payload}, status=201)


@login_required
@require_GET
def download(request, attachment_id: int):
    try:
        attachment = selectors.access_attachment(request.user, attachment_id)
    except selectors.ConversationNotFound:
        raise Http404("attachment") from None
    sha256 = attachment.display_sha256 if attachment.is_image else attachment.sha256
    response = FileResponse(
        open_blob(sha256 or attachment.sha256),
        as_attachment=not attachment.is_image,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
