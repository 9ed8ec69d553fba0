"""Files: uploading one to a conversation (to send it with a message), downloading one."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from balie.api.base import ApiView, errors, path_id, principal
from balie.api.errors import PayloadTooLarge
from balie.api.serializers.messages import AttachmentSerializer, UploadSerializer
from balie.conf.limits import declared_too_large, too_large_detail
from balie.conversations import actions, selectors
from balie.conversations.files import CONTENT_TYPES
from balie.web.downloads import attachment_response


class AttachmentUploadView(ApiView):
    parser_classes = [MultiPartParser]

    def initial(self, request, *args, **kwargs):
        # Before authentication: the session's CSRF check would already parse the body.
        if declared_too_large(request):
            raise PayloadTooLarge(too_large_detail())
        super().initial(request, *args, **kwargs)

    @extend_schema(
        operation_id="attachments_upload",
        summary="Upload a file",
        description=(
            "multipart/form-data with the field file. Answers with the attachment; send it "
            "by putting its id in a message's attachments. At most BALIE_LIMIT_UNSENT_UPLOADS "
            "files (BALIE_LIMIT_UNSENT_UPLOAD_BYTES bytes) uploaded by staff may wait unsent "
            "in a conversation: one more is refused with 429 too_many_unsent_files."
        ),
        parameters=[path_id("conversation_id", "Id of the conversation.")],
        request={"multipart/form-data": UploadSerializer},
        responses={201: AttachmentSerializer, **errors(400, 404, 413, 429)},
    )
    def post(self, request, conversation_id):
        conversation = selectors.access_conversation(
            principal(request), conversation_id, write=True
        )
        serializer = UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        attachment = actions.do_store_attachment(
            conversation,
            data=upload.read(),
            filename=upload.name or "",
            uploaded_by=principal(request),
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentDownloadView(ApiView):
    @extend_schema(
        operation_id="attachments_download",
        summary="Download a file",
        description=(
            "The file's bytes. Images come without their EXIF/GPS metadata (the copy staff "
            "see); PDFs as uploaded. Content-Type is the type found in the bytes. With "
            "BALIE_FILE_DOWNLOADS=signed the answer is a 302 to a link to the object store, "
            "valid BALIE_SIGNED_URL_SECONDS, which answers with the same bytes and headers: "
            "follow redirects."
        ),
        parameters=[path_id("attachment_id", "Id of the attachment.")],
        responses={
            **{
                (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
                for content_type in CONTENT_TYPES
            },
            302: OpenApiResponse(
                description="BALIE_FILE_DOWNLOADS=signed: the file at the short-lived link in "
                "Location."
            ),
            **errors(404),
        },
    )
    def get(self, request, attachment_id):
        attachment = selectors.access_attachment(principal(request), attachment_id)
        return attachment_response(attachment)
