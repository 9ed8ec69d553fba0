"""Another municipality's console URLs answer 404, exactly like ids that do not exist."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from balie.conversations import actions
from balie.conversations.models import Attachment
from tests.factories import pdf_document

PDF = pdf_document()


def _urls(slug, conversation, attachment):
    return {
        "inbox": ("get", f"/console/{slug}/"),
        "unread": ("get", f"/console/{slug}/unread/?ids={conversation.pk}"),
        "assign": ("json", f"/console/conversations/{conversation.pk}/assign/"),
        "status": ("json", f"/console/conversations/{conversation.pk}/status/"),
        "upload": ("file", f"/console/conversations/{conversation.pk}/upload/"),
        "attachment": ("get", f"/console/attachments/{attachment.pk}/"),
    }


def _call(client, kind, url):
    if kind == "get":
        return client.get(url)
    if kind == "json":
        body = json.dumps({"assignee": "me", "status": "resolved"})
        return client.post(url, body, content_type="application/json")
    return client.post(url, {"file": SimpleUploadedFile("brief.pdf", PDF)})


@pytest.fixture
def utrecht_things(webchat):
    conversation, _ = webchat
    attachment = actions.do_store_attachment(conversation, data=PDF, filename="a.pdf")
    return "utrecht", conversation, attachment


@pytest.fixture
def groningen_things(groningen_webchat):
    conversation, _ = groningen_webchat
    attachment = actions.do_store_attachment(conversation, data=PDF, filename="b.pdf")
    return "groningen", conversation, attachment


ENDPOINTS = ["inbox", "unread", "assign", "status", "upload", "attachment"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_groningen_agent_gets_404_for_utrecht(client, agent_gerrit, utrecht_things, endpoint):
    client.force_login(agent_gerrit)
    kind, url = _urls(*utrecht_things)[endpoint]
    assert _call(client, kind, url).status_code == 404
    _, conversation, _ = utrecht_things
    conversation.refresh_from_db()
    assert (conversation.assignee, conversation.status) == (None, "open")
    assert Attachment.objects.filter(conversation=conversation).count() == 1


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_utrecht_agent_gets_404_for_groningen(client, agent_anna, groningen_things, endpoint):
    client.force_login(agent_anna)
    kind, url = _urls(*groningen_things)[endpoint]
    assert _call(client, kind, url).status_code == 404


@pytest.mark.parametrize("endpoint", ["assign", "status", "upload"])
def test_ids_that_do_not_exist_answer_the_same(client, agent_anna, utrecht_things, endpoint):
    client.force_login(agent_anna)
    kind, url = _urls(*utrecht_things)[endpoint]
    url = url.replace(f"/{utrecht_things[1].pk}/", "/987654/")
    response = _call(client, kind, url)
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Niet gevonden."}


@pytest.mark.parametrize("endpoint", ["assign", "status", "upload"])
def test_auditor_gets_403_on_writes(client, auditor_aziz, utrecht_things, endpoint):
    client.force_login(auditor_aziz)
    kind, url = _urls(*utrecht_things)[endpoint]
    response = _call(client, kind, url)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_a_domain_error_a_page_did_not_handle_gets_the_sites_answer(rf):
    """One mapping for the console's pages (web.middleware.DomainErrorMiddleware)."""
    from balie.errors import Invalid, NotAllowed, NotFound
    from balie.web.middleware import DomainErrorMiddleware

    middleware = DomainErrorMiddleware(lambda request: None)
    request = rf.get("/console/utrecht/records/")
    assert middleware.process_exception(request, NotFound()).status_code == 404
    assert middleware.process_exception(request, NotAllowed(message="Nee.")).status_code == 403
    assert middleware.process_exception(request, Invalid("x", "Fout.")).status_code == 400
    assert middleware.process_exception(request, ValueError("not ours")) is None


def test_an_unknown_attachment_or_organisation_is_a_404_page(client, agent_anna):
    client.force_login(agent_anna)
    assert client.get("/console/attachments/999999/").status_code == 404
    assert client.get("/console/groningen/").status_code == 404
