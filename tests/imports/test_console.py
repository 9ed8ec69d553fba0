"""Importing one's work chats in the console: upload, review with reasons, choose, confirm
or cancel; the staged file is gone afterwards; another person's upload is a 404."""

from __future__ import annotations

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from balie.conversations.models import Message
from balie.imports.models import ImportBatch, ImportUpload
from balie.imports.staging import do_cleanup_uploads, staging_dir
from tests.imports.helpers import export_of
from tests.imports.test_import_actions import BUSINESS, PRIVATE, _mixed

pytestmark = pytest.mark.django_db


@pytest.fixture
def patched(monkeypatch, tmp_path):
    return export_of(monkeypatch, tmp_path, _mixed())


def _upload(client, slug="utrecht", **extra):
    data = {
        "source": "whatsapp",
        "file": SimpleUploadedFile("WhatsApp-chat met Raad.txt", b"15-01-2024 10:00 - Jan: Hoi"),
        "owner_note": "Werktelefoon",
        **extra,
    }
    return client.post(f"/console/{slug}/imports/", data)


# The model's proposal for _mixed(): 0, 2, 4 work; 1 and 3 private; 5 doubt.
# What the review form carries besides the radios: the page's rows and who is who.
FORM = {"page_rows": "1", "people": "1"}
DECIDE_ALL = {
    **FORM,
    "d0": "keep",
    "d1": "drop",
    "d2": "keep",
    "d3": "drop",
    "d4": "drop",
    "d5": "keep",
}


def test_upload_review_choose_and_confirm(client, patched, agent_anna, woo_wim):
    client.force_login(agent_anna)
    assert "Werkchats importeren" in client.get("/console/utrecht/").text
    response = _upload(client)
    assert response.status_code == 302
    upload = ImportUpload.objects.get()
    assert (staging_dir() / upload.token).exists()
    review = client.get(response.url)
    assert review.status_code == 200
    assert "Woorden die op werk wijzen" in review.text and "twijfel" in review.text
    assert "Woorden die op privé wijzen" in review.text
    assert PRIVATE[0] in review.text  # shown to the official, not stored
    assert not Message.objects.exists()
    # Doubtful messages must be decided: nothing is stored, the review goes on.
    refused = client.post(response.url, {"action": "confirm"}, follow=True)
    assert "1 bericht staat op 'twijfel'" in html.unescape(refused.text)
    assert ImportUpload.objects.exists() and not Message.objects.exists()
    assert (staging_dir() / upload.token).exists()
    # Keep the proposal's 0 and 2, drop 4, leave 1 and 3 out, decide the doubtful 5 (yes).
    done = client.post(response.url, {**DECIDE_ALL, "me": ["Jan Jansen"], "action": "confirm"})
    assert done.status_code == 302
    stored = set(Message.objects.values_list("body", flat=True))
    assert stored == {BUSINESS[0], BUSINESS[1], PRIVATE[2]}
    assert Message.objects.filter(direction="outbound", author=agent_anna).count() == 2
    batch = ImportBatch.objects.get()
    assert (batch.channel, batch.owner, batch.owner_note) == ("console", agent_anna, "Werktelefoon")
    assert batch.classifier.startswith("20") and len(batch.classifier) > 8
    assert not ImportUpload.objects.exists()
    assert not (staging_dir() / upload.token).exists()
    page = client.get("/console/utrecht/imports/")
    assert "Klaar: 3 nieuwe berichten in het archief" in page.text


def test_choices_survive_paging_and_cancel_removes_the_file(client, patched, agent_anna):
    client.force_login(agent_anna)
    url = _upload(client).url
    client.post(url, {**DECIDE_ALL, "d1": "keep", "d5": "drop", "go": "1"})
    upload = ImportUpload.objects.get()
    assert (upload.include, upload.exclude) == ([1], [4, 5])
    client.post(url, {**FORM, "d0": "keep", "go": "1"})  # shown without a choice: undecided again
    upload.refresh_from_db()
    assert (upload.include, upload.exclude) == ([], [])
    path = staging_dir() / upload.token
    client.post(url, {"action": "cancel"})
    assert not ImportUpload.objects.exists() and not path.exists()
    assert not Message.objects.exists()


def test_a_chat_at_once_its_doubtful_messages_and_back_to_the_proposal(client, patched, agent_anna):
    client.force_login(agent_anna)
    url = _upload(client).url + "?chat=0"
    client.post(url, {"action": "doubt_keep"})
    upload = ImportUpload.objects.get()
    assert (upload.include, upload.exclude) == ([5], [])
    client.post(url, {"action": "chat_drop"})
    upload.refresh_from_db()
    assert (upload.include, upload.exclude) == ([], [0, 1, 2, 3, 4, 5])
    client.post(url, {"action": "chat_reset"})
    upload.refresh_from_db()
    assert (upload.include, upload.exclude) == ([], [])
    client.post(url, {"action": "chat_keep"})
    client.post(url, {"action": "confirm"})
    assert Message.objects.count() == 6


def test_who_is_who_is_kept_and_only_names_from_the_export(client, patched, agent_anna):
    client.force_login(agent_anna)
    url = _upload(client).url
    client.post(url, {**FORM, "me": ["Jan Jansen", "Iemand anders"], "family": ["Petra"]})
    upload = ImportUpload.objects.get()
    assert (upload.me, upload.family) == (["Jan Jansen"], ["Petra"])
    page = client.get(url)
    assert 'value="Petra" aria-label="Familie: Petra" checked' in page.text


def test_someone_elses_upload_and_another_municipality(
    client, patched, agent_anna, agent_bram, agent_gerrit
):
    client.force_login(agent_anna)
    url = _upload(client).url
    client.force_login(agent_bram)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "confirm"}).status_code == 404
    client.force_login(agent_gerrit)
    assert client.get("/console/utrecht/imports/").status_code == 404
    assert client.get(url.replace("utrecht", "groningen")).status_code == 404
    assert not Message.objects.exists()


def test_bad_uploads_are_refused_and_nothing_is_kept(client, settings, patched, agent_anna):
    client.force_login(agent_anna)
    page = client.post("/console/utrecht/imports/", {"source": "whatsapp"})
    assert page.status_code == 400 and "Kies een bestand." in page.text
    settings.IMPORT_MAX_BYTES = 10
    page = _upload(client)
    assert page.status_code == 400 and "te groot" in page.text
    page = _upload(client, source="fax")
    assert page.status_code == 400
    assert not ImportUpload.objects.exists()
    assert list(staging_dir().iterdir()) == []


def test_uploads_left_for_a_day_are_removed(client, patched, agent_anna):
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(agent_anna)
    _upload(client)
    upload = ImportUpload.objects.get()
    assert do_cleanup_uploads() == 0
    assert do_cleanup_uploads(timezone.now() + timedelta(days=2)) == 1
    assert not (staging_dir() / upload.token).exists()


def test_a_whole_chat_or_a_period_at_once(client, patched, agent_anna):
    client.force_login(agent_anna)
    url = _upload(client).url
    done = client.post(url, {"action": "keep_where", "from": "2024-03-05", "to": "2024-03-05"})
    assert done.status_code == 302
    upload = ImportUpload.objects.get()
    assert upload.include == [2, 3]
    client.post(url, {"action": "drop_where", "chat": "Raadsfractie"})
    upload.refresh_from_db()
    assert (upload.include, upload.exclude) == ([], [0, 1, 2, 3, 4, 5])
    page = client.post(url, {"action": "keep_where", "from": "5 maart"}, follow=True)
    assert "Die datum klopt niet" in page.text
    client.post(url, {"action": "confirm"})
    assert not Message.objects.exists()  # everything left out, nothing left undecided


def test_a_failed_confirm_removes_the_file_and_says_why(client, patched, agent_anna, monkeypatch):
    from balie.imports.exports import ImportRefused

    client.force_login(agent_anna)
    response = _upload(client)
    upload = ImportUpload.objects.get()

    def refused(*args, **kwargs):
        raise ImportRefused("attachment_too_large", "export.zip: IMG-0001.jpg is too large.")

    monkeypatch.setattr("balie.imports.staging.do_import", refused)
    done = client.post(response.url, {"action": "confirm"})
    assert done.status_code == 302 and done.url == "/console/utrecht/imports/"
    assert not ImportUpload.objects.exists() and not Message.objects.exists()
    assert not (staging_dir() / upload.token).exists()
    assert "IMG-0001.jpg is too large" in client.get(done.url).text
