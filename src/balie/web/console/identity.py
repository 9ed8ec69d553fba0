"""A resident's identification in the console's conversation pane: "Identified with DigiD"
comes with the conversation (``contact_identity``, conversations.identity); the BSN itself
only from :func:`bsn`, on an agent's request, where the organisation allows it, each showing
audit-logged (``contact.bsn_read``)."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.http import require_POST

from balie.conversations import identity
from balie.web.console.jsonviews import json_endpoint


@require_POST  # a read with an audit entry: never prefetched, never cached
@json_endpoint
def bsn(request, conversation_id: int):
    """Body: none. Answer: ``{"bsn": "…", "label": "BSN (DigiD)"}``."""
    number = identity.reveal_bsn(request.user, conversation_id)
    response = JsonResponse({"bsn": number, "label": "BSN (DigiD)"})
    response["Cache-Control"] = "no-store"
    return response
