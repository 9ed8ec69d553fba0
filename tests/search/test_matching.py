"""What matches: diacritics, Dutch stems, phrases, exclusion and prefixes.

The same tests run on SQLite (FTS5) and PostgreSQL (tsvector): both suites run this module,
so both backends give the same results for the same corpus.
"""

from __future__ import annotations

import pytest

from tests.search.helpers import ids, search

pytestmark = pytest.mark.django_db


def _bodies(corpus, *keys):
    return {m.pk for key, index in keys for m in [corpus[key][1][index]]}


def test_a_stem_finds_its_other_forms(corpus, woo_wim, utrecht):
    # "vergunning" finds "vergunningen" and "vergunning"; "parkeervergunning" is another word.
    assert ids(woo_wim, utrecht, "vergunning") == _bodies(corpus, ("parking", 0), ("parking", 1))
    assert ids(woo_wim, utrecht, "vergunningen") == ids(woo_wim, utrecht, "vergunning")


def test_diacritics_do_not_matter(corpus, woo_wim, utrecht):
    cafe = _bodies(corpus, ("parking", 2), ("waste", 0))
    assert ids(woo_wim, utrecht, "cafe") == cafe  # finds "Café" and "cafe"
    assert ids(woo_wim, utrecht, "Café") == cafe
    assert ids(woo_wim, utrecht, "CAFÉ") == cafe


def test_words_are_anded(corpus, woo_wim, utrecht):
    assert ids(woo_wim, utrecht, "container dinsdag") == _bodies(corpus, ("waste", 1))
    assert ids(woo_wim, utrecht, "container paspoort") == set()


def test_phrase(corpus, woo_wim, utrecht):
    assert ids(woo_wim, utrecht, '"digitale loket"') == _bodies(corpus, ("parking", 1))
    assert ids(woo_wim, utrecht, '"loket digitale"') == set()
    # Stop words inside a phrase are skipped on both backends.
    assert ids(woo_wim, utrecht, '"verlengen via het digitale loket"') == _bodies(
        corpus, ("parking", 1)
    )


def test_exclusion(corpus, woo_wim, utrecht):
    assert ids(woo_wim, utrecht, "geleegd -dinsdag") == _bodies(corpus, ("waste", 0))
    assert ids(woo_wim, utrecht, 'geleegd -"dinsdag geleegd"') == _bodies(corpus, ("waste", 0))


def test_prefix(corpus, woo_wim, utrecht):
    assert ids(woo_wim, utrecht, "parkeer*") == _bodies(corpus, ("parking", 0))
    assert ids(woo_wim, utrecht, "verleng*") == _bodies(corpus, ("parking", 1), ("passport", 0))
    assert ids(woo_wim, utrecht, "afval*") == _bodies(corpus, ("waste", 0))


def test_internal_notes_are_found_by_staff(corpus, agent_anna, utrecht):
    assert ids(agent_anna, utrecht, "geluidsoverlast") == _bodies(corpus, ("parking", 2))


def test_system_lines_are_not_indexed(corpus, woo_wim, utrecht):
    # do_change_status wrote a system line into the waste conversation.
    page = search(woo_wim, utrecht, "", status="pending")
    assert {h.direction for h in page.hits} == {"inbound", "outbound"}


def test_snippet_and_highlights(corpus, woo_wim, utrecht):
    [hit] = search(woo_wim, utrecht, "verlopen parkeer*").hits
    marked = [hit.snippet[start:end] for start, end in hit.highlights]
    assert marked == ["parkeervergunning", "verlopen"]
    assert hit.author.startswith("Inwoner")
    assert hit.subject == "Parkeervergunning"
    assert hit.team == "Algemeen"


def test_long_message_snippet_is_cut_around_the_first_hit(utrecht, utrecht_team, woo_wim):
    from balie.conversations.actions import do_start_webchat
    from tests.factories import send

    conversation, _ = do_start_webchat(utrecht)
    words = [f"woord{n}" for n in range(100)]
    words[60] = "grofvuil"
    send(conversation, " ".join(words))
    [hit] = search(woo_wim, utrecht, "grofvuil").hits
    assert hit.snippet.startswith("… woord52 ") and hit.snippet.endswith(" …")
    assert len(hit.snippet.split()) == 32  # 30 words and two ellipses
    [(start, end)] = hit.highlights
    assert hit.snippet[start:end] == "grofvuil"
