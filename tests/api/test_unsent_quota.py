"""Staff uploads that wait unsent in a conversation are limited too, apart from the
resident's: 429 in the API's error shape."""

from __future__ import annotations

import pytest
from django.test import override_settings

from balie.conversations import actions
from tests.api.helpers import png_bytes, upload

pytestmark = pytest.mark.django_db


@override_settings(LIMIT_UNSENT_UPLOADS=1)
def test_staff_uploads_wait_apart_from_the_residents(as_user, agent_anna, webchat):
    conversation, _token = webchat
    actions.do_store_attachment(conversation, data=png_bytes(), filename="van-bewoner.png")
    path = f"/api/v1/conversations/{conversation.pk}/attachments/"

    def staff_upload():
        return as_user(agent_anna).post(path, {"file": upload("stoep.png", png_bytes())})

    assert staff_upload().status_code == 201  # the resident's waiting file does not count
    refused = staff_upload()

    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_unsent_files"
    assert refused.json()["fields"] == {}
    assert "Retry-After" not in refused  # waiting does not help: sending does
