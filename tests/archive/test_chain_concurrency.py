"""Many writers at once still make one unbroken chain per organisation."""

from __future__ import annotations

import pytest

from balie.archive.verification import verify_organisation
from balie.conversations import actions
from balie.conversations.models import Conversation
from tests.conversations.test_send import _concurrently
from tests.factories import send


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_the_chain_intact(utrecht, utrecht_team):
    conversations = [actions.do_start_webchat(utrecht)[0] for _ in range(4)]

    def one(i):
        conversation = Conversation.objects.get(pk=conversations[i % 4].pk)
        return send(conversation, f"bericht {i}").seq

    _concurrently(12, one)
    checked, found = verify_organisation(utrecht.pk)
    assert found is None, str(found)
    assert checked >= 12 + 4
