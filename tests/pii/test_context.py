"""What a conversation knows: participants, the organisation's allow-list, its grounds."""

from __future__ import annotations

import pytest

from balie.pii import Context, ContextError, detect, detect_all

UTRECHT = {
    "allow": {
        "phones": ["030 286 0000", "14 030"],
        "emails": ["info@utrecht.nl", "wmo@utrecht.nl"],
        "addresses": ["Stadsplateau 1"],
        "urls": ["https://www.utrecht.nl/afval"],
        "names": ["Sharon Dijksma"],
        "texts": ["NL12 BNGH 0285 0000 01"],
    },
}


def found(text, context=None):
    return [(text[s.start : s.end], s.category) for s in detect(text, context)]


def test_the_organisations_own_contact_data_stays_readable():
    text = (
        "Bel ons op +31 30 286 0000 of 14 030, mail wmo@utrecht.nl, kom naar "
        "Stadsplateau 1 of kijk op https://www.utrecht.nl/afval. Burgemeester Dijksma "
        "en S. Dijksma komen ook."
    )
    assert found(text, UTRECHT) == []


def test_without_the_allow_list_the_same_data_is_marked():
    text = "Bel 030 286 0000 of kom naar Stadsplateau 1"
    assert [c for _, c in found(text)] == ["phone", "address"]


def test_an_allowed_office_holder_does_not_hide_a_resident_with_the_same_first_name():
    assert found("Sharon Jansen belde over haar aanslag", UTRECHT) == [("Sharon Jansen", "name")]


def test_allowed_texts_stay_readable():
    assert found("Maak het over naar NL12 BNGH 0285 0000 01 van de gemeente", UTRECHT) == []


def test_participants_are_found_wherever_they_occur():
    context = {"participants": [{"name": "Xiaoling Wu", "email": "xw@example.org"}]}
    text = "xiaoling belde, mail naar xw@example.org"
    assert found(text, context) == [("xiaoling", "name"), ("xw@example.org", "email")]


def test_a_bare_number_answers_the_question_before_it():
    _, answer, later = detect_all(
        ["Wat is uw V-nummer en geboortedatum?", "2938475610, 12.06.1996", "ok 1234567890"]
    )
    assert [(s.category, s.source) for s in answer] == [
        ("id_number", "id_number:number+question"),
        ("date_of_birth", "date_of_birth:question"),
    ]
    assert later == []  # only the answer right after the question


def test_grounds_are_configurable_per_category():
    context = {"grounds": {"phone": "5.1.2d", "bsn": "5.1.1e"}}
    spans = detect("BSN 111222333 en tel 0612345678", context)
    assert [(s.category, s.ground) for s in spans] == [("bsn", "5.1.1e"), ("phone", "5.1.2d")]


def test_default_grounds():
    spans = detect("BSN 111222333, tel 0612345678, ik heb kanker")
    assert {s.category: s.ground for s in spans} == {
        "bsn": "5.1.1e",
        "phone": "5.1.2e",
        "special": "5.1.1d",
    }


def test_a_string_found_in_one_text_is_found_in_all_texts_of_the_request():
    first, second = detect_all(["Ik ben Bakker, mevrouw Bakker.", "Bakker belt terug."])
    assert [s.category for s in second] == ["name"]
    assert second[0].source == "repeat:name"
    assert [s.category for s in first] == ["name", "name"]


def test_a_number_found_once_is_found_again_with_its_category():
    first, _, second = detect_all(["rijbewijsnummer 5012384769", "dank u", "nog eens: 5012384769"])
    assert [(s.category, s.source) for s in second] == [("id_number", "repeat:id_number")]


@pytest.mark.parametrize(
    "data, message",
    [
        ([], "context: expected an object"),
        ({"people": []}, "context: unknown key 'people'"),
        ({"participants": {}}, "context.participants: expected a list"),
        ({"participants": [{"naam": "x"}]}, "context.participants[0]: unknown key 'naam'"),
        ({"participants": [{"name": 5}]}, "context.participants[0].name: expected a string"),
        ({"allow": {"phone": []}}, "context.allow: unknown key 'phone'"),
        ({"allow": {"phones": ["x" * 501]}}, "context.allow.phones[0]: longer than 500"),
        ({"allow": {"phones": ["1"] * 10_001}}, "context.allow.phones: more than 10000 items"),
        ({"grounds": {"naam": "5.1.2e"}}, "context.grounds: unknown category 'naam'"),
        ({"grounds": {"name": ""}}, "context.grounds.name: empty"),
    ],
)
def test_a_bad_context_is_refused_with_its_place(data, message):
    with pytest.raises(ContextError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Context.from_dict(data)
