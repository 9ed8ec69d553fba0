"""Small helpers for building test data through the real actions."""

from __future__ import annotations

import uuid

from balie.conversations import actions
from balie.conversations.models import Direction


def send(conversation, body, *, direction=Direction.INBOUND, author=None, client_id=None):
    """Helper for tests: one message through the real action."""
    return actions.do_send_message(
        conversation,
        direction=direction,
        body=body,
        client_id=client_id or uuid.uuid4().hex,
        author=author,
    ).message
