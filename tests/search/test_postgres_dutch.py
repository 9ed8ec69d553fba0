"""Our Python text processing against PostgreSQL's own ``dutch`` configuration."""

from __future__ import annotations

import pytest
from django.db import connection

from balie.search.text import STOP_WORDS, fold, stem, words

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

VOCABULARY = """
Mijn parkeervergunning is verlopen, kan ik een nieuwe vergunning krijgen? Ja, u kunt de
vergunningen online verlengen via het digitale loket. Inwoner belde ook over het Café op de
hoek en de geluidsoverlast. Wanneer wordt de afvalcontainer geleegd? Het cafe ernaast klaagt.
De container wordt dinsdag geleegd, excuses voor de overlast. Cafés gemeenten gemeente
paspoort paspoorten rijbewijs rijbewijzen bijstandsuitkering verhuizing verhuizingen
aanvragen aangevraagd afspraak afspraken belastingen WOZ-waarde beschikking bezwaar
ondergrondse containers straatverlichting lantaarnpalen kinderen huwelijk geboorteaangifte
"""


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")


def _lexize(word: str) -> list[str] | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT ts_lexize('dutch_stem', %s)", [word])
        return cursor.fetchone()[0]


def test_every_stop_word_is_a_stop_word_for_postgresql():
    assert len(STOP_WORDS) == 101
    for word in sorted(STOP_WORDS):
        assert _lexize(word) == [], word


def test_our_stems_are_postgresqls():
    for word in sorted(set(words(VOCABULARY)) - STOP_WORDS):
        assert _lexize(word) == [stem(word)], word


def test_our_folding_and_postgresqls_to_tsvector_agree():
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('dutch', %s)::text", [fold(VOCABULARY)])
        lexemes = {part.split(":")[0].strip("'") for part in cursor.fetchone()[0].split()}
    ours = {stem(w) for w in words(VOCABULARY) if w not in STOP_WORDS}
    # PostgreSQL also indexes hyphenated words whole ("woz-waarde"); ours are their parts.
    assert ours <= lexemes
    assert lexemes - ours == {"woz-waard"}
