"""Every filter, both sorts, pagination, and who sees what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from balie.conversations.models import Channel
from balie.search.errors import SearchError
from balie.search.params import parse_search
from tests.factories import send
from tests.search.helpers import ids, search

pytestmark = pytest.mark.django_db


def _pks(corpus, key):
    return {m.pk for m in corpus[key][1]}


def test_period(corpus, woo_wim, utrecht):
    w1, w2 = corpus["waste"][1]
    today = timezone.localdate()
    old = (today - timedelta(days=400)).isoformat()
    assert ids(woo_wim, utrecht, "geleegd", to=old) == {w1.pk}
    assert ids(woo_wim, utrecht, "geleegd", **{"from": today.isoformat()}) == {w2.pk}
    assert ids(woo_wim, utrecht, "geleegd", to=(today - timedelta(days=401)).isoformat()) == set()
    moment = (timezone.now() - timedelta(days=1)).isoformat()
    assert ids(woo_wim, utrecht, "geleegd", **{"from": moment}) == {w2.pk}


def test_channel_team_contact_status(corpus, woo_wim, utrecht, utrecht_team, burgerzaken):
    parking, _ = corpus["parking"]
    assert ids(woo_wim, utrecht, channel=Channel.WHATSAPP) == _pks(corpus, "parking")
    assert ids(woo_wim, utrecht, team=str(burgerzaken.pk)) == _pks(corpus, "passport")
    assert ids(woo_wim, utrecht, "cafe", team=str(utrecht_team.pk)) == {
        corpus["parking"][1][2].pk,
        corpus["waste"][1][0].pk,
    }
    assert ids(woo_wim, utrecht, contact=str(parking.contact_id)) == _pks(corpus, "parking")
    assert ids(woo_wim, utrecht, status="pending") == _pks(corpus, "waste")


def test_labels_any_of_and_case_reference(corpus, woo_wim, utrecht):
    from balie.conversations.actions import do_update_details

    waste, _ = corpus["waste"]
    do_update_details(waste, actor=None, labels=["afval"])
    both = _pks(corpus, "parking") | _pks(corpus, "waste")
    assert ids(woo_wim, utrecht, label=["parkeren", "afval"]) == both
    assert ids(woo_wim, utrecht, label="parkeren") == _pks(corpus, "parking")
    assert ids(woo_wim, utrecht, case_reference="Z-2026-001") == _pks(corpus, "parking")
    assert ids(woo_wim, utrecht, case_reference="Z-2026") == set()  # exact only


def test_direction(corpus, woo_wim, utrecht):
    p1, p2, p3 = corpus["parking"][1]
    assert ids(woo_wim, utrecht, "vergunning", direction="resident") == {p1.pk}
    assert ids(woo_wim, utrecht, "vergunning", direction="agent") == {p2.pk}
    assert ids(woo_wim, utrecht, "cafe", direction="note") == {p3.pk}


def test_sort_by_date_is_newest_first(corpus, woo_wim, utrecht):
    hits = search(woo_wim, utrecht, "geleegd", sort="date").hits
    assert [h.message_id for h in hits] == [m.pk for m in reversed(corpus["waste"][1])]
    times = [h.created_at for h in search(woo_wim, utrecht, "", status="pending").hits]
    assert times == sorted(times, reverse=True)


def test_sort_by_relevance_puts_the_better_match_first(utrecht, utrecht_team, woo_wim):
    from balie.conversations.actions import do_start_webchat
    from tests.factories import send

    conversation, _ = do_start_webchat(utrecht)
    weak = send(conversation, "Een vraag over de begraafplaats, en verder wil ik iets weten.")
    strong = send(conversation, "Begraafplaats begraafplaats: begraafplaats.")
    hits = search(woo_wim, utrecht, "begraafplaats", sort="relevance").hits
    assert [h.message_id for h in hits] == [strong.pk, weak.pk]
    hits = search(woo_wim, utrecht, "begraafplaats", sort="date").hits
    assert [h.message_id for h in hits] == [strong.pk, weak.pk]  # newest first too
    send(conversation, "Nog een vraag over de begraafplaats, graag snel antwoord.")
    assert search(woo_wim, utrecht, "begraafplaats", sort="relevance").hits[0].message_id == (
        strong.pk
    )


def test_pagination(corpus, woo_wim, utrecht):
    since = {"from": "2000-01-01", "sort": "date"}
    everything = [h.message_id for h in search(woo_wim, utrecht, "", **since).hits]
    assert len(everything) == 6  # Utrecht's indexed messages
    first = search(woo_wim, utrecht, "", page_size="2", **since)
    third = search(woo_wim, utrecht, "", page_size="2", page="3", **since)
    assert (first.total, first.pages) == (6, 3)
    assert [h.message_id for h in first.hits] == everything[:2]
    assert [h.message_id for h in third.hits] == everything[4:]
    with pytest.raises(SearchError) as error:
        search(woo_wim, utrecht, "", page_size="2", page="4", **since)
    assert error.value.code == "page_out_of_range"


def test_agents_see_their_teams(corpus, agent_anna, agent_bram, woo_wim, lead_lotte, utrecht):
    utrecht_messages = _pks(corpus, "parking") | _pks(corpus, "waste")
    everything = utrecht_messages | _pks(corpus, "passport")
    assert ids(agent_anna, utrecht, status="open") | ids(agent_anna, utrecht, status="pending") == (
        utrecht_messages
    )
    assert ids(agent_anna, utrecht, "paspoort") == set()  # Burgerzaken is not her team
    assert ids(agent_bram, utrecht, "vergunning") == set()  # in no team
    assert ids(agent_bram, utrecht, "paspoort") == set()
    assert ids(woo_wim, utrecht, channel="webchat") | ids(woo_wim, utrecht, channel="whatsapp") == (
        everything
    )
    assert ids(lead_lotte, utrecht, "paspoort") == _pks(corpus, "passport")


def test_groningen_never_sees_utrecht(corpus, agent_gerrit, groningen, utrecht_team):
    assert ids(agent_gerrit, groningen, "vergunning") == _pks(corpus, "groningen")
    assert ids(agent_gerrit, groningen, "cafe") == set()


def test_record_class(corpus, woo_wim, lead_lotte, utrecht, groningen):
    from balie.archive.models import RecordClass
    from balie.records.record_classes import do_set_record_class

    parking, _ = corpus["parking"]
    permits = RecordClass.objects.get(organisation=utrecht, code="KCC-AANVRAAG")
    do_set_record_class(parking, actor=lead_lotte, record_class_id=permits.pk)
    assert ids(woo_wim, utrecht, record_class=str(permits.pk)) == _pks(corpus, "parking")
    foreign = RecordClass.objects.filter(organisation=groningen).first()
    with pytest.raises(SearchError, match="Categorie") as refused:
        search(woo_wim, utrecht, record_class=str(foreign.pk))
    assert refused.value.code == "unknown_record_class"


def test_a_broad_search_stops_at_the_window(settings, webchat, woo_wim, agent_anna, utrecht):
    """Beyond BALIE_SEARCH_MAX_RESULTS: 'at least', the most recently added ones, in order;
    a hold on the search still covers every match."""
    from balie.conversations import actions
    from balie.search.actions import do_save_search
    from balie.search.selectors import conversation_ids_matching

    conversation, _ = webchat
    other, _token = actions.do_start_webchat(utrecht)
    sent = [
        send(other if n == 0 else conversation, f"Vraag {n} over de hondenbelasting")
        for n in range(5)
    ]
    settings.SEARCH_MAX_RESULTS = 3
    for sort in ("relevance", "date"):
        page = search(woo_wim, utrecht, "hondenbelasting", sort=sort)
        assert (page.total, page.exact, page.pages) == (3, False, 1)
        assert {h.message_id for h in page.hits} == {m.pk for m in sent[2:]}
    by_date = search(woo_wim, utrecht, "hondenbelasting", sort="date", page_size="2")
    assert [h.message_id for h in by_date.hits] == [sent[4].pk, sent[3].pk]
    assert by_date.pages == 2
    with pytest.raises(SearchError):
        search(woo_wim, utrecht, "hondenbelasting", page_size="2", page="3")
    listed = search(woo_wim, utrecht, "", sort="date", **{"from": "2000-01-01"})
    assert (listed.total, listed.exact) == (3, False)
    settings.SEARCH_MAX_RESULTS = 6
    page = search(woo_wim, utrecht, "hondenbelasting")
    assert (page.total, page.exact) == (5, True)
    settings.SEARCH_MAX_RESULTS = 1
    saved = do_save_search(woo_wim, utrecht, name="Honden", query="hondenbelasting", filters={})
    assert conversation_ids_matching(saved, whole_organisation=True) == {
        conversation.pk,
        other.pk,
    }


def test_words_within_one_contact_or_zaaknummer_rank_and_page(corpus, woo_wim, utrecht):
    # A handful of conversations: the search starts from their messages (see _few_conversations).
    parking, (p1, p2, _p3) = corpus["parking"]
    contact = str(parking.contact_id)
    for sort in ("relevance", "date"):
        page = search(woo_wim, utrecht, "vergunning", contact=contact, sort=sort)
        assert {h.message_id for h in page.hits} == {p1.pk, p2.pk} and page.total == 2
        assert all(h.highlights for h in page.hits)
    by_date = search(woo_wim, utrecht, "vergunning", case_reference="Z-2026-001", sort="date")
    assert [h.message_id for h in by_date.hits] == [p2.pk, p1.pk]
    second = search(woo_wim, utrecht, "vergunning", contact=contact, page_size=1, page=2)
    assert second.total == 2 and len(second.hits) == 1
    assert ids(woo_wim, utrecht, "vergunning -online", contact=contact) == {p1.pk}
    assert ids(woo_wim, utrecht, "paspoort", contact=contact) == set()


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"q": ""}, "empty_query"),
        ({"q": "a", "from": "2026-03-01", "to": "2026-02-01"}, "invalid_period"),
    ],
)
def test_people_are_told_why_a_search_would_be_empty(utrecht, params, code):
    """The console and the CLI explain; the API (explain_empty=False) answers the search."""
    with pytest.raises(SearchError) as refused:
        parse_search(utrecht.pk, params)
    assert refused.value.code == code
    assert parse_search(utrecht.pk, params, explain_empty=False).page == 1
