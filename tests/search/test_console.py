"""The console's search page: form, highlighted results, audit, saved searches."""

from __future__ import annotations

import pytest

from balie.archive.models import AuditEntry
from balie.search.models import SavedSearch

pytestmark = pytest.mark.django_db


def test_inbox_links_to_search(client, corpus, agent_anna):
    client.force_login(agent_anna)
    assert "/console/utrecht/search/" in client.get("/console/utrecht/").text


def test_results_are_highlighted_and_escaped(client, corpus, agent_anna):
    from tests.factories import send

    parking, _ = corpus["parking"]
    send(parking, "<script>alert(1)</script> over mijn vergunning")
    client.force_login(agent_anna)
    before = AuditEntry.objects.count()
    page = client.get("/console/utrecht/search/", {"q": "vergunning"})
    assert page.status_code == 200
    assert "<mark>vergunning</mark>" in page.text
    assert "<mark>vergunningen</mark>" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert(1)" not in page.text
    assert f"open={parking.pk}" in page.text
    assert "3 berichten gevonden" in page.text
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-pk").first()
    assert (entry.action, entry.channel) == ("message.search", "console")


def test_a_search_past_the_window_says_or_more(client, settings, corpus, agent_anna):
    settings.SEARCH_MAX_RESULTS = 2
    client.force_login(agent_anna)
    page = client.get("/console/utrecht/search/", {"q": "vergunning"})
    assert "2 of meer berichten gevonden. U ziet de nieuwste daarvan." in page.text


def test_page_in_english_and_empty_form_searches_nothing(client, corpus, agent_anna):
    client.force_login(agent_anna)
    client.post("/console/language/", {"language": "en", "next": "/console/"})
    before = AuditEntry.objects.count()
    page = client.get("/console/utrecht/search/")
    assert "Search messages" in page.text and "messages found" not in page.text
    assert AuditEntry.objects.count() == before


def test_bad_input_shows_a_message(client, corpus, agent_anna):
    client.force_login(agent_anna)
    page = client.get("/console/utrecht/search/", {"q": "paspoort", "from": "morgen"})
    assert page.status_code == 200
    assert "is geen datum" in page.text


def test_labels_comma_separated(client, corpus, woo_wim):
    client.force_login(woo_wim)
    page = client.get("/console/utrecht/search/", {"label": "parkeren, bestaat-niet"})
    assert "Label &#x27;bestaat-niet&#x27; bestaat niet" in page.text
    page = client.get("/console/utrecht/search/", {"label": "parkeren"})
    assert "3 berichten gevonden" in page.text


def test_the_labels_field_suggests_only_the_organisations_labels(client, corpus, woo_wim):
    from balie.conversations.models import Label

    Label.objects.create(organisation=corpus["groningen"][0].organisation, name="gronings-label")
    client.force_login(woo_wim)
    page = client.get("/console/utrecht/search/")
    assert '<datalist id="search-labels"><option value="parkeren"></datalist>' in page.text
    assert "gronings-label" not in page.text


def test_other_tenant_gets_404(client, corpus, agent_gerrit):
    client.force_login(agent_gerrit)
    assert client.get("/console/utrecht/search/", {"q": "paspoort"}).status_code == 404


def test_save_and_delete_a_search(client, corpus, agent_anna, lead_lotte):
    client.force_login(agent_anna)
    response = client.post(
        "/console/utrecht/search/save/",
        {"name": "Open parkeren", "q": "parkeervergunning", "status": "open", "sort": "date"},
    )
    assert response.status_code == 302
    saved = SavedSearch.objects.get()
    assert (saved.owner, saved.query) == (agent_anna, "parkeervergunning")
    assert saved.filters == {"status": "open", "sort": "date"}
    page = client.get("/console/utrecht/search/")
    assert "Open parkeren" in page.text
    client.force_login(lead_lotte)  # someone else's: not shown, not deleted
    assert "Open parkeren" not in client.get("/console/utrecht/search/").text
    client.post(f"/console/utrecht/search/saved/{saved.pk}/delete/")
    assert SavedSearch.objects.exists()
    client.force_login(agent_anna)
    client.post(f"/console/utrecht/search/saved/{saved.pk}/delete/")
    assert not SavedSearch.objects.exists()


def test_conversation_ids_matching(corpus, agent_anna, woo_wim, utrecht):
    from balie.search.actions import do_save_search
    from balie.search.selectors import conversation_ids_matching

    parking, _ = corpus["parking"]
    waste, _ = corpus["waste"]
    passport, _ = corpus["passport"]
    mine = do_save_search(agent_anna, utrecht, name="cafe", query="cafe", filters={})
    assert conversation_ids_matching(mine) == {parking.pk, waste.pk}
    everything = do_save_search(
        woo_wim, utrecht, name="alles", query="", filters={"from": "2000-01-01"}
    )
    assert conversation_ids_matching(everything) == {parking.pk, waste.pk, passport.pk}
