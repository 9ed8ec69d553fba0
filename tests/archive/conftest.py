"""Fixtures of the archive's tests (records managers are in tests/conftest.py)."""

import pytest

from balie.conversations import actions
from balie.conversations.models import Direction
from tests.factories import send

# Some archive tests read over the staff socket: close the consumers' connections after each.
from tests.realtime.conftest import _close_consumer_connections  # noqa: F401


@pytest.fixture
def history(webchat, agent_anna):
    """A Utrecht conversation with a few changes: events seq 1..n in Utrecht's chain."""
    conversation, _ = webchat
    send(conversation, "Mijn container is niet geleegd")
    send(conversation, "We kijken ernaar", direction=Direction.OUTBOUND, author=agent_anna)
    actions.do_change_status(conversation, actor=agent_anna, status="pending")
    return conversation
