"""GET /api/v1/search/ and the saved searches endpoints."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from balie.archive.models import AuditEntry
from balie.search.models import SavedSearch

pytestmark = pytest.mark.django_db


def client_for(user=None, secret=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    if secret is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_search_returns_hits_with_snippets(corpus, agent_anna):
    parking, (p1, _p2, _p3) = corpus["parking"]
    response = client_for(agent_anna).get("/api/v1/search/", {"q": "parkeervergunningen"})
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["page"], body["page_size"], body["pages"]) == (1, 1, 20, 1)
    assert body["count_exact"] is True
    [hit] = body["results"]
    assert hit["message"] == p1.pk and hit["conversation"] == parking.pk
    assert (hit["seq"], hit["direction"], hit["status"]) == (p1.seq, "inbound", "open")
    assert hit["subject"] == "Parkeervergunning" and hit["team_name"] == "Algemeen"
    [[start, end]] = hit["highlights"]
    assert hit["snippet"][start:end] == "parkeervergunning"


def test_every_search_writes_one_audit_entry(corpus, agent_anna):
    parking, messages = corpus["parking"]
    before = AuditEntry.objects.count()
    client_for(agent_anna).get("/api/v1/search/", {"q": "vergunning", "direction": "agent"})
    [entry] = AuditEntry.objects.order_by("-pk")[: AuditEntry.objects.count() - before]
    assert entry.action == "message.search" and entry.actor_id == agent_anna.pk
    assert entry.channel == "api"
    assert entry.detail["query"] == "vergunning"
    assert entry.detail["filters"] == {"direction": "agent"}
    assert entry.detail["results"] == 1
    assert entry.detail["ids"] == [parking.pk]
    assert entry.detail["messages"] == [messages[1].pk]


def test_a_search_without_results_is_audited_too(corpus, agent_anna):
    before = AuditEntry.objects.count()
    response = client_for(agent_anna).get("/api/v1/search/", {"q": "olifant"})
    assert response.json()["count"] == 0
    assert AuditEntry.objects.count() == before + 1


def test_api_key_needs_conversations_read(corpus, utrecht_api_key, read_only_key):
    ok = client_for(secret=utrecht_api_key[1]).get("/api/v1/search/", {"q": "paspoort"})
    assert ok.status_code == 200 and ok.json()["count"] == 1  # Utrecht's, not Groningen's
    refused = client_for(secret=read_only_key[1]).get("/api/v1/search/", {"q": "paspoort"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "missing_scope"


def test_other_tenant_sees_nothing(corpus, agent_gerrit, groningen_api_key):
    gerrit = client_for(agent_gerrit)
    assert gerrit.get("/api/v1/search/", {"q": "parkeervergunning"}).json()["count"] == 0
    assert gerrit.get("/api/v1/search/", {"q": "paspoort"}).json()["count"] == 1
    other = gerrit.get("/api/v1/search/", {"q": "paspoort", "organisation": "utrecht"})
    assert other.status_code == 404
    key = client_for(secret=groningen_api_key[1])
    assert key.get("/api/v1/search/", {"q": "x", "organisation": "utrecht"}).status_code == 404
    assert key.get("/api/v1/search/", {"q": "parkeervergunning"}).json()["count"] == 0


def test_a_filter_naming_another_tenants_team_is_refused(corpus, agent_gerrit, utrecht_team):
    response = client_for(agent_gerrit).get(
        "/api/v1/search/", {"q": "paspoort", "team": utrecht_team.pk}
    )
    assert response.status_code == 404
    assert response.json()["fields"]["team"][0]["code"] == "unknown_team"


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"q": "paspoort", "contact": "999999"}, "contact", "unknown_contact"),
        ({"q": "paspoort", "label": "bestaat-niet"}, "label", "unknown_label"),
        ({"q": "paspoort", "page": "2"}, "page", "page_out_of_range"),
    ],
)
def test_what_the_filters_name_must_exist(corpus, woo_wim, params, field, code):
    """Well formed, but naming nothing there: 404, as an id in the address would be."""
    response = client_for(woo_wim).get("/api/v1/search/", params)
    assert response.status_code == 404, response.json()
    assert response.json()["fields"][field][0]["code"] == code


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"q": "x" * 501}, "q", "query_too_long"),
        ({"q": " ".join(f"woord{n}" for n in range(21))}, "q", "too_many_terms"),
        ({"q": "-paspoort"}, "q", "only_excluded"),
        ({"q": "de het"}, "q", "only_stop_words"),
        ({"q": "p*"}, "q", "prefix_too_short"),
        ({"q": "paspoort", "from": "gisteren"}, "from", "invalid_date"),
        ({"q": "paspoort", "to": "2026-02-30"}, "to", "invalid_date"),
        ({"q": "paspoort", "status": "weg"}, "status", "invalid_status"),
        ({"q": "paspoort", "channel": "fax"}, "channel", "invalid_channel"),
        ({"q": "paspoort", "direction": "system"}, "direction", "invalid_direction"),
        ({"q": "paspoort", "sort": "name"}, "sort", "invalid_sort"),
        ({"q": "paspoort", "team": "abc"}, "team", "unknown_team"),
        ({"q": "paspoort", "page": "0"}, "page", "invalid_page"),
        ({"q": "paspoort", "page_size": "101"}, "page_size", "invalid_page_size"),
    ],
)
def test_bad_input_is_refused_precisely(corpus, woo_wim, params, field, code):
    before = AuditEntry.objects.count()
    response = client_for(woo_wim).get("/api/v1/search/", params)
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == code
    assert body["fields"][field][0]["code"] == code
    assert body["detail"]  # a sentence for people
    assert AuditEntry.objects.count() == before  # nothing was searched


def test_query_count_is_fixed(corpus, woo_wim, django_assert_max_num_queries):
    client = client_for(woo_wim)
    client.get("/api/v1/search/", {"q": "vergunning"})  # session and caches warm
    # session, user, membership, count, page, messages, audit entry (7): no N+1 per hit
    with django_assert_max_num_queries(16):
        response = client.get("/api/v1/search/", {"q": "vergunning cafe -olifant", "sort": "date"})
    assert response.status_code == 200


def test_saved_searches(corpus, agent_anna, lead_lotte, utrecht_api_key):
    anna = client_for(agent_anna)
    created = anna.post(
        "/api/v1/saved-searches/",
        {"name": "Parkeren 2026", "query": "parkeervergunning", "filters": {"status": "open"}},
        format="json",
    )
    assert created.status_code == 201, created.json()
    saved = created.json()
    assert saved["filters"] == {"status": "open", "sort": "relevance"}
    assert [s["name"] for s in anna.get("/api/v1/saved-searches/").json()] == ["Parkeren 2026"]
    # Personal: a colleague neither sees nor deletes it; an API key has none.
    lotte = client_for(lead_lotte)
    assert lotte.get("/api/v1/saved-searches/").json() == []
    assert lotte.delete(f"/api/v1/saved-searches/{saved['id']}/").status_code == 404
    key = client_for(secret=utrecht_api_key[1])
    assert key.get("/api/v1/saved-searches/").status_code == 403
    assert anna.delete(f"/api/v1/saved-searches/{saved['id']}/").status_code == 204
    assert not SavedSearch.objects.exists()


def test_saving_a_bad_search_is_refused(corpus, agent_anna):
    response = client_for(agent_anna).post(
        "/api/v1/saved-searches/",
        {"name": "Fout", "query": "paspoort", "filters": {"status": "weg"}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_status"
