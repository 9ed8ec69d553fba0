"""What the issue demands of the proposal, on short chats written for the purpose and on the
whole corpus, with the shipped model: the time never decides, a municipal word in a family
joke does not make it business, a short answer takes the side of what it answers, and every
proposal is well formed, whatever the text."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from balie.business import corpus
from balie.business import signals as sig
from balie.business.model import load
from balie.business.proposal import BUSINESS, Chat, Line, Participant, propose
from balie.business.text import score
from tests.business.chats import MEDIA, SATURDAY_21, TUESDAY_10, chat, moved, problems

TIME_BOUND = sig.WEAK_CAP * len(sig.WEAK)  # the most the time can move a log-odds
COFFEE = [
    ("Pieter", "Bakkie doen?"),
    ("Sanne", "Ja goed, over 5 min bij de automaat"),
    ("Pieter", "👍"),
]
HOLIDAY = [
    ("Lisa", "Hoe was je vakantie in Portugal?"),
    ("Sanne", "Heerlijk! Elke dag zon en veel te veel pasteis de nata gegeten"),
    ("Lisa", "Jaloers 😄 wij gaan pas in augustus. Neem je vrijdag pasteis mee naar de borrel?"),
]
DOSSIER = [
    ("Lisa", "Kun jij de zienswijze op het bestemmingsplan Lindelaan voor donderdag beoordelen?"),
    ("Sanne", "Ja, stuur je me het concept van het advies?"),
]
# one matter per field of the municipality, as a resident, an entrepreneur, a developer or a
# colleague would write it to the official
FIELDS = {
    "omgevingsvergunning": ("Rob", "Hoi, is mijn aanvraag voor de omgevingsvergunning van de "
                            "dakkapel al in behandeling? Ik hoor niks."),
    "handhaving": ("Rob", "De buren hebben zonder vergunning een schuur van 4 meter hoog "
                          "neergezet, kan handhaving daar eens naar kijken?"),
    "subsidie": ("Rob", "Wanneer hoort de tennisclub iets over de subsidie voor de "
                        "ledverlichting op de banen?"),
    "evenementenvergunning": ("Rob", "Wij organiseren 14 juni een straatfeest met podium, moet "
                                     "daar een evenementenvergunning voor worden aangevraagd?"),
    "terrasvergunning": ("Rob", "Mag mijn terras deze zomer twee meter breder? De aanvraag "
                                "terrasvergunning is vorige week ingediend."),
    "wmo": ("Rob", "Mijn vader wacht al twee maanden op de beschikking voor zijn Wmo-aanvraag "
                   "voor een scootmobiel."),
    "begroting": ("Pieter", "Kun je de cijfers voor de begroting 2027 voor vrijdag aanleveren? "
                            "Dan kan het college ze dinsdag bespreken."),
    "raadsvoorstel": ("Pieter", "Het raadsvoorstel over de nieuwe sporthal gaat donderdag naar "
                                "de commissie, heb jij de laatste versie?"),
    "grondprijs": ("Rob", "Wat vind je van 1,8 miljoen voor het hele perceel achter het "
                          "station? Dan tekenen we nog voor de zomer."),
}  # fmt: skip
FAMILY_JOKES = [
    "Haha, jij bent echt de wethouder van de barbecue",
    "raad eens wie er jarig is",
    "goede raad: neem een jas mee",
]
SHORT_ANSWERS = ["Doe ik", "Komt goed", "👍"]


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))


@pytest.fixture(scope="module")
def model():
    return load()


@pytest.fixture(scope="module")
def all_chats() -> list[corpus.Chat]:
    return corpus.chats()


def _mixed(*, answer_after: str, answer: str = "Doe ik") -> list[Line]:
    """A colleague chat: a holiday in the morning, a dossier five hours later; ``answer``
    follows, three minutes later, the holiday's last question or the dossier's."""
    morning = [*HOLIDAY, ("Sanne", answer, 3)]
    afternoon = [*DOSSIER, ("Lisa", answer, 3)]
    lines = chat(TUESDAY_10, *(morning if answer_after == "holiday" else HOLIDAY))
    start = lines[-1].at + timedelta(hours=5)
    return lines + chat(start, *(afternoon if answer_after == "dossier" else DOSSIER))


# the time never decides


def test_office_hours_do_not_make_small_talk_business():
    proposals = propose(chat(TUESDAY_10, *COFFEE))
    assert [p.verdict for p in proposals if p.verdict == BUSINESS] == []


def test_the_same_small_talk_late_on_saturday_differs_only_a_little():
    weekday = propose(chat(TUESDAY_10, *COFFEE))
    weekend = propose(chat(SATURDAY_21, *COFFEE))
    for a, b in zip(weekday, weekend, strict=True):
        assert b.verdict != BUSINESS
        assert abs(logit(a.probability) - logit(b.probability)) <= TIME_BOUND + 1e-9


def test_the_shipped_model_keeps_the_time_weak(model):
    for name in sig.WEAK:
        assert abs(model.signal_weights[sig.NAMES.index(name)]) <= sig.WEAK_CAP, name


def test_moving_a_chat_in_time_changes_only_its_time_signals(model, all_chats):
    """Every chat of the corpus, three days and eleven hours later: the messages are as far
    apart as before, so nothing but the time of day and the weekday may differ."""
    time_columns = {sig.NAMES.index(name) for name in sig.WEAK}
    for c in all_chats:
        later = moved(list(c.lines), c.lines[0].at + timedelta(days=3, hours=11))
        logits = [score(line.text, model.text_weights, model.text_bias).logit for line in c.lines]
        for before, after in zip(
            sig.signals(c.lines, logits, c.group), sig.signals(later, logits, c.group), strict=True
        ):
            for n, (x, y) in enumerate(zip(before, after, strict=True)):
                assert n in time_columns or x == y, (c.id, sig.NAMES[n])
        for a, b in zip(
            propose(c.lines, group=c.group), propose(later, group=c.group), strict=True
        ):
            if 1e-12 < a.probability < 1 - 1e-12 and 1e-12 < b.probability < 1 - 1e-12:
                assert abs(logit(a.probability) - logit(b.probability)) <= TIME_BOUND + 1e-6


# words of local government in a private sense, and business in every field


@pytest.mark.parametrize("text", FAMILY_JOKES)
def test_a_municipal_word_in_a_family_joke_stays_private(text):
    lines = chat(datetime(2026, 6, 13, 17, 0), ("Mam", text), ("Sanne", "Haha 😂"))  # noqa: DTZ001
    assert propose(lines)[0].verdict != BUSINESS


def test_a_family_group_joking_about_the_wethouder_stays_private():
    lines = chat(
        datetime(2026, 6, 13, 17, 0),  # noqa: DTZ001 - a Saturday afternoon
        ("Mam", FAMILY_JOKES[0]),
        ("Broer", FAMILY_JOKES[1]),
        ("Sanne", "Haha oom Kees toch?"),
        ("Mam", FAMILY_JOKES[2]),
    )
    assert [p.verdict for p in propose(lines, group=True) if p.verdict == BUSINESS] == []


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_a_matter_of_the_municipality_is_business(field):
    lines = chat(TUESDAY_10, FIELDS[field], ("Sanne", "Ik kijk ernaar en kom erop terug."))
    assert propose(lines)[0].verdict == BUSINESS


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_a_matter_of_the_municipality_is_business_on_its_own_on_saturday_night(field):
    assert propose(chat(SATURDAY_21, FIELDS[field]))[0].verdict == BUSINESS


# short answers and files take the side of what they follow


@pytest.mark.parametrize("answer", SHORT_ANSWERS)
def test_a_short_answer_to_a_business_question_is_business(answer):
    lines = _mixed(answer_after="dossier", answer=answer)
    proposal = propose(lines)[-1]
    assert proposal.verdict == BUSINESS
    assert [r.weight > 0 for r in proposal.reasons if r.code == "answer"] == [True]


@pytest.mark.parametrize("answer", SHORT_ANSWERS)
def test_a_short_answer_to_a_private_question_is_not_business(answer):
    lines = _mixed(answer_after="holiday", answer=answer)
    proposal = propose(lines)[len(HOLIDAY)]
    assert lines[len(HOLIDAY)].text == answer
    assert proposal.verdict != BUSINESS
    assert [r.weight < 0 for r in proposal.reasons if r.code == "answer"] == [True]


def _answer_signal(lines: list[Line]) -> float:
    model = load()
    logits = [score(line.text, model.text_weights, model.text_bias).logit for line in lines]
    return sig.signals(lines, logits, False)[-1][sig.NAMES.index("answer")]


def test_a_short_message_answers_nothing_older_than_twelve_hours():
    question = DOSSIER[0]
    late = chat(TUESDAY_10, question, ("Sanne", "Doe ik", 12 * 60 + 1))
    in_time = chat(TUESDAY_10, question, ("Sanne", "Doe ik", 12 * 60 - 1))
    assert _answer_signal(late) == 0.0
    assert "answer" not in {r.code for r in propose(late)[-1].reasons}
    assert _answer_signal(in_time) > 0.0  # the window is what makes the difference


def test_a_file_without_text_follows_its_neighbours_in_time():
    lines = chat(TUESDAY_10, *HOLIDAY, ("Sanne", MEDIA, 1))
    lines += chat(lines[-1].at + timedelta(hours=5), *DOSSIER, ("Lisa", MEDIA, 1))
    proposals = propose(lines)
    holiday_photo, dossier_photo = proposals[len(HOLIDAY)], proposals[-1]
    assert lines[len(HOLIDAY)].media and lines[-1].media
    assert holiday_photo.verdict != BUSINESS
    assert dossier_photo.verdict == BUSINESS


# every proposal is well formed


def test_every_proposal_on_the_corpus_is_valid(model, all_chats):
    for c in all_chats:
        proposals = propose(c.lines, group=c.group)
        assert len(proposals) == len(c.lines)
        for line, proposal in zip(c.lines, proposals, strict=True):
            assert not problems(proposal, model), (c.id, line.text)


def test_every_proposal_on_the_written_chats_is_valid(model):
    written = [
        chat(TUESDAY_10, *COFFEE),
        _mixed(answer_after="dossier"),
        _mixed(answer_after="holiday"),
        *(chat(TUESDAY_10, matter) for matter in FIELDS.values()),
        chat(TUESDAY_10, *((("Mam", "Broer")[n % 2], t) for n, t in enumerate(FAMILY_JOKES))),
    ]
    for lines in written:
        for proposal in propose(lines):
            assert not problems(proposal, model)


def test_reading_a_chat_in_two_passes_proposes_the_same(all_chats):
    """The streaming :class:`Chat` (text scores kept, texts not) against :func:`propose`."""
    for c in all_chats:
        stream = Chat(group=c.group)
        for line in c.lines:
            stream.add(line.text, line.author, line.at)
        roles = {line.role for line in c.lines}
        streamed = [stream.propose(i, line, roles) for i, line in enumerate(c.lines)]
        assert streamed == propose(c.lines, group=c.group), c.id


ODD_TEXTS = {
    "empty": "",
    "spaces": "   \n\t ",
    "emoji only": "😂😂😂🙈",
    "long": "Vergunning " * 909 + "0",  # 10,000 characters
    "digits only": "0612345678",
    "arabic": "مرحبا، هل تمت الموافقة على طلب التصريح؟",
    "hebrew and dutch": "שלום, is de vergunning al binnen?",
    "nul characters": "doe\x00ik\x00\x00",
    "only punctuation": "?!?...",
    "combining marks": "e\u0301e\u0301n\u200b\u200dzwj",
}


@pytest.mark.parametrize("name", sorted(ODD_TEXTS))
def test_an_odd_text_gets_a_valid_proposal(model, name):
    text = ODD_TEXTS[name]
    assert name != "long" or len(text) == 10_000
    alone = propose([Line(text, "Rob", TUESDAY_10, Participant.OTHER)])
    among = propose(chat(TUESDAY_10, *DOSSIER, ("Rob", text), ("Lisa", "Doe ik")))
    as_caption = propose([Line(text, "Rob", TUESDAY_10, Participant.OTHER, media=True)])
    for proposal in [*alone, *among, *as_caption]:
        assert not problems(proposal, model), name


TEXTS = st.one_of(
    st.text(max_size=300),
    st.sampled_from([*SHORT_ANSWERS, *FAMILY_JOKES, *(t for _, t in FIELDS.values())]),
)
LINES = st.lists(
    st.builds(
        Line,
        text=TEXTS,
        author=st.sampled_from([None, "Sanne", "Lisa", "Mam", "Rob"]),
        at=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),  # noqa: DTZ001
        role=st.sampled_from(
            [Participant.OFFICIAL, Participant.COLLEAGUE, Participant.FAMILY, Participant.OTHER]
        ),
        media=st.booleans(),
        reply_to=st.none() | st.integers(min_value=-3, max_value=40),
    ),
    max_size=30,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=LINES, group=st.booleans())
def test_any_lines_get_one_valid_proposal_each(lines, group):
    model = load()
    proposals = propose(lines, group=group)
    assert len(proposals) == len(lines)
    for proposal in proposals:
        assert not problems(proposal, model)


def test_a_line_dated_at_the_start_of_the_calendar_gets_a_proposal(model):
    lines = [Line("Doe ik", "Rob", datetime(1, 1, 1, 9, 0), Participant.OTHER)]  # noqa: DTZ001
    assert not problems(propose(lines)[0], model)
